"""The order stages: order-level discounts and gifts on the amount after line promotions, then
coupons on the amount after those; every discount is allocated to the sale lines pro rata."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.pricing import explain
from engine.pricing.compile import RuleRef
from engine.pricing.limits import Limits
from engine.pricing.lines import ExtraLine
from engine.pricing.money import allocate, percent_fen
from engine.pricing.stacking import resolve
from schemas.pricing import (
    AmountOff,
    Combine,
    Gift,
    OrderAmountOff,
    OrderPercentOff,
    PercentOff,
    PointsAward,
)
from schemas.rules import TraceEntry, TraceReason

PERCENTS = (OrderPercentOff, PercentOff)  # a coupon's percent_off is a percentage of the order
AMOUNTS = (OrderAmountOff, AmountOff)


@dataclass(frozen=True)
class OrderOutcome:
    discounts: list[tuple[RuleRef, list[int]]]  # per rule, its share on each sale line
    points: int


def apply_order_rules(matches: Sequence[RuleRef], amounts: Sequence[int], limits: Limits, extras: list[ExtraLine],
                      once: set[str], trace: list[TraceEntry]) -> OrderOutcome:
    """Resolve and apply the order-level rules that matched, on sale lines at `amounts`."""
    base = sum(amounts)
    winners, refused = resolve(matches, lambda ref: _alone(ref, base))
    for refusal in refused:
        trace.append(explain.not_applied(refusal.ref, None, refusal.reason, refusal.detail))
    discounts: list[tuple[RuleRef, list[int]]] = []
    remaining = base
    points = 0
    current = list(amounts)  # what each line still costs after the discounts so far
    for ref, wanted in _discounts(winners, base):
        if remaining <= 0:
            trace.append(explain.not_applied(ref, None, TraceReason.NOTHING_TO_DISCOUNT, "the order is at zero"))
            continue
        granted, reason = limits.grant(ref, min(wanted, remaining))
        if granted <= 0:
            trace.append(explain.not_applied(ref, None, reason or TraceReason.NOTHING_TO_DISCOUNT,
                                             "its cap or budget is used up"))
            continue
        # Pro rata to what each line still costs, so no line goes below zero.
        shares = allocate(granted, current)
        discounts.append((ref, shares))
        current = [a - share for a, share in zip(current, shares, strict=True)]
        remaining -= granted
        trace.append(explain.applied(ref, None, granted, reason=reason))
    for ref in winners:
        action = ref.rule.action
        if isinstance(action, Gift) and ref.key not in once:
            once.add(ref.key)
            extras.append(ExtraLine(ref, "gift", action.model, action.quantity, action.unit_price_fen, 0, action.name))
            trace.append(explain.applied(ref, None, 0, f"gift {action.quantity} × {action.model}"))
        elif isinstance(action, PointsAward) and ref.key not in once:
            once.add(ref.key)
            points += action.points
            trace.append(explain.applied(ref, None, action.points, f"{action.points} points"))
    return OrderOutcome(discounts, points)


def _discounts(rules: Sequence[RuleRef], base: int) -> list[tuple[RuleRef, int]]:
    """Additive percentages on the stage's base, compounding ones on the running amount,
    amounts off last — as on lines."""
    out: list[tuple[RuleRef, int]] = []
    running = base
    percents = [r for r in rules if isinstance(r.rule.action, PERCENTS)]
    for combine in (Combine.ADDITIVE, Combine.COMPOUNDING):
        for ref in [r for r in percents if r.rule.combine is combine]:
            on = base if combine is Combine.ADDITIVE else max(running, 0)
            amount = percent_fen(on, ref.rule.action.percent, ref.rule.rounding)  # type: ignore[union-attr]
            out.append((ref, amount))
            running -= amount
    for ref in [r for r in rules if isinstance(r.rule.action, AMOUNTS)]:
        out.append((ref, ref.rule.action.amount_fen))  # type: ignore[union-attr]
    return out


def _alone(ref: RuleRef, base: int) -> int:
    """What a rule would give on its own, its cap included: the best deal is the one paid out."""
    amount = sum(a for _, a in _discounts([ref], base))
    return amount if ref.rule.cap_fen is None else min(amount, ref.rule.cap_fen)
