"""Demo rule documents: the brand's channel price tiers, a season of promotions, coupon campaigns,
the member points programme, dealer rebates and price protection, as the JSON a planner would
author (data, not code).

Windows are placed around the demo day so the promotions are live when `make run` serves.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine.demo.rows import Rows, local_instant, stamped
from schemas.enums import CooperationLevel, MemberTier, ProductCategory
from schemas.rules import RuleSetKind, RuleSetStatus

Document = dict[str, Any]

# Dealer price as a percentage of list, by cooperation level: deeper in the tree, less off.
TIER_PERCENT_OF_LIST = {
    CooperationLevel.PROVINCIAL_AGENT: 82,
    CooperationLevel.CITY_AGENT: 88,
    CooperationLevel.DISTRICT_AGENT: 91,
    CooperationLevel.KEY_ACCOUNT: 90,
    CooperationLevel.RETAILER: 94,
    CooperationLevel.ONLINE_FLAGSHIP: 93,
}


def _at(day: date, hour: int, zone: str) -> str:
    return datetime.combine(day, time(hour), ZoneInfo(zone)).isoformat()


def _cond(fact: str, op: str, value: Any) -> dict[str, Any]:
    return {"fact": fact, "op": op, "value": value}


def price_tiers() -> Document:
    """One tier rule per cooperation level, on the list price."""
    return {
        "rules": [
            {
                "id": f"tier-{level.value.replace('_', '-')}",
                "name": f"{level.value} dealer price: {percent}% of list",
                "stage": "tier",
                "priority": 10,
                "conditions": [_cond("cooperation_level", "eq", level.value)],
                "action": {"kind": "percent_of_list", "percent": str(percent)},
            }
            for level, percent in TIER_PERCENT_OF_LIST.items()
        ]
    }


def season_promotions(day: date, zone: str) -> Document:
    """Member prices, item and category promotions, buy-get, gifts, order thresholds, coupons."""
    start, end = _at(day - timedelta(days=10), 0, zone), _at(day + timedelta(days=20), 0, zone)
    window = {"valid_from": start, "valid_to": end}
    members = [_cond("is_member", "eq", True)]
    return {
        "rules": [
            {
                "id": "member-gold", "name": "Gold members: 3% off", "stage": "member", "priority": 10,
                "conditions": [*members, _cond("member_tier", "eq", MemberTier.GOLD.value)],
                "action": {"kind": "percent_off", "percent": "3"},
            },
            {
                "id": "member-platinum", "name": "Platinum members: 5% off", "stage": "member", "priority": 10,
                "conditions": [*members, _cond("member_tier", "eq", MemberTier.PLATINUM.value)],
                "action": {"kind": "percent_off", "percent": "5"},
            },
            {
                "id": "ac-season", "name": "Air conditioners: 8% off this season", "stage": "promotion",
                "priority": 20, "exclusive_group": "ac-price", "window": window,
                "conditions": [_cond("category", "eq", ProductCategory.AIR_CONDITIONER.value)],
                "action": {"kind": "percent_off", "percent": "8"},
            },
            {
                "id": "ac-bulk", "name": "Air conditioners: 12% off from 10 units (agents)", "stage": "promotion",
                "priority": 30, "exclusive_group": "ac-price", "window": window,
                "conditions": [
                    _cond("category", "eq", ProductCategory.AIR_CONDITIONER.value),
                    _cond("channel_type", "eq", "agent"),
                    _cond("category_quantity", "gte", 10),
                ],
                "action": {"kind": "percent_off", "percent": "12"},
            },
            {
                "id": "washer-buy-get", "name": "Washers: buy 5 get 1 free (up to 50 bought)",
                "stage": "promotion", "priority": 10, "window": window,
                "conditions": [_cond("category", "eq", ProductCategory.WASHER.value)],
                "action": {"kind": "buy_get", "buy": 5, "get": 1, "minimum_quantity": 5, "maximum_quantity": 50},
            },
            {
                "id": "kitchen-bundle", "name": "Water heater ¥300 off with a range hood in the order",
                "stage": "promotion", "priority": 10, "window": window,
                "conditions": [
                    _cond("category", "eq", ProductCategory.WATER_HEATER.value),
                    _cond("order_categories", "has", ProductCategory.RANGE_HOOD.value),
                ],
                "action": {"kind": "amount_off", "amount_fen": 300_00},
                "budget_fen": 2_000_000_00,
            },
            {
                "id": "tv-double-points", "name": "TVs: double points for members", "stage": "promotion",
                "priority": 10, "window": window,
                "conditions": [*members, _cond("category", "eq", ProductCategory.TV.value)],
                "action": {"kind": "points_multiplier", "factor": "2"},
            },
            {
                "id": "member-gift", "name": "A kettle for member orders of ¥8,000", "stage": "order",
                "priority": 10, "stacking": "stackable", "window": window,
                "conditions": [*members, _cond("order_amount_fen", "gte", 8_000_00)],
                "action": {"kind": "gift", "model": "GIFT-KETTLE", "name": "电水壶", "unit_price_fen": 0},
            },
            {
                "id": "order-500", "name": "¥500 off orders of ¥20,000", "stage": "order", "priority": 10,
                "window": window,
                "conditions": [_cond("order_amount_fen", "gte", 20_000_00)],
                "action": {"kind": "order_amount_off", "amount_fen": 500_00},
            },
            {
                "id": "order-3pct", "name": "3% off orders of ¥50,000", "stage": "order", "priority": 10,
                "window": window,
                "conditions": [_cond("order_amount_fen", "gte", 50_000_00)],
                "action": {"kind": "order_percent_off", "percent": "3"},
                "cap_fen": 5_000_00,
            },
            {
                "id": "coupon-welcome", "name": "Welcome coupon: ¥100 off ¥1,000", "stage": "coupon",
                "coupon": "welcome100", "priority": 10,
                "conditions": [_cond("order_amount_fen", "gte", 1_000_00)],
                "action": {"kind": "order_amount_off", "amount_fen": 100_00},
            },
            {
                "id": "coupon-vip", "name": "VIP coupon: 10% off, at most ¥800", "stage": "coupon",
                "coupon": "vip10", "priority": 10, "cap_fen": 800_00,
                "conditions": [],
                "action": {"kind": "order_percent_off", "percent": "10"},
            },
        ]
    }


def points_programme() -> Document:
    """Member points: 1 point per 10 yuan paid, category multipliers, a birthday bonus,
    activities, expiry after a year, tiers from growth value (yuan paid, lifetime)."""
    return {
        "earn_rules": [
            {"id": "base", "name": "1 point per ¥10 paid", "priority": 0, "conditions": [],
             "action": {"kind": "rate", "points": 1, "per_yuan": 10}},
            {"id": "ac-x1-5", "name": "Air conditioners earn 1.5×", "priority": 10,
             "conditions": [_cond("category", "eq", ProductCategory.AIR_CONDITIONER.value)],
             "action": {"kind": "multiplier", "factor": "1.5"}},
            {"id": "birthday", "name": "Birthday month: 200 bonus points", "priority": 10,
             "conditions": [_cond("birthday_month", "eq", True)],
             "action": {"kind": "bonus", "points": 200}},
        ],
        "activity_awards": [
            {"activity": "product_registration", "points": 50},
            {"activity": "service_review", "points": 20},
        ],
        "expiry_days": 365,
        "tiers": [
            {"tier": MemberTier.NORMAL.value, "min_growth": 0},
            {"tier": MemberTier.SILVER.value, "min_growth": 10_000},
            {"tier": MemberTier.GOLD.value, "min_growth": 20_000},
            {"tier": MemberTier.PLATINUM.value, "min_growth": 50_000},
        ],
        "rewards": [
            {"key": "kettle", "name": "电水壶", "kind": "gift", "points": 800},
            {"key": "filter", "name": "空调滤网", "kind": "part", "points": 300},
            {"key": "deep-clean", "name": "空调深度清洗", "kind": "service", "points": 1500},
        ],
    }


def channel_rebates() -> Document:
    """Dealer rebates: a quarterly purchase rebate (retroactive tiers), a monthly air-conditioner
    rebate (marginal bands), a quarterly target rebate; only for dealers without overdue
    receivables. Thresholds in fen, fitted to the demo dealers' volumes."""
    clean = [_cond("overdue_fen", "lte", 0)]
    wan = 10_000 * 100
    return {
        "policies": [
            {
                "id": "quarterly-purchase", "name": "季度进货返利：达档全额返", "period": "quarter",
                "basis": "purchase_amount", "measure": "volume", "mode": "retroactive",
                "tiers": [
                    {"at_least": 20 * wan, "percent": "1"},
                    {"at_least": 100 * wan, "percent": "1.5"},
                    {"at_least": 500 * wan, "percent": "2"},
                    {"at_least": 2_000 * wan, "percent": "2.5"},
                ],
                "eligibility": [*clean, _cond("price_violations", "lte", 0)], "settlement": "cash",
            },
            {
                "id": "monthly-ac", "name": "空调月度返利：分段累进", "period": "month",
                "basis": "purchase_amount", "measure": "volume", "mode": "marginal",
                "tiers": [
                    {"at_least": 0, "percent": "1"},
                    {"at_least": 10 * wan, "percent": "2"},
                    {"at_least": 50 * wan, "percent": "3"},
                ],
                "up_to": 300 * wan,
                "scope": [_cond("category", "eq", ProductCategory.AIR_CONDITIONER.value)],
                "eligibility": clean, "settlement": "credit",
            },
            {
                "id": "quarterly-target", "name": "季度目标达成奖", "period": "quarter",
                "basis": "purchase_amount", "measure": "target_percent", "mode": "retroactive",
                "tiers": [
                    {"at_least": 80, "percent": "0.5"},
                    {"at_least": 100, "percent": "1.5"},
                    {"at_least": 120, "percent": "2"},
                ],
                "cap_fen": 50 * wan, "eligibility": clean, "settlement": "credit",
            },
        ]
    }


