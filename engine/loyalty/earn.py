"""The points an order earns under a loyalty document, with the trace of every earn rule that
concerned it.

Per line: the highest-priority matching `rate` rule (document order breaks ties) gives the
line's raw points, `paid yuan × points / per_yuan`, times the highest multiplier among the
matching `multiplier` rules and the caller's multiplier for the line (highest wins: a TV on a
double-points promotion in a 1.5× category earns 2×, not 3×). The order's raw points are summed
and rounded down once, so small lines still add up; each line's share of the whole points is
split by largest remainder. Each matching `bonus` rule adds its points once per order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from engine.rules import CompiledRuleSet, evaluate, failed_conditions
from schemas.loyalty import (
    BonusAction,
    EarnRule,
    LinePoints,
    LoyaltyDocument,
    MemberFacts,
    MultiplierAction,
    PaidLine,
    PointsResult,
    RateAction,
)
from schemas.rules import Condition, TraceEntry, TraceOutcome, TraceReason, VersionRef

# Raw points are kept to 6 places (rounded down), so a stored order can be recomputed exactly.
RAW_PLACES = Decimal("0.000001")
ONE = Decimal(1)


def line_facts(lines: Sequence[PaidLine], member: MemberFacts, at: datetime, tz: ZoneInfo) -> list[dict[str, Any]]:
    """One fact per line, as `LOYALTY_LINE_FACTS` declares them."""
    local = at.astimezone(tz)
    common = {
        "order_paid_fen": sum(line.paid_fen for line in lines),
        "order_categories": sorted({line.category for line in lines}),
        "member_tier": member.tier.value,
        "birthday_month": member.birth_month == local.month,
        "channel_type": member.channel_type.value if member.channel_type else "",
        "date": local.year * 10_000 + local.month * 100 + local.day,
        "weekday": local.isoweekday(),
        "month": local.month,
    }
    return [
        {**common, "model": line.model, "category": line.category, "brand": line.brand, "quantity": line.quantity,
         "paid_fen": line.paid_fen}
        for line in lines
    ]


def points_for_order(
    document: LoyaltyDocument,
    compiled: CompiledRuleSet,
    lines: Sequence[PaidLine],
    member: MemberFacts,
    at: datetime,
    tz: ZoneInfo,
    multipliers: Mapping[int, Decimal] | None = None,
    extra_points: int = 0,
    version: VersionRef | None = None,
) -> PointsResult:
    """The order's points; `compiled` is `document`'s earn rules compiled (see `rule_specs`)."""
    rules = {rule.id: (order, rule) for order, rule in enumerate(document.earn_rules)}
    facts = line_facts(lines, member, at, tz)
    evaluation = evaluate(compiled, facts)
    matched: dict[int, list[EarnRule]] = {index: [] for index in range(len(lines))}
    for rule_id, indexes in evaluation.matched.items():
        for index in indexes:
            matched[index].append(rules[rule_id][1])
    trace = _Trace(version)
    multipliers = multipliers or {}
    shares = []
    for index, line in enumerate(lines):
        candidates = sorted(matched[index], key=lambda r: (-r.priority, rules[r.id][0]))
        shares.append(_line_raw(line, candidates, multipliers.get(line.line_no, ONE), trace))
    raw_total = sum((raw for _, _, raw in shares), Decimal(0))
    rate_points = int(raw_total.to_integral_value(rounding=ROUND_DOWN))
    split = largest_remainder([raw for _, _, raw in shares], rate_points)
    trace.settle_rates({line.line_no: points for line, points in zip(lines, split, strict=True)})
    bonus_points = 0
    for rule_id, (_, rule) in sorted(rules.items(), key=lambda item: item[1][0]):
        if isinstance(rule.action, BonusAction) and evaluation.matched.get(rule_id):
            bonus_points += rule.action.points
            trace.add(rule, TraceOutcome.APPLIED, None, rule.action.points, "once per order")
    _near_misses(rules, evaluation.near_misses, evaluation.matched, facts, lines, trace)
    return PointsResult(
        lines=tuple(
            LinePoints(line_no=line.line_no, quantity=line.quantity, paid_fen=line.paid_fen, rate_rule=rate,
                       multiplier=factor, raw=raw, points=points)
            for line, (rate, factor, raw), points in zip(lines, shares, split, strict=True)
        ),
        rate_points=rate_points,
        bonus_points=bonus_points,
        extra_points=extra_points,
        growth=sum(line.paid_fen for line in lines) // 100,
        trace=tuple(trace.entries),
        version=version,
    )


def _line_raw(
    line: PaidLine, candidates: list[EarnRule], given: Decimal, trace: _Trace
) -> tuple[str | None, Decimal, Decimal]:
    """(rate rule id, multiplier, raw points) of one line, tracing each candidate's part."""
    rates = [r for r in candidates if isinstance(r.action, RateAction)]
    boosts = sorted((r for r in candidates if isinstance(r.action, MultiplierAction)),
                    key=lambda r: -r.action.factor)  # type: ignore[union-attr]
    best = boosts[0] if boosts and boosts[0].action.factor >= given else None  # type: ignore[union-attr]
    factor = max(given, best.action.factor if best else ONE, ONE)  # type: ignore[union-attr]
    if not rates:
        for rule in boosts:
            trace.add(rule, TraceOutcome.NOT_APPLIED, None, 0, "no rate rule earns points on this line", line.line_no)
        return None, factor, Decimal(0)
    rate = rates[0]
    action: RateAction = rate.action  # type: ignore[assignment]
    raw = (Decimal(line.paid_fen) * action.points * factor / (action.per_yuan * 100)).quantize(RAW_PLACES, ROUND_DOWN)
    trace.add(rate, TraceOutcome.APPLIED, None, 0, f"{action.points} per {action.per_yuan} yuan on "
              f"{Decimal(line.paid_fen) / 100} yuan paid, ×{factor}: {raw}", line.line_no)
    for rule in rates[1:]:
        trace.add(rule, TraceOutcome.NOT_APPLIED, TraceReason.LOST_TO_PRIORITY, 0, f"{rate.id} applies", line.line_no)
    for rule in boosts:
        if rule is best:
            trace.add(rule, TraceOutcome.APPLIED, None, 0, f"×{rule.action.factor}", line.line_no)  # type: ignore[union-attr]
        else:
            trace.add(rule, TraceOutcome.NOT_APPLIED, TraceReason.NOT_BEST_DEAL, 0, f"×{factor} is higher", line.line_no)
    return rate.id, factor, raw


