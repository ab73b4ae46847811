"""Stacking edges: another line unlocking a price, caps, budgets, clamping at zero, best deal,
outside the window, rounding, allocation, determinism."""

from __future__ import annotations

from datetime import timedelta

import pytest

from schemas.pricing import Buyer
from schemas.rules import TraceOutcome, TraceReason
from tests.engine.pricing.build import AT, finals, lines, pct, quote, rule, rules_of


def test_buying_a_range_hood_unlocks_a_price_on_the_tv() -> None:
    rules = rules_of(rule("bundle", "promotion", {"kind": "amount_off", "amount_fen": 100_00}, ("model", "eq", "TV1"),
                          ("order_models", "has", "H1")))

    assert finals(quote(rules, lines(("TV1", 1, 1000)))) == [1000]
    assert finals(quote(rules, lines(("TV1", 1, 1000), ("H1", 1, 2000)))) == [900, 2000]


def test_a_cap_limits_a_rule_over_the_whole_quote() -> None:
    rules = rules_of(rule("capped", "promotion", pct(50), cap_fen=300_00))

    q = quote(rules, lines(("TV1", 1, 400), ("AC1", 1, 400)))

    assert finals(q) == [200, 300]
    reasons = [t.reason for t in q.trace if t.rule_id == "capped"]
    assert reasons == [None, TraceReason.CAPPED]


def test_a_budget_left_limits_then_exhausts() -> None:
    rules = rules_of(rule("budgeted", "promotion", {"kind": "amount_off", "amount_fen": 100_00}, budget_fen=10_000_00))

    partial = quote(rules, lines(("TV1", 1, 1000)), budget={"promo/budgeted": 40_00})
    none = quote(rules, lines(("TV1", 1, 1000)), budget={"promo/budgeted": 0})

    assert finals(partial) == [960] and partial.trace[0].reason is TraceReason.BUDGET_EXHAUSTED
    assert finals(none) == [1000] and none.trace[0].outcome is TraceOutcome.NOT_APPLIED


def test_no_line_and_no_order_goes_below_zero() -> None:
    rules = rules_of(
        rule("big", "promotion", {"kind": "amount_off", "amount_fen": 800_00}),
        rule("bigger", "promotion", {"kind": "amount_off", "amount_fen": 800_00}),
        rule("order", "order", {"kind": "order_amount_off", "amount_fen": 5000_00}),
    )

    q = quote(rules, lines(("TV1", 1, 1000)))

    assert finals(q) == [0] and q.totals.final_amount_fen == 0
    assert [t.reason for t in q.trace if t.rule_id == "order"] == [TraceReason.NOTHING_TO_DISCOUNT]


def test_order_discounts_pick_the_best_deal_by_default() -> None:
    rules = rules_of(
        rule("fixed", "order", {"kind": "order_amount_off", "amount_fen": 500_00}),
        rule("pct", "order", {"kind": "order_percent_off", "percent": "3"}),
    )

    small = quote(rules, lines(("TV1", 1, 10_000)))
    large = quote(rules, lines(("TV1", 1, 20_000)))

    assert small.totals.order_discount_fen == 500_00 and large.totals.order_discount_fen == 600_00
    assert [t.reason for t in large.trace if t.outcome is TraceOutcome.NOT_APPLIED] == [TraceReason.NOT_BEST_DEAL]


def test_order_discount_allocations_sum_exactly_to_the_discount() -> None:
    rules = rules_of(rule("third", "order", {"kind": "order_amount_off", "amount_fen": 100_00}))

    q = quote(rules, lines(("TV1", 1, 333), ("AC1", 1, 333), ("W1", 1, 334)))  # pro rata to ¥333, ¥333, ¥334

    shares = [sum(d.amount_fen for d in line.discounts) for line in q.lines]
    assert shares == [33_30, 33_30, 33_40] and sum(shares) == 100_00


def test_a_rule_outside_its_window_is_traced_as_such() -> None:
    window = {"valid_from": (AT + timedelta(days=1)).isoformat()}
    rules = rules_of(rule("tomorrow", "promotion", pct(10), window=window))

    q = quote(rules, lines(("TV1", 1, 1000)))

    assert finals(q) == [1000]
    assert [(t.rule_id, t.reason) for t in q.trace] == [("tomorrow", TraceReason.OUTSIDE_WINDOW)]


@pytest.mark.parametrize(("rounding", "expected"), [("half_up", 6667), ("down", 6666), ("up", 6667)])
def test_rounding_is_the_rules_own(rounding: str, expected: int) -> None:
    rules = rules_of(rule("third", "promotion", pct("33.3333"), rounding=rounding))

    q = quote(rules, lines(("TV1", 1, 200)))  # 33.3333% of ¥200.00 = ¥66.66666

    assert q.lines[0].discounts[0].amount_fen == expected


def test_member_price_applies_to_members_only() -> None:
    rules = rules_of(rule("gold", "member", pct(5), ("is_member", "eq", True), ("member_tier", "eq", "gold")))

    member = quote(rules, lines(("TV1", 1, 1000)), Buyer(member_no="M1", member_tier="gold"))
    walk_in = quote(rules, lines(("TV1", 1, 1000)))

    assert (finals(member), member.lines[0].member_price_fen) == ([950], 950_00)
    assert finals(walk_in) == [1000]


def test_same_input_same_quote() -> None:
    rules = rules_of(
        rule("a", "promotion", pct(7), ("category", "eq", "tv")),
        rule("b", "order", {"kind": "order_percent_off", "percent": "2.5"}),
        rule("c", "promotion", {"kind": "buy_get", "buy": 3, "get": 1}),
    )
    items = lines(("TV1", 4, 999), ("AC1", 2, 3333), ("W1", 7, 1234))

    assert quote(rules, items) == quote(rules, items)
