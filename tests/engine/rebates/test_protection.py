"""Price protection at a cut: eligible units (received within the window and still on hand,
first in first out), the credit per dealer and model, and the cap per dealer."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.clock import BRAND_TZ
from engine.rebates.protection import (
    Holdings, Receipts, SellOuts, StockReports, allocate, claim_drafts, holdings,
)

CUT = datetime(2026, 6, 15, 10, 0, tzinfo=BRAND_TZ)
DEALER, TV, WASHER = 7, 101, 102
YUAN = 100


def before(days: float) -> int:
    """Epoch seconds `days` before the cut."""
    return int((CUT - timedelta(days=days)).timestamp())


def day(days_before: int) -> int:
    """The ordinal of the brand-local date `days_before` days before the cut's date."""
    return (CUT.date() - timedelta(days=days_before)).toordinal()


def receipts(*rows: tuple[int, int, float, int]) -> Receipts:
    """(dealer, product, days before the cut, units)."""
    return Receipts.from_columns(dealer_id=[r[0] for r in rows], product_id=[r[1] for r in rows],
                                 at=[before(r[2]) for r in rows], quantity=[r[3] for r in rows])


def stock(*rows: tuple[int, int, int, int]) -> StockReports:
    """(dealer, product, report day as days before the cut's date, on hand)."""
    return StockReports.from_columns(dealer_id=[r[0] for r in rows], product_id=[r[1] for r in rows],
                                     as_of=[day(r[2]) for r in rows], on_hand=[r[3] for r in rows])


def sold(*rows: tuple[int, int, int, int]) -> SellOuts:
    """(dealer, product, day as days before the cut's date, units)."""
    return SellOuts.from_columns(dealer_id=[r[0] for r in rows], product_id=[r[1] for r in rows],
                                 sold_on=[day(r[2]) for r in rows], quantity=[r[3] for r in rows])


def one(held: Holdings) -> tuple[int, int, int]:
    assert len(held) == 1, held
    return int(held.received[0]), int(held.on_hand[0]), int(held.eligible[0])


# (case, receipts (days before, units), stock report (days before, on hand) or None, sell-out
#  (days before, units), old and new price (yuan), window days, expected eligible, expected credit (yuan))
SCENARIOS = [
    ("issue 4: 30 eligible on hand, cut 800 → 700", [(10, 30), (40, 20)], (1, 50), [], 800, 700, 30, 30, 3000),
    ("issue 4: units received 40 days before are not eligible though on hand", [(40, 50)], (1, 50), [], 800, 700,
     30, 0, 0),
    ("on hand below the window's receipts: the latest receipts are what is held", [(5, 30), (40, 20)], (1, 12), [],
     800, 700, 30, 12, 1200),
    ("received after the report day is on hand at the cut", [(0.1, 8), (40, 20)], (3, 20), [], 800, 700, 30, 8, 800),
    ("sold after the report day is no longer on hand", [(10, 30)], (5, 30), [(2, 25)], 800, 700, 30, 5, 500),
    ("sold more than held: nothing on hand, never below zero", [(10, 30)], (5, 30), [(2, 45)], 800, 700, 30, 0, 0),
    ("no stock report: nothing on hand to protect", [(10, 30)], None, [], 800, 700, 30, 0, 0),
    ("a price rise gives nothing", [(10, 30)], (1, 30), [], 700, 800, 30, 30, 0),
    ("no price change gives nothing", [(10, 30)], (1, 30), [], 800, 800, 30, 30, 0),
    ("a wider window covers older receipts", [(10, 30), (40, 20)], (1, 50), [], 800, 700, 45, 50, 5000),
]


@pytest.mark.parametrize(("case", "got", "report", "sales", "old", "new", "window", "eligible", "credit"), SCENARIOS,
                         ids=[row[0] for row in SCENARIOS])
def test_price_protection_scenarios(case: str, got: list[tuple[float, int]], report: tuple[int, int] | None,
                                    sales: list[tuple[int, int]], old: int, new: int, window: int, eligible: int,
                                    credit: int) -> None:
    held = holdings(receipts(*[(DEALER, TV, d, q) for d, q in got]),
                    stock(*([(DEALER, TV, *report)] if report else [])),
                    sold(*[(DEALER, TV, d, q) for d, q in sales]), CUT, window)
    pair = (DEALER, TV)
    drafts = claim_drafts(held, {pair: old * YUAN}, {pair: new * YUAN}, None, window)
    assert one(held)[2] == eligible if len(held) else eligible == 0
    assert sum(d.credit_fen for d in drafts) == credit * YUAN
    assert all(d.credit_fen > 0 and not d.capped for d in drafts)


def test_window_includes_its_first_instant_and_excludes_the_cut() -> None:
    edge = int((CUT - timedelta(days=30)).timestamp())
    got = Receipts.from_columns(dealer_id=[DEALER] * 4, product_id=[TV] * 4,
                                at=[edge - 1, edge, int(CUT.timestamp()) - 1, int(CUT.timestamp())],
                                quantity=[1, 10, 100, 1000])
    held = holdings(got, stock((DEALER, TV, 0, 5000)), SellOuts.empty(), CUT, 30)
    assert one(held)[0] == 110


