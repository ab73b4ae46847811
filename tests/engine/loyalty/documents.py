"""The loyalty document the tests earn under: 1 point per 1,000 yuan paid, air conditioners 2×,
washers 1.5×, a birthday-month bonus, two activities, 30-day expiry, tiers from 10,000 yuan."""

from __future__ import annotations

from typing import Any

from schemas.loyalty import LoyaltyDocument


def cond(fact: str, op: str, value: Any) -> dict[str, Any]:
    return {"fact": fact, "op": op, "value": value}


def programme(**changes: Any) -> dict[str, Any]:
    """The document as JSON (a rule-set version's body); keyword arguments replace top-level keys."""
    return {
        "earn_rules": [
            {"id": "base", "name": "1 point per ¥1,000 paid", "priority": 0, "conditions": [],
             "action": {"kind": "rate", "points": 1, "per_yuan": "1000"}},
            {"id": "ac-x2", "name": "Air conditioners earn 2×", "conditions": [cond("category", "eq", "air_conditioner")],
             "action": {"kind": "multiplier", "factor": "2"}},
            {"id": "washer-x1-5", "name": "Washers earn 1.5×", "conditions": [cond("category", "eq", "washer")],
             "action": {"kind": "multiplier", "factor": "1.5"}},
            {"id": "birthday", "name": "Birthday month: 5 bonus points", "conditions": [cond("birthday_month", "eq", True)],
             "action": {"kind": "bonus", "points": 5}},
        ],
        "activity_awards": [
            {"activity": "product_registration", "points": 3},
            {"activity": "service_review", "points": 2, "limit_per_member": 2},
        ],
        "expiry_days": 30,
        "tiers": [
            {"tier": "normal", "min_growth": 0},
            {"tier": "silver", "min_growth": 10_000},
            {"tier": "gold", "min_growth": 20_000},
            {"tier": "platinum", "min_growth": 50_000},
        ],
        "rewards": [
            {"key": "filter", "name": "空调滤网", "kind": "part", "points": 5},
            {"key": "kettle", "name": "电水壶", "kind": "gift", "points": 8},
            {"key": "deep-clean", "name": "空调深度清洗", "kind": "service", "points": 30},
        ],
        **changes,
    }


def document(**changes: Any) -> LoyaltyDocument:
    return LoyaltyDocument.model_validate(programme(**changes))
