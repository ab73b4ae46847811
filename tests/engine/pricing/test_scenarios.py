"""The issue's acceptance scenarios 1–9 as readable rows, on the real rules engine."""

from __future__ import annotations

import pytest

from engine.pricing import find_conflicts
from schemas.pricing import Buyer, CouponState, PricingDocument
from schemas.rules import TraceOutcome, TraceReason, VersionRef
from tests.engine.pricing.build import finals, lines, pct, quote, rule, rules_of

AGENT = ("channel_type", "eq", "agent")
CITY = Buyer(channel_type="agent", cooperation_level="city_agent", dealer="D-CITY")
PROVINCIAL = Buyer(channel_type="agent", cooperation_level="provincial_agent", dealer="D-PROV")
RETAILER = Buyer(channel_type="direct_retailer", cooperation_level="retailer", dealer="D-RET")

ITEM_BEATS_CATEGORY = rules_of(
    rule("item-10", "promotion", pct(10), ("model", "eq", "AC1"), priority=20, stacking="exclusive"),
    rule("ac-15", "promotion", pct(15), ("category", "eq", "air_conditioner"), priority=10, stacking="exclusive"),
)
TWO_PRIORITIES = rules_of(
    rule("high", "promotion", pct(5), priority=20, stacking="exclusive"),
    rule("low", "promotion", pct(25), priority=10, stacking="exclusive"),
)
ADDITIVE = rules_of(rule("a", "promotion", pct(20), priority=2), rule("b", "promotion", pct(10), priority=1))
COMPOUNDING = rules_of(
    rule("a", "promotion", pct(20), priority=2, combine="compounding"),
    rule("b", "promotion", pct(10), priority=1, combine="compounding"),
)
PERCENT_AND_AMOUNT = rules_of(
    rule("ten", "promotion", pct(10)), rule("hundred", "promotion", {"kind": "amount_off", "amount_fen": 100_00})
)
BOTH_NEED_FOUR = rules_of(
    rule("a", "promotion", pct(20), ("quantity", "gte", 4)), rule("b", "promotion", pct(10), ("quantity", "gte", 4))
)
BUY_2_GET_1 = rules_of(
    rule("b2g1", "promotion", {"kind": "buy_get", "buy": 2, "get": 1, "minimum_quantity": 3, "maximum_quantity": 7})
)
GIFT_FROM_5 = rules_of(
    rule("gift", "order", {"kind": "gift", "model": "GIFT-KETTLE", "unit_price_fen": 10_00},
         ("order_quantity", "gte", 5), AGENT, stacking="stackable")
)
COUPON_30 = rules_of(rule("c30", "coupon", {"kind": "order_percent_off", "percent": "30"}, coupon="c30"))
TIERS = rules_of(
    rule("city", "tier", {"kind": "percent_of_list", "percent": "92"}, ("cooperation_level", "eq", "city_agent")),
    rule("provincial", "tier", {"kind": "fixed_price", "price_fen": 2600_00}, ("cooperation_level", "eq", "provincial_agent")),
    rule("agents-5", "promotion", pct(5), AGENT),
)


@pytest.mark.parametrize(
    ("rules", "items", "buyer", "expected"),
    [
        pytest.param(ITEM_BEATS_CATEGORY, lines(("AC1", 1, 1000), ("AC2", 1, 1000)), None, [900, 850], id="1-item-10-beats-category-15"),
        pytest.param(TWO_PRIORITIES, lines(("TV1", 1, 1000)), None, [950], id="2-higher-priority-wins"),
        pytest.param(ADDITIVE, lines(("TV1", 1, 1000)), None, [700], id="3-additive-20-10-is-30"),
        pytest.param(COMPOUNDING, lines(("TV1", 1, 1000)), None, [720], id="3-compounding-20-10-is-28"),
        pytest.param(PERCENT_AND_AMOUNT, lines(("TV1", 1, 1000)), None, [800], id="4-10pct-plus-100-on-1000"),
        pytest.param(BOTH_NEED_FOUR, lines(("TV1", 1, 1000)), None, [1000], id="5-qty-1-no-discount"),
        pytest.param(BOTH_NEED_FOUR, lines(("TV1", 5, 1000)), None, [3500], id="5-qty-5-30pct"),
        pytest.param(TIERS, lines(("TV1", 1, 3000)), Buyer(channel_type="direct_retailer"), [3000], id="9-no-tier-list-price"),
        pytest.param(TIERS, lines(("TV1", 1, 3000)), CITY, [2622], id="9-city-2760-then-5pct"),
        pytest.param(TIERS, lines(("TV1", 1, 3000)), PROVINCIAL, [2470], id="9-provincial-2600-then-5pct"),
    ],
)
def test_line_pricing_scenarios(rules, items, buyer, expected) -> None:  # type: ignore[no-untyped-def]
    assert finals(quote(rules, items, buyer)) == expected