def test_the_latest_report_on_or_before_the_cut_day_counts() -> None:
    # given reports 9 and 4 days before and one the day after the cut, and a receipt 6 days before
    reports = stock((DEALER, TV, 9, 100), (DEALER, TV, 4, 3), (DEALER, TV, -1, 500))
    held = holdings(receipts((DEALER, TV, 6, 10)), reports, SellOuts.empty(), CUT, 30)
    # then on hand is the 4-day-old report: the receipt before it is already in its count
    assert one(held) == (10, 3, 3)
    assert held.reported_on.tolist() == [day(4)] and held.received_since.tolist() == [0]


def test_a_report_on_the_cut_day_is_the_stock_at_the_cut() -> None:
    held = holdings(receipts((DEALER, TV, 0.2, 10)), stock((DEALER, TV, 0, 4)), sold((DEALER, TV, 0, 3)), CUT, 30)
    assert one(held) == (10, 4, 4)


def test_receipts_count_after_the_report_day_ends_in_the_brand_time_zone() -> None:
    # given a report at the end of the day 2 days before the cut's date
    report_day_end = datetime.combine(date.fromordinal(day(1)), datetime.min.time(), BRAND_TZ)
    got = Receipts.from_columns(dealer_id=[DEALER] * 2, product_id=[TV] * 2,
                                at=[int(report_day_end.timestamp()) - 1, int(report_day_end.timestamp())],
                                quantity=[7, 5])
    held = holdings(got, stock((DEALER, TV, 2, 7)), SellOuts.empty(), CUT, 30)
    # then the delivery one second before midnight is in the report, the one at midnight is not
    assert one(held) == (12, 12, 12)
    assert held.received_since.tolist() == [5]


def test_sell_out_on_or_before_the_report_day_or_after_the_cut_day_is_ignored() -> None:
    sales = sold((DEALER, TV, 5, 100), (DEALER, TV, 6, 100), (DEALER, TV, -1, 100), (DEALER, TV, 3, 2))
    held = holdings(receipts((DEALER, TV, 10, 20)), stock((DEALER, TV, 5, 20)), sales, CUT, 30)
    assert one(held) == (20, 18, 18)


def test_pairs_are_kept_apart_and_sorted() -> None:
    got = receipts((9, WASHER, 3, 4), (DEALER, WASHER, 3, 2), (DEALER, TV, 3, 6), (9, TV, 50, 1))
    reports = stock((DEALER, TV, 1, 6), (DEALER, WASHER, 1, 1), (9, WASHER, 1, 4), (9, TV, 1, 1))
    held = holdings(got, reports, sold((9, WASHER, 0, 1)), CUT, 30)
    assert held.pairs() == [(DEALER, TV), (DEALER, WASHER), (9, WASHER)]
    assert held.eligible.tolist() == [6, 1, 3]


def test_the_cap_cuts_a_dealers_credits_pro_rata_and_marks_them() -> None:
    # given two models with credits 3,000 and 1,000 yuan and a cap of 2,000 yuan per dealer
    held = holdings(receipts((DEALER, TV, 5, 30), (DEALER, WASHER, 5, 10), (9, TV, 5, 1)),
                    stock((DEALER, TV, 1, 30), (DEALER, WASHER, 1, 10), (9, TV, 1, 1)), SellOuts.empty(), CUT, 30)
    old = {(DEALER, TV): 800 * YUAN, (DEALER, WASHER): 900 * YUAN, (9, TV): 800 * YUAN}
    new = {(DEALER, TV): 700 * YUAN, (DEALER, WASHER): 800 * YUAN, (9, TV): 700 * YUAN}
    drafts = claim_drafts(held, old, new, 2000 * YUAN, 30)
    by_pair = {(d.dealer_id, d.product_id): d for d in drafts}
    # then the dealer over the cap gets 1,500 + 500, both marked; the other is untouched
    assert [(p, d.credit_fen, d.uncapped_fen, d.capped) for p, d in by_pair.items()] == [
        ((DEALER, TV), 1500 * YUAN, 3000 * YUAN, True),
        ((DEALER, WASHER), 500 * YUAN, 1000 * YUAN, True),
        ((9, TV), 100 * YUAN, 100 * YUAN, False),
    ]
    assert "exceed the cap" in by_pair[(DEALER, TV)].detail


def test_a_credit_at_the_cap_is_not_capped() -> None:
    held = holdings(receipts((DEALER, TV, 5, 30)), stock((DEALER, TV, 1, 30)), SellOuts.empty(), CUT, 30)
    (draft,) = claim_drafts(held, {(DEALER, TV): 800 * YUAN}, {(DEALER, TV): 700 * YUAN}, 3000 * YUAN, 30)
    assert (draft.credit_fen, draft.capped) == (3000 * YUAN, False)


