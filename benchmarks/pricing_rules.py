"""A realistic published price document of 500 rules and 20-line quote inputs, seeded.

Six channel tiers, member prices, item promotions (some exclusive, some in exclusive groups,
quantity thresholds), category promotions by channel and category quantity, buy-N-get-M,
bundles (another line in the order), gifts, order-level thresholds (best deal) and coupon
campaigns; most rules live at the benchmark moment, some outside their window. A typical quote
has 10–30 applicable rules and some near misses.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.pricing import PricingRules, build_pricing_rules, check_document, find_conflicts
from schemas.enums import ChannelType, CooperationLevel, MemberTier, ProductCategory
from schemas.pricing import Buyer, CouponState, PricedLineInput, PricingDocument, PricingInput
from schemas.rules import VersionRef

AT = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
CATEGORIES = [c.value for c in ProductCategory]
MODELS = [f"{c[:2].upper()}-{n:03d}" for c in CATEGORIES for n in range(34)][:200]
CATEGORY_OF = {m: CATEGORIES[i // 34] for i, m in enumerate(MODELS)}
UNPROMOTED = [f"XX-{n:03d}" for n in range(30)]  # in the catalogue, in no rule
CHANNELS = [c.value for c in ChannelType]
LEVELS = [level.value for level in CooperationLevel]
REGIONS = ["110000", "310000", "440100", "440300", "330100", "510100", "420100", "320100"]


def _c(fact: str, op: str, value: Any) -> dict[str, Any]:
    return {"fact": fact, "op": op, "value": value}


def document(n: int = 500, seed: int = 7) -> PricingDocument:
    r = random.Random(seed)
    live = {"valid_from": (AT - timedelta(days=5)).isoformat(), "valid_to": (AT + timedelta(days=5)).isoformat()}
    past = {"valid_from": (AT - timedelta(days=40)).isoformat(), "valid_to": (AT - timedelta(days=10)).isoformat()}
    rules: list[dict[str, Any]] = []

    def add(stage: str, action: dict[str, Any], conditions: list[dict[str, Any]], **extra: Any) -> None:
        rules.append({"id": f"r{len(rules):04d}", "name": f"rule {len(rules)}", "stage": stage, "action": action,
                      "conditions": conditions, "window": live if r.random() < 0.9 else past,
                      # distinct priorities: no two rules that could fight share one
                      "priority": len(rules), **extra})

    for level in LEVELS:
        add("tier", {"kind": "percent_of_list", "percent": str(r.choice([82, 86, 88, 91, 94]))},
            [_c("cooperation_level", "eq", level)])
    for tier in (MemberTier.GOLD.value, MemberTier.PLATINUM.value):
        add("member", {"kind": "percent_off", "percent": "3"}, [_c("is_member", "eq", True), _c("member_tier", "eq", tier)])
    while len(rules) < n * 0.45:  # item promotions
        model = r.choice(MODELS)
        extra: dict[str, Any] = {}
        roll = r.random()
        if roll < 0.2:
            extra["stacking"] = "exclusive"
        elif roll < 0.4:
            extra["exclusive_group"] = f"g-{CATEGORY_OF[model]}"
        conditions = [_c("model", "eq", model)]
        if r.random() < 0.5:
            conditions.append(_c("quantity", "gte", r.choice([2, 3, 5, 10])))
        if r.random() < 0.4:
            conditions.append(_c("channel_type", "in", r.sample(CHANNELS, 2)))
        action = r.choice([{"kind": "percent_off", "percent": str(r.choice([3, 5, 8, 10]))},
                           {"kind": "amount_off", "amount_fen": r.choice([50_00, 100_00, 200_00])}])
        add("promotion", action, conditions, combine=r.choice(["additive", "compounding"]), **extra)
    while len(rules) < n * 0.75:  # category promotions
        conditions = [_c("category", "eq", r.choice(CATEGORIES)), _c("cooperation_level", "eq", r.choice(LEVELS))]
        if r.random() < 0.7:  # most category campaigns are regional
            conditions.append(_c("region", "eq", r.choice(REGIONS)))
        if r.random() < 0.6:
            conditions.append(_c("category_quantity", "gte", r.choice([5, 10, 20])))
        if r.random() < 0.3:
            conditions.append(_c("category_amount_fen", "gte", r.choice([20_000_00, 50_000_00])))
        add("promotion", {"kind": "percent_off", "percent": str(r.choice([2, 3, 4]))}, conditions, cap_fen=5_000_00)
    while len(rules) < n * 0.82:  # buy N get M
        add("promotion", {"kind": "buy_get", "buy": r.choice([3, 5, 10]), "get": 1, "minimum_quantity": 3,
                          "maximum_quantity": 50}, [_c("model", "eq", r.choice(MODELS))])
    while len(rules) < n * 0.9:  # bundles: a price on a model unlocked by a category in the order
        add("promotion", {"kind": "amount_off", "amount_fen": 100_00},
            [_c("model", "eq", r.choice(MODELS)), _c("order_categories", "has", r.choice(CATEGORIES))], budget_fen=10**9)
    while len(rules) < n * 0.95:  # order thresholds and gifts
        threshold = r.choice([50_000_00, 100_000_00, 200_000_00])
        if r.random() < 0.3:
            add("order", {"kind": "gift", "model": "GIFT-KETTLE", "unit_price_fen": 0},
                [_c("order_amount_fen", "gte", threshold)], stacking="stackable")
        else:
            add("order", r.choice([{"kind": "order_amount_off", "amount_fen": threshold // 50},
                                   {"kind": "order_percent_off", "percent": "2"}]),
                [_c("order_amount_fen", "gte", threshold), _c("channel_type", "eq", r.choice(CHANNELS))])
    while len(rules) < n:  # coupon campaigns
        add("coupon", {"kind": "order_amount_off", "amount_fen": 100_00}, [_c("order_amount_fen", "gte", 1_000_00)],
            coupon=f"c{len(rules)}")
    parsed = PricingDocument.model_validate({"rules": rules})
    assert check_document(parsed) == []
    return parsed


def compiled(doc: PricingDocument) -> PricingRules:
    ref = VersionRef(rule_set="season", version=1, digest=hashlib.sha256(doc.model_dump_json().encode()).hexdigest())
    assert find_conflicts([(ref, rule) for rule in doc.rules]) == []
    return build_pricing_rules([(ref, doc)])


def inputs(doc: PricingDocument, count: int = 200, lines: int = 20, seed: int = 11) -> list[PricingInput]:
    r = random.Random(seed)
    campaigns = sorted({rule.coupon for rule in doc.rules if rule.coupon})
    made = []
    for k in range(count):
        models = r.sample(MODELS, lines - 3) + r.sample(UNPROMOTED, 3)
        priced = tuple(
            PricedLineInput(line_no=i + 1, model=m, category=CATEGORY_OF.get(m, "tv"), brand="华澜",
                            quantity=r.randint(1, 12), list_price_fen=r.choice([1999, 2999, 4999, 8999]) * 100)
            for i, m in enumerate(models)
        )
        member = k % 3 == 0
        buyer = Buyer(channel_type="agent", cooperation_level="city_agent", dealer="CA01", region="310000",
                      member_no="M1" if member else "", member_tier="gold" if member else "")
        coupons = (CouponState(code="BENCH", campaign=r.choice(campaigns), usable=True),) if k % 4 == 0 else ()
        made.append(PricingInput(lines=priced, buyer=buyer, at=AT, time_zone="Asia/Shanghai", coupons=coupons))
    return made
