"""The brand's calendar: today is a Shanghai date, months add by the calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from engine.clock import add_months, today


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (datetime(2024, 3, 1, 15, 59, tzinfo=UTC), date(2024, 3, 1)),
        (datetime(2024, 3, 1, 16, 0, tzinfo=UTC), date(2024, 3, 2)),  # midnight in Shanghai
        (datetime(2024, 3, 1, 23, 0, tzinfo=timezone(timedelta(hours=-5))), date(2024, 3, 2)),
    ],
)
def test_today_is_the_date_in_shanghai(instant: datetime, expected: date) -> None:
    assert today(instant) == expected


def test_today_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="naive"):
        today(datetime(2024, 3, 1, 12, 0))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
        (date(2024, 5, 10), 72, date(2030, 5, 10)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 1, 15), -1, date(2023, 12, 15)),
    ],
)
def test_add_months_follows_the_calendar_and_clamps_to_the_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected
