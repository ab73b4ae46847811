"""Settling one policy over a window's order lines: the issue's scenarios as rows, the bases,
caps, eligibility, targets and growth, and a property test against a per-line reference."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.rebates import Eligibility, OrderLines, bounds, dealer_eligibility, products_in_scope, settle_policy
from schemas.enums import PeriodKind
from schemas.rebates import Period, RebatePolicy
from tests.engine.rebates.build import REF, YUAN, amounts, lines, local, policy, settle_all, tier

JANUARY = Period(kind=PeriodKind.MONTH, start=date(2026, 1, 1))
FEBRUARY = Period(kind=PeriodKind.MONTH, start=date(2026, 2, 1))


# --- the scenarios -------------------------------------------------------------------
@pytest.mark.parametrize(("purchase_yuan", "rebate_yuan"), [(200, 15), (60, 3), (100, 5), (350, 30), (400, 30)])
def test_scenario_1_marginal_tiers_5_percent_on_the_first_100_and_10_percent_to_350(
    purchase_yuan: int, rebate_yuan: int
) -> None:
    rule = policy(tier(0, percent=5), tier(100 * YUAN, percent=10), mode="marginal", up_to=350 * YUAN)
    run = settle_all(rule, lines([{"order": 1, "amount_fen": purchase_yuan * YUAN}]))
    assert amounts(run) == {1: rebate_yuan * YUAN}


@pytest.mark.parametrize(("purchase_yuan", "rebate_yuan", "reason"), [
    (110_000, 1_000, ""),
    (100_000, 1_000, ""),
    (90_000, 0, "below the first tier: 90% < 100%"),
])
def test_scenario_2_a_single_target_of_100000_with_a_1000_reward(purchase_yuan: int, rebate_yuan: int,
                                                                 reason: str) -> None:
    rule = policy(tier(100, amount_fen=1_000 * YUAN), measure="target_percent")
    run = settle_all(rule, lines([{"order": 1, "amount_fen": purchase_yuan * YUAN}]), targets={1: 100_000 * YUAN})
    (outcome,) = run.outcomes
    assert (outcome.amount_fen, outcome.reason, outcome.eligible) == (rebate_yuan * YUAN, reason, True)


def test_scenario_3_a_monthly_policy_never_counts_january_toward_february() -> None:
    rule = policy(tier(1_000 * YUAN, percent=5))  # 1,100 over both months would earn 55
    book = lines([
        {"order": 1, "amount_fen": 500 * YUAN, "placed_at": local(2026, 1, 10)},
        {"order": 2, "amount_fen": 300 * YUAN, "placed_at": local(2026, 1, 31, 23, 59)},  # 15:59 UTC on Jan 31
        {"order": 3, "amount_fen": 300 * YUAN, "placed_at": local(2026, 2, 1, 0, 1)},  # 16:01 UTC on Jan 31
    ])
    january = settle_all(rule, book.within(*bounds(JANUARY)))
    february = settle_all(rule, book.within(*bounds(FEBRUARY)))
    assert [(o.volume, o.amount_fen) for o in january.outcomes] == [(Decimal(800 * YUAN), 0)]
    assert [(o.volume, o.amount_fen) for o in february.outcomes] == [(Decimal(300 * YUAN), 0)]
    assert february.order_id.tolist() == [3]
    assert settle_all(rule, book).outcomes[0].amount_fen == 55 * YUAN  # the same lines as one window


def test_scenario_5_a_rebate_on_one_category_counts_only_its_lines() -> None:
    rule = policy(tier(0, percent=2), scope=[{"fact": "category", "op": "eq", "value": "air_conditioner"}])
    scope = products_in_scope([rule], {1: {"category": "air_conditioner", "model": "AC1"},
                                       2: {"category": "washer", "model": "W1"}})[rule.id]
    invoice = lines([{"order": 1, "product": 1, "amount_fen": 600 * YUAN},
                     {"order": 1, "product": 2, "amount_fen": 400 * YUAN}])
    run = settle_all(rule, invoice, products=scope)
    (outcome,) = run.outcomes
    assert (outcome.volume, outcome.amount_fen, outcome.detail) == (Decimal(600 * YUAN), 12 * YUAN,
                                                                    "600.00 × 2% = 12.00")
    assert run.order_amount_fen.tolist() == [600 * YUAN]


# --- bases -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("case", "paid_fen", "volume_fen"), [
    ("paid in full within terms", 1_000 * YUAN, 1_000 * YUAN),
    ("half paid within terms", 500 * YUAN, 500 * YUAN),
    ("paid after its due date: the service does not count it", 0, 0),
    ("overpaid", 1_200 * YUAN, 1_000 * YUAN),
])
def test_the_paid_basis_counts_only_what_was_paid_within_terms(case: str, paid_fen: int, volume_fen: int) -> None:
    rule = policy(tier(0, percent=10), basis="paid_amount")
    order = {"order": 1, "order_total_fen": 1_000 * YUAN, "order_paid_fen": paid_fen}
    invoice = lines([{**order, "amount_fen": 600 * YUAN}, {**order, "amount_fen": 400 * YUAN}])
    (outcome,) = settle_all(rule, invoice).outcomes
    assert (outcome.volume, outcome.amount_fen) == (Decimal(volume_fen), volume_fen // 10)


def test_the_paid_basis_of_a_partly_in_scope_order_is_its_in_scope_lines_share() -> None:
    rule = policy(tier(0, percent=10), basis="paid_amount")
    invoice = lines([{"order": 1, "product": 1, "amount_fen": 600 * YUAN, "order_paid_fen": 500 * YUAN},
                     {"order": 1, "product": 2, "amount_fen": 400 * YUAN, "order_paid_fen": 500 * YUAN}])
    run = settle_all(rule, invoice, products=[1])
    assert run.outcomes[0].volume == Decimal(300 * YUAN)  # 600 of a 1,000 order half paid
    assert (run.order_amount_fen.tolist(), run.order_paid_fen.tolist()) == ([600 * YUAN], [300 * YUAN])


def test_the_quantity_basis_counts_units() -> None:
    rule = policy(tier(10, per_unit_fen=5 * YUAN), basis="quantity")
    run = settle_all(rule, lines([{"order": 1, "amount_fen": 1, "quantity": 4},
                                  {"order": 2, "amount_fen": 1, "quantity": 8}]))
    got = [(o.volume, o.amount_fen, o.detail) for o in run.outcomes]
    assert got == [(Decimal(12), 60 * YUAN, "12 × 5.00 = 60.00")]
    assert run.order_quantity.tolist() == [4, 8]


# --- rounding and caps -----------------------------------------------------------------------
@pytest.mark.parametrize(("amount_fen", "cap_fen", "rebate_fen", "capped"), [
    (10_050, None, 503, False),  # 502.5 rounds half up
    (10_049, None, 502, False),
    (100_000 * YUAN, 3_000 * YUAN, 3_000 * YUAN, True),
    (60_000 * YUAN, 3_000 * YUAN, 3_000 * YUAN, False),  # exactly at the cap
    (10_050, 503, 503, False),  # the cap applies after rounding
])
def test_the_amount_is_rounded_half_up_then_capped(amount_fen: int, cap_fen: int | None, rebate_fen: int,
                                                   capped: bool) -> None:
    rule = policy(tier(0, percent=5), cap_fen=cap_fen)
    (outcome,) = settle_all(rule, lines([{"order": 1, "amount_fen": amount_fen}])).outcomes
    assert (outcome.amount_fen, outcome.capped) == (rebate_fen, capped)
    assert ("capped at" in outcome.reason) is capped


# --- eligibility, targets, growth --------------------------------------------------------------
STANDING = [{"fact": "overdue_fen", "op": "lte", "value": 0}, {"fact": "price_violations", "op": "eq", "value": 0},
            {"fact": "channel_type", "op": "eq", "value": "agent"}]


def test_dealers_with_overdue_receivables_or_price_violations_are_near_misses_with_a_reason() -> None:
    rule = policy(tier(0, percent=5), eligibility=STANDING)
    dealers = {1: {"channel_type": "agent"},
               2: {"channel_type": "agent", "overdue_fen": 12_000 * YUAN},
               3: {"channel_type": "agent", "price_violations": 2},
               4: {"channel_type": "retail", "overdue_fen": 5},  # not in the policy's scope: silent
               5: {"channel_type": "agent"}}  # eligible, but bought nothing in scope
    verdict = dealer_eligibility([rule], dealers)[rule.id]
    book = lines([{"order": n, "dealer": n, "amount_fen": 1_000 * YUAN} for n in (1, 2, 3, 4)])
    run = settle_policy(rule, REF, book, None, verdict, frozenset({1}), {})
    got = [(o.dealer_id, o.eligible, o.measure, o.amount_fen, o.reason) for o in run.outcomes]
    assert got == [
        (1, True, Decimal(1_000 * YUAN), 50 * YUAN, ""),
        (2, False, Decimal(1_000 * YUAN), 0, "not eligible: overdue_fen 1200000 must be lte 0"),
        (3, False, Decimal(1_000 * YUAN), 0, "not eligible: price_violations 2 must be eq 0"),
    ]
    assert run.order_dealer.tolist() == [1, 2, 3]  # dealer 4's orders are nobody's statement


def test_a_target_policy_without_the_dealers_target_is_not_eligible() -> None:
    rule = policy(tier(100, amount_fen=1_000 * YUAN), measure="target_percent")
    book = lines([{"order": 1, "dealer": 1, "amount_fen": 5}, {"order": 2, "dealer": 2, "amount_fen": 5}])
    run = settle_all(rule, book, targets={2: 5})
    assert [(o.dealer_id, o.eligible, o.amount_fen, o.reason) for o in run.outcomes] == [
        (1, False, 0, "no sales target"), (2, True, 1_000 * YUAN, "")]


def test_growth_is_measured_on_last_years_in_scope_lines_of_the_same_period() -> None:
    rule = policy(tier(20, percent=3), measure="growth_percent")
    now = lines([{"order": 1, "dealer": 1, "amount_fen": 1_300 * YUAN},
                 {"order": 2, "dealer": 2, "amount_fen": 900 * YUAN},
                 {"order": 3, "dealer": 3, "amount_fen": 100 * YUAN}])
    before = lines([{"order": 91, "dealer": 1, "amount_fen": 1_000 * YUAN},
                    {"order": 92, "dealer": 1, "product": 9, "amount_fen": 5_000 * YUAN},  # out of scope
                    {"order": 93, "dealer": 2, "amount_fen": 1_000 * YUAN}])
    run = settle_all(rule, now, products=[1], last_year=before)
    assert [(o.dealer_id, o.measure, o.amount_fen, o.reason) for o in run.outcomes] == [
        (1, Decimal(30), 39 * YUAN, ""),
        (2, Decimal(-10), 0, "below the first tier: -10% < 20%"),
        (3, Decimal(0), 0, "no volume in the same period last year"),
    ]


def test_order_detail_sums_each_orders_in_scope_lines_sorted_by_dealer_and_order() -> None:
    rule = policy(tier(0, percent=1))
    book = lines([{"order": 9, "dealer": 2, "amount_fen": 5, "quantity": 2},
                  {"order": 3, "dealer": 1, "amount_fen": 7},
                  {"order": 9, "dealer": 2, "amount_fen": 6, "quantity": 3},
                  {"order": 1, "dealer": 2, "amount_fen": 1}])
    run = settle_all(rule, book)
    assert list(zip(run.order_dealer.tolist(), run.order_id.tolist(), run.order_amount_fen.tolist(),
                    run.order_quantity.tolist())) == [(1, 3, 7, 1), (2, 1, 1, 1), (2, 9, 11, 5)]


def test_an_empty_window_settles_to_nothing() -> None:
    run = settle_all(policy(tier(0, percent=1)), OrderLines.empty())
    assert run.outcomes == () and len(run.order_id) == 0


# --- property: the numpy aggregation against a plain per-line reference -------------------------
@st.composite
def books(draw: st.DrawFn) -> dict[str, Any]:
    rows: list[dict[str, int]] = []
    for order in range(draw(st.integers(0, 12))):
        dealer = draw(st.integers(1, 4))
        amounts_ = draw(st.lists(st.integers(0, 5_000).map(lambda n: n * 10) | st.integers(0, 50_000), min_size=1,
                                 max_size=4))  # multiples of 10 fen: half fens at 5%
        total = sum(amounts_) + draw(st.sampled_from([0, 0, 1, 999]))
        paid = draw(st.integers(-10, total + 500))
        rows += [{"order": 100 + order, "dealer": dealer, "product": draw(st.integers(1, 5)), "amount_fen": a,
                  "quantity": draw(st.integers(0, 9)), "order_total_fen": total, "order_paid_fen": paid}
                 for a in amounts_]
    basis = draw(st.sampled_from(["purchase_amount", "paid_amount", "quantity"]))
    mode = draw(st.sampled_from(["retroactive", "marginal"]))
    steps = draw(st.lists(st.integers(1, 40_000 if basis != "quantity" else 12), min_size=1, max_size=4))
    start = draw(st.integers(0, 5_000 if basis != "quantity" else 3))
    thresholds = [start + sum(steps[:k]) for k in range(len(steps))]
    percents = st.sampled_from(["5", "2.5", "0.5"]) | st.decimals("0.01", "30", places=2).map(str)  # halves of a fen
    rewards = [{"percent": draw(percents)} if basis != "quantity"
               else {"per_unit_fen": draw(st.integers(1, 999))} for _ in thresholds]
    if mode == "retroactive" and draw(st.booleans()):
        rewards[-1] = {"amount_fen": draw(st.integers(0, 10**6))}
    rule = policy(*(tier(t, **r) for t, r in zip(thresholds, rewards)), basis=basis, mode=mode,
                  cap_fen=draw(st.none() | st.integers(0, 3_000)),
                  up_to=(thresholds[-1] + draw(st.integers(1, 30_000))) if mode == "marginal" and draw(st.booleans())
                  else None)
    dealers = draw(st.lists(st.sampled_from(["eligible", "eligible", "near", "out"]), min_size=4, max_size=4))
    return {"rows": rows, "rule": rule, "scope": draw(st.frozensets(st.integers(1, 5))), "standing": dealers}


def reference(rule: RebatePolicy, rows: list[dict[str, int]], scope: frozenset[int], standing: list[str]
              ) -> tuple[dict[int, tuple[int, int | None, int]], list[tuple[int, int, int, int, int]]]:
    """Per dealer (volume, tier, amount) and per (dealer, order) sums, line by line in Python."""
    per_order: dict[tuple[int, int], list[int]] = {}
    for row in rows:
        if row["product"] not in scope:
            continue
        total, paid = row["order_total_fen"], max(0, min(row["order_paid_fen"], row["order_total_fen"]))
        share = row["amount_fen"] * paid // total if total > 0 else 0
        sums = per_order.setdefault((row["dealer"], row["order"]), [0, 0, 0])
        sums[0] += row["amount_fen"]
        sums[1] += share
        sums[2] += row["quantity"]
    column = {"purchase_amount": 0, "paid_amount": 1, "quantity": 2}[rule.basis.value]
    volumes: dict[int, int] = {}
    for (dealer, _), sums in per_order.items():
        volumes[dealer] = volumes.get(dealer, 0) + sums[column]
    outcomes: dict[int, tuple[int, int | None, int]] = {}
    for dealer, volume in volumes.items():
        if standing[dealer - 1] == "near":
            outcomes[dealer] = (volume, None, 0)
        elif standing[dealer - 1] == "eligible":
            outcomes[dealer] = (volume, *reference_reward(rule, volume))
    kept = sorted((d, o, *s) for (d, o), s in per_order.items() if d in outcomes)
    return outcomes, kept


def reference_reward(rule: RebatePolicy, volume: int) -> tuple[int | None, int]:
    tiers = [(Fraction(t.at_least), t) for t in rule.tiers]
    reached = [k for k, (low, _) in enumerate(tiers) if low <= volume]
    if not reached:
        return None, 0

    def earn(t: Any, part: Fraction) -> Fraction:
        if t.amount_fen is not None:
            return Fraction(t.amount_fen)
        if t.percent is not None:
            return part * Fraction(t.percent) / 100
        return part * t.per_unit_fen

    if rule.mode.value == "retroactive":
        raw = earn(tiers[reached[-1]][1], Fraction(volume))
    else:
        raw = Fraction(0)
        for k in reached:
            end = tiers[k + 1][0] if k + 1 < len(tiers) else (Fraction(rule.up_to) if rule.up_to is not None else None)
            top = Fraction(volume) if end is None else min(Fraction(volume), end)
            if top > tiers[k][0]:
                raw += earn(tiers[k][1], top - tiers[k][0])
    rounded = int(raw + Fraction(1, 2)) if raw >= 0 else -int(-raw + Fraction(1, 2))
    if rule.cap_fen is not None:
        rounded = min(rounded, rule.cap_fen)
    return reached[-1], rounded


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(books())
def test_settle_policy_agrees_with_a_per_line_reference(case: dict[str, Any]) -> None:
    rule, rows, scope, standing = case["rule"], case["rows"], case["scope"], case["standing"]
    eligibility = Eligibility(frozenset(d for d in range(1, 5) if standing[d - 1] == "eligible"),
                              {d: "price_violations 1 must be eq 0" for d in range(1, 5) if standing[d - 1] == "near"})
    book = lines(rows) if rows else OrderLines.empty()
    run = settle_policy(rule, REF, book, None, eligibility, scope, {})
    want, orders = reference(rule, rows, scope, standing)
    assert {o.dealer_id: (int(o.volume), o.tier_index, o.amount_fen) for o in run.outcomes} == want
    assert [o.dealer_id for o in run.outcomes] == sorted(want)
    got_orders = list(zip(*(c.tolist() for c in (run.order_dealer, run.order_id, run.order_amount_fen,
                                                  run.order_paid_fen, run.order_quantity))))
    assert got_orders == orders
    assert all(isinstance(c, np.ndarray) for c in (run.order_dealer, run.order_paid_fen))
