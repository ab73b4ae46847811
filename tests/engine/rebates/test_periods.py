"""Settlement periods are calendar periods in the brand's time zone, each on its own."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine.rebates import bounds, containing, end_date, last_year, periods_within, scope_key
from schemas.enums import PeriodKind
from schemas.rebates import Period
from tests.engine.rebates.build import local

MONTH, QUARTER, YEAR = PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR


@pytest.mark.parametrize(("kind", "start", "end", "key"), [
    (MONTH, date(2026, 1, 1), date(2026, 2, 1), "month:2026-01-01"),
    (MONTH, date(2026, 12, 1), date(2027, 1, 1), "month:2026-12-01"),
    (MONTH, date(2028, 2, 1), date(2028, 3, 1), "month:2028-02-01"),
    (QUARTER, date(2026, 4, 1), date(2026, 7, 1), "quarter:2026-04-01"),
    (QUARTER, date(2026, 10, 1), date(2027, 1, 1), "quarter:2026-10-01"),
    (YEAR, date(2026, 1, 1), date(2027, 1, 1), "year:2026-01-01"),
])
def test_a_period_ends_on_the_first_day_after_it_and_is_named_by_its_start(
    kind: PeriodKind, start: date, end: date, key: str
) -> None:
    period = Period(kind=kind, start=start)
    assert end_date(period) == end
    assert scope_key(period) == key


def test_bounds_are_midnights_in_the_brand_time_zone_as_utc_instants() -> None:
    start, end = bounds(Period(kind=MONTH, start=date(2026, 2, 1)))
    # Shanghai is UTC+8 all year: February starts at 16:00 UTC on January 31.
    assert start == datetime(2026, 1, 31, 16, tzinfo=UTC)
    assert end == datetime(2026, 2, 28, 16, tzinfo=UTC)
    assert start.tzinfo is UTC and end.tzinfo is UTC


def test_last_year_is_the_same_period_a_year_earlier() -> None:
    assert last_year(Period(kind=QUARTER, start=date(2026, 4, 1))) == Period(kind=QUARTER, start=date(2025, 4, 1))


@pytest.mark.parametrize(("kind", "moment", "start"), [
    (MONTH, local(2026, 2, 1, 0, 30), date(2026, 2, 1)),
    (MONTH, datetime(2026, 1, 31, 16, 30, tzinfo=UTC), date(2026, 2, 1)),  # 00:30 on Feb 1 in Shanghai
    (MONTH, datetime(2026, 1, 31, 15, 59, tzinfo=UTC), date(2026, 1, 1)),
    (QUARTER, local(2026, 6, 30, 23, 59), date(2026, 4, 1)),
    (YEAR, local(2026, 12, 31, 23), date(2026, 1, 1)),
])
def test_the_period_containing_a_moment_is_found_on_the_brand_calendar(
    kind: PeriodKind, moment: datetime, start: date
) -> None:
    assert containing(kind, moment) == Period(kind=kind, start=start)


def test_periods_within_a_span_are_those_that_overlap_it_in_order() -> None:
    found = list(periods_within(MONTH, local(2026, 1, 20), local(2026, 4, 1)))
    assert [p.start for p in found] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert list(periods_within(QUARTER, local(2026, 5, 1), local(2026, 5, 1))) == []


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        containing(MONTH, datetime(2026, 1, 1))
