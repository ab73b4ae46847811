"""Order lines as columns: cut to a window, and the paid share of each line."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from engine.rebates import OrderLines, bounds
from schemas.enums import PeriodKind
from schemas.rebates import Period
from tests.engine.rebates.build import lines, local


def test_within_keeps_lines_placed_from_the_start_up_to_but_not_at_the_end() -> None:
    window = lines([
        {"order": 1, "amount_fen": 1, "placed_at": local(2026, 1, 31, 23, 59, 59)},
        {"order": 2, "amount_fen": 2, "placed_at": local(2026, 2, 1)},
        {"order": 3, "amount_fen": 3, "placed_at": local(2026, 2, 28, 23, 59, 59)},
        {"order": 4, "amount_fen": 4, "placed_at": local(2026, 3, 1)},
    ]).within(*bounds(Period(kind=PeriodKind.MONTH, start=local(2026, 2, 1).date())))
    assert window.order_id.tolist() == [2, 3]
    assert window.amount_fen.tolist() == [2, 3]


def test_within_refuses_naive_bounds() -> None:
    with pytest.raises(ValueError, match="naive"):
        OrderLines.empty().within(datetime(2026, 1, 1), datetime(2026, 2, 1, tzinfo=UTC))


@pytest.mark.parametrize(("amounts", "total", "paid", "shares"), [
    ([600, 400], 1000, 1000, [600, 400]),  # paid in full
    ([600, 400], 1000, 500, [300, 200]),  # half paid: each line half
    ([1, 1, 1], 3, 2, [0, 0, 0]),  # each share rounds down: never more than was paid
    ([700, 300], 1000, 1500, [700, 300]),  # overpaid: no more than the line
    ([0], 0, 0, [0]),  # an order of nothing
    ([100], 100, -5, [0]),  # a refund beyond the payments is not a negative share
])
def test_a_lines_paid_share_is_its_part_of_what_was_paid_rounded_down(
    amounts: list[int], total: int, paid: int, shares: list[int]
) -> None:
    rows = [{"order": 1, "amount_fen": a, "order_total_fen": total, "order_paid_fen": paid} for a in amounts]
    assert lines(rows).paid_share().tolist() == shares


def test_the_paid_share_is_exact_where_the_product_would_overflow_64_bits() -> None:
    big = 4 * 10**12  # 40 billion yuan: amount × paid exceeds 2**63
    rows = [{"order": 1, "amount_fen": big, "order_total_fen": big * 3, "order_paid_fen": big * 2}]
    assert lines(rows).paid_share().tolist() == [big * 2 // 3]


def test_an_order_total_left_out_is_the_sum_of_its_lines() -> None:
    built = lines([{"order": 7, "amount_fen": 250}, {"order": 8, "amount_fen": 10}, {"order": 7, "amount_fen": 50}])
    assert built.order_total_fen.tolist() == [300, 10, 300]
    assert built.order_paid_fen.tolist() == [0, 0, 0]


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        OrderLines.from_columns(order_id=[1], dealer_id=[1, 2], product_id=[1], placed_at=[0], quantity=[1],
                                amount_fen=[1])


def test_where_and_len_select_lines() -> None:
    built = lines([{"order": n, "amount_fen": n * 10} for n in range(5)])
    chosen = built.where(built.amount_fen >= 20)
    assert len(chosen) == 3 and len(OrderLines.empty()) == 0
    assert chosen.order_id.dtype == np.int64
