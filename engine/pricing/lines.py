"""The line stages: channel tier price, member price, then line promotions (discounts,
buy-N-get-M, gifts, points)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from engine.pricing import explain
from engine.pricing.compile import RuleRef, by_priority
from engine.pricing.limits import Limits
from engine.pricing.money import percent_fen, yuan
from engine.pricing.stacking import resolve
from schemas.pricing import (
    BuyGet,
    FixedPrice,
    Gift,
    PercentOff,
    PercentOfList,
    PointsAward,
    PointsMultiplier,
    PricedLineInput,
)
from schemas.rules import TraceEntry, TraceReason

@dataclass(slots=True)
class LineState:
    """One sale line as the stages change it; amounts in fen for the whole line."""

    line: PricedLineInput
    tier_unit: int
    member_unit: int = 0
    promotions: list[tuple[RuleRef, int]] = field(default_factory=list)
    promoted: int = 0  # the promotions' sum: `promote` adds to both (`amount` is asked per rule)
    multiplier: Decimal = Decimal(1)

    @property
    def member_amount(self) -> int:
        return self.member_unit * self.line.quantity

    @property
    def amount(self) -> int:
        """After line promotions: the input of the order stages."""
        return self.member_unit * self.line.quantity - self.promoted


class ExtraLine(NamedTuple):
    """A free or gift line a rule added (a named tuple: a quote adds several, and a frozen
    dataclass is slow to build)."""

    ref: RuleRef
    kind: str  # "free" | "gift"
    model: str
    quantity: int
    unit_price_fen: int
    list_price_fen: int
    name: str | None = None


def tier_price(ref: RuleRef, list_price: int) -> int:
    action = ref.rule.action
    if isinstance(action, PercentOfList):
        return percent_fen(list_price, action.percent, ref.rule.rounding)
    assert isinstance(action, FixedPrice)
    return action.price_fen


def member_price(ref: RuleRef, base: int) -> int:
    action = ref.rule.action
    if isinstance(action, PercentOff):
        return base - percent_fen(base, action.percent, ref.rule.rounding)
    assert isinstance(action, FixedPrice)
    return min(base, action.price_fen)  # a member price never raises the price


def one_price(matches: Sequence[RuleRef], line: PricedLineInput, price_of: Callable[[RuleRef, int], int], base: int,
              trace: list[TraceEntry]) -> int:
    """TIER and MEMBER: the highest-priority matching rule sets the unit price."""
    if not matches:
        return base
    ordered = sorted(matches, key=by_priority) if len(matches) > 1 else matches
    price = max(0, price_of(ordered[0], base))
    trace.append(explain.applied(ordered[0], line.line_no, (base - price) * line.quantity,
                                 f"unit price {yuan(base)} → {yuan(price)}"))
    for ref in ordered[1:]:
        trace.append(explain.not_applied(ref, line.line_no, TraceReason.LOST_TO_PRIORITY,
                                         f"{ordered[0].key} of higher priority sets the price"))
    return price


def promote(state: LineState, matches: Sequence[RuleRef], limits: Limits, extras: list[ExtraLine],
            once: set[str], trace: list[TraceEntry]) -> int:
    """Apply the line's promotions; returns the points awarded by them (once per rule per quote)."""
    if not matches:
        return 0
    line, base = state.line, state.member_unit
    line_no, quantity = line.line_no, line.quantity
    winners, refused = resolve(matches, lambda ref: _alone(ref, base, quantity))
    for refusal in refused:
        trace.append(explain.not_applied(refusal.ref, line_no, refusal.reason, refusal.detail))
    points = 0
    price_rules = [w for w in winners if w.price_kind is not None]
    member_amount = base * quantity
    promotions, grant, entry = state.promotions, limits.grant, explain.applied
    for ref, amount in _price_discounts(price_rules, base, quantity) if price_rules else ():
        room = member_amount - state.promoted  # state.amount
        if room <= 0:
            trace.append(explain.not_applied(ref, line_no, TraceReason.NOTHING_TO_DISCOUNT, "the line is at zero"))
            continue
        granted, reason = grant(ref, min(amount, room))
        if granted <= 0:
            trace.append(explain.not_applied(ref, line_no, reason or TraceReason.NOTHING_TO_DISCOUNT,
                                             "its cap or budget is used up"))
            continue
        promotions.append((ref, granted))
        state.promoted += granted
        trace.append(entry(ref, line_no, granted, "", reason))
    if len(price_rules) == len(winners):
        return points
    for ref in winners:
        action = ref.rule.action
        if isinstance(action, BuyGet):
            _buy_get(ref, action, state, extras, trace)
        elif isinstance(action, Gift) and ref.key not in once:
            once.add(ref.key)
            extras.append(ExtraLine(ref, "gift", action.model, action.quantity, action.unit_price_fen, 0, action.name))
            trace.append(explain.applied(ref, line_no, 0, f"gift {action.quantity} × {action.model}"))
        elif isinstance(action, PointsMultiplier):
            state.multiplier = max(state.multiplier, action.factor)  # the highest multiplier, not a product
            trace.append(explain.applied(ref, line_no, 0, f"points × {action.factor}"))
        elif isinstance(action, PointsAward) and ref.key not in once:
            once.add(ref.key)
            points += action.points
            trace.append(explain.applied(ref, line_no, action.points, f"{action.points} points"))
    return points


