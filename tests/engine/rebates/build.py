"""Builders for the settlement core's tests: policies from short keyword arguments, order lines
from readable rows, and a settlement of one policy where every dealer is eligible."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from engine.clock import BRAND_TZ
from engine.rebates import Eligibility, OrderLines, PolicyRun, settle_policy
from schemas.rebates import RebatePolicy
from schemas.rules import VersionRef

REF = VersionRef(rule_set="dealer-rebates", version=3, digest="d" * 20)
YUAN = 100  # fen


def policy(*tiers: dict[str, Any], **fields: Any) -> RebatePolicy:
    """A monthly policy with these tiers; `fields` override any other field."""
    return RebatePolicy.model_validate({"id": "rebate", "name": "Rebate", "period": "month", "tiers": list(tiers),
                                        **fields})


def tier(at_least: Any, **reward: Any) -> dict[str, Any]:
    return {"at_least": at_least, **reward}


def local(*parts: int) -> datetime:
    """A moment on the brand's wall clock."""
    return datetime(*parts, tzinfo=BRAND_TZ)  # type: ignore[misc]


def lines(rows: Sequence[Mapping[str, Any]]) -> OrderLines:
    """Order lines from rows of dealer, order, product, amount_fen and optionally quantity,
    placed_at (an aware datetime), order_total_fen and order_paid_fen."""
    at = local(2026, 1, 15, 12)
    return OrderLines.from_columns(
        order_id=[r["order"] for r in rows],
        dealer_id=[r.get("dealer", 1) for r in rows],
        product_id=[r.get("product", 1) for r in rows],
        placed_at=[int(r.get("placed_at", at).timestamp()) for r in rows],
        quantity=[r.get("quantity", 1) for r in rows],
        amount_fen=[r["amount_fen"] for r in rows],
        **({"order_total_fen": [r["order_total_fen"] for r in rows]} if rows and "order_total_fen" in rows[0] else {}),
        **({"order_paid_fen": [r["order_paid_fen"] for r in rows]} if rows and "order_paid_fen" in rows[0] else {}),
    )


def settle_all(rule: RebatePolicy, window: OrderLines, *, products: Sequence[int] | None = None,
               targets: Mapping[int, int] | None = None, last_year: OrderLines | None = None) -> PolicyRun:
    """Settle with every dealer of the window eligible and every product (or `products`) in scope."""
    dealers = frozenset(int(d) for d in window.dealer_id)
    scope = frozenset(int(p) for p in window.product_id) if products is None else frozenset(products)
    return settle_policy(rule, REF, window, last_year, Eligibility(dealers, {}), scope, targets or {})


def amounts(run: PolicyRun) -> dict[int, int]:
    return {o.dealer_id: o.amount_fen for o in run.outcomes}
