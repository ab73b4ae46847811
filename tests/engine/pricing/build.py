"""Small builders for pricing tests: rules as readable dicts, an input of lines and a buyer."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from engine.pricing import PricingRules, build_pricing_rules, price
from schemas.pricing import Buyer, CouponState, PricedLineInput, PricingDocument, PricingInput, Quote
from schemas.rules import VersionRef

AT = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
CATEGORY = {"AC1": "air_conditioner", "AC2": "air_conditioner", "W1": "washer", "TV1": "tv", "H1": "range_hood"}


def rule(id: str, stage: str, action: dict[str, Any], *conditions: tuple[str, str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": id, "name": id, "stage": stage, "action": action,
            "conditions": [{"fact": f, "op": op, "value": v} for f, op, v in conditions], **extra}


def pct(percent: str | int) -> dict[str, Any]:
    return {"kind": "percent_off", "percent": str(percent)}


def rules_of(*rules: dict[str, Any], rule_set: str = "promo") -> PricingRules:
    document = PricingDocument.model_validate({"rules": list(rules)})
    # The compiled rules are cached by digest: the digest must be the content's, as in the store.
    digest = hashlib.sha256(document.model_dump_json().encode()).hexdigest()
    return build_pricing_rules([(VersionRef(rule_set=rule_set, version=1, digest=digest), document)])


def lines(*items: tuple[str, int, int]) -> tuple[PricedLineInput, ...]:
    """(model, quantity, list price in yuan) per line."""
    return tuple(
        PricedLineInput(line_no=i + 1, model=m, category=CATEGORY.get(m, "tv"), brand="华澜", quantity=q,
                        list_price_fen=p * 100)
        for i, (m, q, p) in enumerate(items)
    )


def quote(rules: PricingRules, items: tuple[PricedLineInput, ...], buyer: Buyer | None = None,
          coupons: tuple[CouponState, ...] = (), budget: dict[str, int] | None = None) -> Quote:
    return price(rules, PricingInput(lines=items, buyer=buyer or Buyer(), at=AT, time_zone="Asia/Shanghai",
                                     coupons=coupons, budget_left_fen=budget or {}))


def finals(q: Quote) -> list[int]:
    """Final amounts of the sale lines, in yuan."""
    return [line.final_amount_fen // 100 for line in q.lines if line.kind == "sale"]