def _price_discounts(rules: Sequence[RuleRef], base: int, quantity: int) -> list[tuple[RuleRef, int]]:
    """Each price rule's discount on the line, in fen: a fixed price first (the highest-priority
    one sets the base), then additive percentages on that base, compounding ones on the running
    amount, amounts off last."""
    if len(rules) == 1:  # the usual case: one rule, on its own
        return [(rules[0], _discount_alone(rules[0], base, quantity))]
    fixed: RuleRef | None = None
    additive: list[RuleRef] = []
    compounding: list[RuleRef] = []
    amounts: list[RuleRef] = []
    for ref in rules:  # one pass, each kind in the rules' order (RuleRef.price_kind)
        kind = ref.price_kind
        if kind == "fixed":
            fixed = fixed or ref
        elif kind == "additive":
            additive.append(ref)
        elif kind == "compounding":
            compounding.append(ref)
        elif kind == "amount":
            amounts.append(ref)
    out: list[tuple[RuleRef, int]] = []
    start = base
    if fixed is not None:
        start = min(base, fixed.rule.action.price_fen)  # type: ignore[union-attr]
        out.append((fixed, (base - start) * quantity))
    running = start * quantity
    for ref in additive:
        amount = percent_fen(start * quantity, ref.rule.action.percent, ref.rule.rounding)  # type: ignore[union-attr]
        out.append((ref, amount))
        running -= amount
    for ref in compounding:
        amount = percent_fen(max(running, 0), ref.rule.action.percent, ref.rule.rounding)  # type: ignore[union-attr]
        out.append((ref, amount))
        running -= amount
    for ref in amounts:
        out.append((ref, ref.rule.action.amount_fen * quantity))  # type: ignore[union-attr]
    return out


def _discount_alone(ref: RuleRef, base: int, quantity: int) -> int:
    """`_price_discounts([ref], …)`'s one amount: what a price rule gives on its own."""
    action, kind = ref.rule.action, ref.price_kind
    if kind == "fixed":
        return (base - min(base, action.price_fen)) * quantity  # type: ignore[union-attr]
    if kind == "amount":
        return action.amount_fen * quantity  # type: ignore[union-attr]
    return percent_fen(base * quantity, action.percent, ref.rule.rounding)  # type: ignore[union-attr]


def _alone(ref: RuleRef, base: int, quantity: int) -> int:
    """What a rule would give on its own (to pick the best of a group)."""
    if ref.price_kind is not None:
        return _discount_alone(ref, base, quantity)
    if isinstance(ref.rule.action, BuyGet):
        return _free_units(ref.rule.action, quantity) * base
    return 0


def _free_units(action: BuyGet, quantity: int) -> int:
    if quantity < action.minimum_quantity:
        return 0
    counted = min(quantity, action.maximum_quantity or quantity)
    return (counted // action.buy) * action.get


def _buy_get(ref: RuleRef, action: BuyGet, state: LineState, extras: list[ExtraLine], trace: list[TraceEntry]) -> None:
    line = state.line
    free = _free_units(action, line.quantity)
    needed = max(action.minimum_quantity, action.buy)
    if free == 0:
        short = needed - line.quantity
        trace.append(explain.not_applied(
            ref, line.line_no, TraceReason.CONDITION_FAILED,
            f"buy {action.buy} get {action.get} needs at least {needed} units (has {line.quantity})",
            hint=f"buy {short} more to get {action.get} free",
        ))
        return
    same = action.free_model is None or action.free_model == line.model
    model = line.model if same else action.free_model
    assert model is not None
    extras.append(ExtraLine(ref, "free", model, free, 0, line.list_price_fen if same else 0))
    counted = min(line.quantity, action.maximum_quantity or line.quantity)
    nxt = (counted // action.buy + 1) * action.buy
    hint = None
    if action.maximum_quantity is None or nxt <= action.maximum_quantity:
        hint = f"buy {nxt - line.quantity} more to get {action.get} more free"
    value = free * state.member_unit if same else 0
    trace.append(explain.applied(ref, line.line_no, value, f"{free} × {model} free", hint=hint))