def test_the_detail_says_how_the_credit_was_worked_out() -> None:
    held = holdings(receipts((DEALER, TV, 10, 30), (DEALER, TV, 0.5, 2)), stock((DEALER, TV, 3, 40)),
                    sold((DEALER, TV, 1, 4)), CUT, 30)
    (draft,) = claim_drafts(held, {(DEALER, TV): 800 * YUAN}, {(DEALER, TV): 700 * YUAN}, None, 30)
    assert draft.detail == (
        f"received 32 within 30 days before the cut; on hand 38 (stock report of {date.fromordinal(day(3))}: 40, "
        "+2 received and −4 sold since); eligible 32 × (¥800.00 − ¥700.00) = ¥3,200.00"
    )


def test_pairs_without_prices_get_no_draft() -> None:
    held = holdings(receipts((DEALER, TV, 5, 3)), stock((DEALER, TV, 1, 3)), SellOuts.empty(), CUT, 30)
    assert claim_drafts(held, {}, {(DEALER, TV): 1}, None, 30) == []


@pytest.mark.parametrize(("total", "weights", "parts"), [
    (10, [1, 1, 1], [4, 3, 3]),
    (200_000, [300_000, 100_000], [150_000, 50_000]),
    (5, [2, 3, 5], [1, 2, 2]),  # 1.0 / 1.5 / 2.5: the tie goes to the earlier
    (0, [4, 6], [0, 0]),
])
def test_allocate_splits_exactly_with_the_largest_remainders(total: int, weights: list[int], parts: list[int]) -> None:
    assert allocate(total, weights) == parts


# --- against a plain-Python reference -------------------------------------------------------------
def reference(got: list[tuple[int, int, int, int]], reports: list[tuple[int, int, int, int]],
              sales: list[tuple[int, int, int, int]], window: int) -> dict[tuple[int, int], tuple[int, int, int]]:
    """Row by row: (dealer, product) -> (received, on hand, eligible), receipts as epoch seconds."""
    cut, start = int(CUT.timestamp()), int((CUT - timedelta(days=window)).timestamp())
    cut_day = CUT.date().toordinal()
    out = {}
    for pair in sorted({(d, p) for d, p, at, _ in got if start <= at < cut}):
        received = sum(q for d, p, at, q in got if (d, p) == pair and start <= at < cut)
        mine = [r for r in reports if (r[0], r[1]) == pair and r[2] <= cut_day]
        held = 0
        if mine:
            _, _, as_of, held = max(mine, key=lambda r: r[2])
            next_day = datetime.combine(date.fromordinal(as_of + 1), datetime.min.time(), BRAND_TZ).timestamp()
            held += sum(q for d, p, at, q in got if (d, p) == pair and next_day <= at < cut)
            held -= sum(q for d, p, on, q in sales if (d, p) == pair and as_of < on <= cut_day)
            held = max(held, 0)
        out[pair] = (received, held, min(held, received))
    return out


rows = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(-5, 60), st.integers(1, 50))


@settings(max_examples=150, deadline=None)
@given(got=st.lists(st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(-3 * 86_400, 50 * 86_400),
                              st.integers(1, 50)), max_size=25),
       reports=st.lists(rows, max_size=8), sales=st.lists(rows, max_size=12), window=st.integers(1, 45))
def test_holdings_match_a_row_by_row_reference(got: list[tuple[int, int, int, int]], reports: list[tuple[int, int, int, int]],
                                               sales: list[tuple[int, int, int, int]], window: int) -> None:
    cut = int(CUT.timestamp())
    receipt_rows = [(d, p, cut - s, q) for d, p, s, q in got]
    report_rows = {(d, p, day(b)): (d, p, day(b), q) for d, p, b, q in reports}.values()  # one a day per pair
    sale_rows = [(d, p, day(b), q) for d, p, b, q in sales]
    held = holdings(
        Receipts.from_columns(dealer_id=[r[0] for r in receipt_rows], product_id=[r[1] for r in receipt_rows],
                              at=[r[2] for r in receipt_rows], quantity=[r[3] for r in receipt_rows]),
        StockReports.from_columns(dealer_id=[r[0] for r in report_rows], product_id=[r[1] for r in report_rows],
                                  as_of=[r[2] for r in report_rows], on_hand=[r[3] for r in report_rows]),
        SellOuts.from_columns(dealer_id=[r[0] for r in sale_rows], product_id=[r[1] for r in sale_rows],
                              sold_on=[r[2] for r in sale_rows], quantity=[r[3] for r in sale_rows]),
        CUT, window,
    )
    found = {pair: (int(r), int(h), int(e)) for pair, r, h, e in
             zip(held.pairs(), held.received, held.on_hand, held.eligible, strict=True)}
    assert found == reference(receipt_rows, list(report_rows), sale_rows, window)
    assert np.all(held.eligible <= held.received) and np.all(held.on_hand >= 0)