def _near_misses(
    rules: Mapping[str, tuple[int, EarnRule]],
    near: Mapping[str, tuple[int, ...]],
    matched: Mapping[str, tuple[int, ...]],
    facts: Sequence[Mapping[str, Any]],
    lines: Sequence[PaidLine],
    trace: _Trace,
) -> None:
    """Rules in scope but short of a threshold (an amount, a date…), with the conditions that
    failed: per line, or once per order for a bonus that no line earned."""
    for rule_id, indexes in sorted(near.items(), key=lambda item: rules[item[0]][0]):
        rule = rules[rule_id][1]
        order_level = isinstance(rule.action, BonusAction)
        if order_level and matched.get(rule_id):
            continue
        for index in indexes[:1] if order_level else indexes:
            trace.add(rule, TraceOutcome.NOT_APPLIED, TraceReason.CONDITION_FAILED, 0, "a threshold is not reached",
                      None if order_level else lines[index].line_no,
                      failed=failed_conditions(rule.conditions, facts[index]))


def largest_remainder(raws: Sequence[Decimal | Fraction], total: int) -> list[int]:
    """Whole shares of `total` in proportion to the raw values: each floor, then the points left
    to the largest fractions (earlier lines first on ties)."""
    floors = [math.floor(r) for r in raws]
    left = total - sum(floors)
    order = sorted(range(len(raws)), key=lambda i: (-(raws[i] - floors[i]), i))
    for i in order[: max(left, 0)]:
        floors[i] += 1
    return floors


class _Trace:
    """Trace entries in the order rules were considered; a line's rate entry carries the line's
    whole-point share once the order's total is split."""

    def __init__(self, version: VersionRef | None) -> None:
        self.rule_set = version.rule_set if version else ""
        self.version = version.version if version else 0
        self.entries: list[TraceEntry] = []

    def add(self, rule: EarnRule, outcome: TraceOutcome, reason: TraceReason | None, points: int, detail: str,
            line_no: int | None = None, failed: tuple[Condition, ...] = ()) -> None:
        self.entries.append(TraceEntry(
            rule_set=self.rule_set, version=self.version, rule_id=rule.id, rule_name=rule.name,
            stage=rule.action.kind, outcome=outcome, reason=reason, line_no=line_no, amount_fen=points, detail=detail,
            failed_conditions=failed,
        ))

    def settle_rates(self, points: Mapping[int, int]) -> None:
        self.entries = [
            e.model_copy(update={"amount_fen": points[e.line_no]})
            if e.stage == "rate" and e.outcome is TraceOutcome.APPLIED and e.line_no is not None else e
            for e in self.entries
        ]
