"""Ledger arithmetic without a database: FIFO over lots, expiry moments, what a return takes back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from engine.loyalty import Lot, allocate, available, check_return, expiry_moment, kept, reversal
from schemas.errors import ErrorCode
from schemas.loyalty import LinePoints, PointsResult

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


def lot(pk: int, days: int, remaining: int, expires_in: int | None = 30) -> Lot:
    earned = DAY + timedelta(days=days)
    return Lot(id=pk, earned_at=earned, expires_at=earned + timedelta(days=expires_in) if expires_in else None,
               remaining=remaining)


def test_allocation_takes_the_oldest_lot_first_by_time_then_id() -> None:
    lots = [lot(3, 2, 10), lot(2, 0, 4), lot(1, 0, 5)]

    assert allocate(lots, 12, DAY + timedelta(days=3)) == [(1, 5), (2, 4), (3, 3)]


def test_allocation_skips_expired_empty_and_future_lots_and_takes_less_if_there_is_less() -> None:
    at = DAY + timedelta(days=31)
    lots = [lot(1, 0, 5), lot(2, 5, 0), lot(3, 10, 7), lot(4, 40, 9), lot(5, 1, 2, expires_in=None)]

    assert available(lots, at) == 9
    assert allocate(lots, 100, at) == [(5, 2), (3, 7)]


def test_a_lot_expires_at_midnight_n_days_after_the_earning_day_in_the_brand_calendar() -> None:
    # earned 1 March 23:30 in Shanghai (15:30 UTC); 30 days: valid through 30 March
    earned = datetime(2025, 3, 1, 15, 30, tzinfo=UTC)

    moment = expiry_moment(earned, 30, SHANGHAI)

    assert moment == datetime(2025, 3, 31, 0, 0, tzinfo=SHANGHAI)
    assert expiry_moment(earned, None, SHANGHAI) is None


def order(*lines: tuple[int, int, int, str], bonus: int = 0, extra: int = 0) -> PointsResult:
    """(line_no, quantity, paid yuan, raw points) per line."""
    parts = tuple(
        LinePoints(line_no=n, quantity=q, paid_fen=yuan * 100, rate_rule="base", multiplier=Decimal(1),
                   raw=Decimal(raw), points=int(Decimal(raw)))
        for n, q, yuan, raw in lines
    )
    rate = int(sum(p.raw for p in parts))
    return PointsResult(lines=parts, rate_points=rate, bonus_points=bonus, extra_points=extra,
                        growth=sum(p.paid_fen for p in parts) // 100)


@pytest.mark.parametrize(
    ("returned", "points", "growth"),
    [
        pytest.param({1: 1}, 10, 10_000, id="half of a 20,000 order leaves 10 of its 20 points"),
        pytest.param({1: 2}, 20, 20_000, id="all units returned"),
        pytest.param(None, 20, 20_000, id="cancellation"),
    ],
)
def test_a_return_takes_back_the_returned_part(returned: dict[int, int] | None, points: int, growth: int) -> None:
    result = order((1, 2, 20_000, "20"))

    assert reversal(result, returned, 0, 0) == (points, growth)


def test_bonus_points_stay_while_a_unit_is_kept_and_rounding_is_on_what_is_kept() -> None:
    # 3 units of 1,000 yuan (raw 3) and a 5-point bonus: 8 points
    result = order((1, 3, 3_000, "3"), bonus=5)

    assert kept(result, {1: 1}) == (7, 2_000)
    assert kept(result, {1: 3}) == (0, 0)
    # two returns of one unit each take back 1 and then 1; the last unit takes the rest with the bonus
    assert reversal(result, {1: 1}, 0, 0) == (1, 1_000)
    assert reversal(result, {1: 2}, 1, 1_000) == (1, 1_000)
    assert reversal(result, {1: 3}, 2, 2_000) == (6, 1_000)


def test_partial_returns_never_take_back_more_than_the_order_earned() -> None:
    result = order((1, 3, 1_000, "1"), (2, 1, 600, "0.6"))  # raw 1.6: 1 point

    first = reversal(result, {1: 1}, 0, 0)  # kept raw 0.666… + 0.6 = 1.26: still 1 point; 1,266.67 yuan
    second = reversal(result, {1: 1, 2: 1}, *first)  # kept raw 0.666…: 0 points; 666.67 yuan

    assert (first, second) == ((0, 334), (1, 600))
    assert first[0] + second[0] == result.total
    assert reversal(result, None, first[0] + second[0], first[1] + second[1]) == (0, 666)


def test_a_return_names_lines_of_the_order_and_no_more_units_than_were_bought() -> None:
    result = order((1, 2, 2_000, "2"), (2, 1, 1_000, "1"))

    errors = check_return(result, {1: 1}, {1: 2, 2: 1, 7: 1}, ("returned",))

    assert [(e.path, e.code) for e in errors] == [
        (("returned", 1), ErrorCode.OUT_OF_RANGE), (("returned", 7), ErrorCode.NOT_FOUND),
    ]
    assert check_return(result, {}, {}, ("returned",))[0].code is ErrorCode.REQUIRED