def price_protection() -> Document:
    """Price protection: units received within 30 days before a dealer-price cut and still held
    are credited the difference; claims within 30 days, at most ¥200,000 per dealer and cut."""
    return {
        "policies": [
            {
                "id": "protect-30d", "name": "调价保护：30天内进货的在库库存", "window_days": 30,
                "claim_days": 30, "cap_fen": 200_000 * 100, "settlement": "credit",
            }
        ]
    }


# --- rows ------------------------------------------------------------------------------------
DEMO_COUPONS = {"welcome100": ("WELCOME-2026", 100_000), "vip10": ("VIP10-DEMO", 1)}


def rule_rows(day: date) -> tuple[Rows, Rows, Rows]:
    """Published rule sets (tiers, the season's promotions, the points programme) and coupon
    codes, as the rule-set use cases would store them: validated documents with their digests."""
    from engine.clock import BRAND_TZ
    from engine.services.rule_documents import digest, parse

    zone = str(BRAND_TZ)
    at = local_instant(day - timedelta(days=10), 9 * 60)
    sets = (
        ("channel-tiers", RuleSetKind.PRICING, "渠道价格体系", price_tiers()),
        ("season-promotions", RuleSetKind.PRICING, "当季促销与优惠券", season_promotions(day, zone)),
        ("points-programme", RuleSetKind.LOYALTY, "会员积分", points_programme()),
        ("channel-rebates", RuleSetKind.REBATE, "经销商返利政策", channel_rebates()),
        ("price-protection", RuleSetKind.PRICE_PROTECTION, "调价保护", price_protection()),
    )
    rule_sets: Rows = []
    versions: Rows = []
    for i, (key, kind, name, body) in enumerate(sets, start=1):
        document = parse(kind, body).model_dump(mode="json")
        rule_sets.append(stamped({"id": i, "key": key, "kind": kind, "name": name, "description": None,
                                  "created_by": "demo"}, at))
        versions.append(stamped({
            "id": i, "rule_set_id": i, "version": 1, "status": RuleSetStatus.PUBLISHED, "document": document,
            "digest": digest(document), "valid_from": None, "valid_to": None, "author": "demo", "note": None,
            "published_at": at, "published_by": "demo", "retired_at": None, "retired_by": None, "row_version": 1,
        }, at))
    codes: Rows = [
        stamped({"id": i, "code": code, "campaign": campaign, "usage_limit": limit, "per_member_limit": 1 if limit > 1 else None,
                 "used_count": 0, "valid_from": None, "valid_to": None, "created_by": "demo"}, at)
        for i, (campaign, (code, limit)) in enumerate(sorted(DEMO_COUPONS.items()), start=1)
    ]
    return rule_sets, versions, codes