def test_tier_prices_are_reported_before_promotions() -> None:
    city = quote(TIERS, lines(("TV1", 1, 3000)), CITY).lines[0]
    provincial = quote(TIERS, lines(("TV1", 1, 3000)), PROVINCIAL).lines[0]

    assert (city.list_price_fen, city.tier_price_fen) == (3000_00, 2760_00)
    assert provincial.tier_price_fen == 2600_00


def test_quantity_short_rules_are_near_misses_with_a_hint() -> None:
    q = quote(BOTH_NEED_FOUR, lines(("TV1", 1, 1000)))

    misses = [t for t in q.trace if t.outcome is TraceOutcome.NOT_APPLIED]
    assert {t.rule_id for t in misses} == {"a", "b"}
    assert all(t.reason is TraceReason.CONDITION_FAILED and t.hint == "buy 3 more" for t in misses)


def test_lower_priority_exclusive_rule_is_traced_as_lost() -> None:
    q = quote(TWO_PRIORITIES, lines(("TV1", 1, 1000)))

    low = next(t for t in q.trace if t.rule_id == "low")
    assert (low.outcome, low.reason) == (TraceOutcome.NOT_APPLIED, TraceReason.LOST_TO_PRIORITY)


@pytest.mark.parametrize(("bought", "free"), [(2, 0), (3, 1), (5, 2), (7, 3), (9, 3)])
def test_buy_2_get_1_from_3_counting_at_most_7(bought: int, free: int) -> None:
    q = quote(BUY_2_GET_1, lines(("TV1", bought, 100)))

    assert sum(line.quantity for line in q.lines if line.kind == "free") == free
    assert finals(q) == [bought * 100]


def test_buy_2_below_the_minimum_hints_what_is_missing() -> None:
    q = quote(BUY_2_GET_1, lines(("TV1", 2, 100)))

    assert [t.hint for t in q.trace] == ["buy 1 more to get 1 free"]


@pytest.mark.parametrize(
    ("buyer", "quantity", "gifts"),
    [(CITY, 5, 1), (CITY, 2, 0), (RETAILER, 5, 0)],
    ids=["agent-qty-5-gift", "agent-qty-2-none", "other-channel-none"],
)
def test_gift_line_priced_10_from_order_quantity_5_for_agents(buyer: Buyer, quantity: int, gifts: int) -> None:
    q = quote(GIFT_FROM_5, lines(("TV1", quantity, 100)), buyer)

    gift_lines = [line for line in q.lines if line.kind == "gift"]
    assert len(gift_lines) == gifts
    if gifts:
        assert gift_lines[0].final_amount_fen == 10_00
        assert q.totals.final_amount_fen == quantity * 100_00 + 10_00


def test_coupon_30_pct_with_a_usable_code() -> None:
    q = quote(COUPON_30, lines(("TV1", 1, 5000)), coupons=(CouponState(code="SPRING30", campaign="c30", usable=True),))

    assert q.totals.final_amount_fen == 3500_00
    assert q.coupons_applied == ("SPRING30",)


def test_coupon_used_up_gives_nothing_and_says_why() -> None:
    used = CouponState(code="SPRING30", campaign="c30", usable=False, reason="used 1 of 1 times")
    q = quote(COUPON_30, lines(("TV1", 1, 5000)), coupons=(used,))

    assert q.totals.final_amount_fen == 5000_00
    assert [(t.reason, t.detail) for t in q.trace] == [(TraceReason.USAGE_EXHAUSTED, "coupon SPRING30: used 1 of 1 times")]


def test_equal_priority_exclusive_rules_conflict_at_publish() -> None:
    document = PricingDocument.model_validate({"rules": [
        rule("a", "promotion", pct(5), ("category", "eq", "tv"), priority=10, stacking="exclusive"),
        rule("b", "promotion", pct(8), ("brand", "eq", "华澜"), priority=10, stacking="exclusive"),
    ]})
    ref = VersionRef(rule_set="promo", version=1, digest="x")

    errors = find_conflicts([(ref, r) for r in document.rules])

    assert len(errors) == 1 and "promo/a and promo/b" in errors[0].message
