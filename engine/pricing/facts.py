"""The facts each pricing stage is evaluated on, from the input and the running prices.

Every fact carries the quote's context (who, where, when) and the order's aggregates at the
stage's input prices; a line fact adds the product, the line and its category's totals across
lines ("mixed" thresholds: two lines of one category count together).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from schemas.pricing import PricedLineInput, PricingInput


def context_facts(data: PricingInput) -> dict[str, Any]:
    """The facts common to every fact of the quote: buyer, place, moment, coupons."""
    local = data.at.astimezone(ZoneInfo(data.time_zone))
    buyer = data.buyer
    return {
        "channel_type": buyer.channel_type,
        "cooperation_level": buyer.cooperation_level,
        "dealer": buyer.dealer,
        "dealer_ancestors": list(buyer.dealer_ancestors),
        "region": buyer.region,
        "store": buyer.store,
        "member_tier": buyer.member_tier,
        "member_tags": list(buyer.member_tags),
        "is_member": bool(buyer.member_no),
        "birthday_month": buyer.birthday_month is not None and buyer.birthday_month == local.month,
        "coupon_campaigns": sorted({c.campaign for c in data.coupons if c.usable and c.campaign}),
        "date": local.year * 10_000 + local.month * 100 + local.day,
        "weekday": local.isoweekday(),
        "hour": local.hour,
        "at": int(data.at.timestamp()),
    }


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def order_context(context: dict[str, Any], lines: Sequence[PricedLineInput]) -> dict[str, Any]:
    """Context plus what the order holds: the same at every stage (computed once per quote)."""
    return {
        **context,
        "order_quantity": sum(line.quantity for line in lines),
        "order_models": sorted({line.model for line in lines}),
        "order_categories": sorted({line.category for line in lines}),
    }


def order_facts(order: dict[str, Any], amounts: Sequence[int]) -> dict[str, Any]:
    """The order context (`order_context`) with its amount at `amounts` (fen, the stage's input)."""
    return {**order, "order_amount_fen": sum(amounts)}


def line_facts(
    order: dict[str, Any], lines: Sequence[PricedLineInput], unit_prices: Sequence[int]
) -> list[dict[str, Any]]:
    """One fact per line, priced at `unit_prices` (fen): the stage's input."""
    amounts = [line.quantity * price for line, price in zip(lines, unit_prices, strict=True)]
    category_quantity: dict[str, int] = {}
    category_amount: dict[str, int] = {}
    for line, amount in zip(lines, amounts, strict=True):
        category_quantity[line.category] = category_quantity.get(line.category, 0) + line.quantity
        category_amount[line.category] = category_amount.get(line.category, 0) + amount
    facts = []
    for line, price, amount in zip(lines, unit_prices, amounts, strict=True):
        # A copy of the order's facts, then the line's one by one: `{**order, …}` took twice as long.
        fact = order.copy()
        category = line.category
        fact["model"] = line.model
        fact["category"] = category
        fact["brand"] = line.brand
        fact["quantity"] = line.quantity
        fact["amount_fen"] = amount
        fact["unit_price_fen"] = price
        fact["list_price_fen"] = line.list_price_fen
        fact["category_quantity"] = category_quantity[category]
        fact["category_amount_fen"] = category_amount[category]
        facts.append(fact)
    return facts
