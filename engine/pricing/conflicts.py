"""Publish-time checks of pricing documents: a rule the engine could not apply as written, or
two equally ranked rules that would fight over one line, is refused before it goes live."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from engine.errors import FieldError
from engine.pricing.compile import conditions_of
from engine.rules import check_conditions
from schemas.errors import ErrorCode
from schemas.pricing import (
    LINE_FACTS,
    LINE_STAGES,
    ORDER_FACTS,
    STAGE_ACTIONS,
    FixedPrice,
    GroupPolicy,
    PricingDocument,
    PricingRule,
    PricingStage,
    Stacking,
)
from schemas.rules import Condition, Op, VersionRef

Path = tuple[str | int, ...]
_ONE_PRICE = (PricingStage.TIER, PricingStage.MEMBER)


def check_document(document: PricingDocument, path: Path = ("document",)) -> list[FieldError]:
    """Every problem of a document that its model alone cannot see."""
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    groups: dict[str, tuple[PricingStage, GroupPolicy, int]] = {}
    for i, rule in enumerate(document.rules):
        here = (*path, "rules", i)
        if rule.id in seen:
            errors.append(FieldError((*here, "id"), f"rule id {rule.id!r} is also rule {seen[rule.id]}", ErrorCode.DUPLICATE))
        seen.setdefault(rule.id, i)
        if rule.action.kind not in STAGE_ACTIONS[rule.stage]:
            allowed = ", ".join(sorted(STAGE_ACTIONS[rule.stage]))
            errors.append(FieldError((*here, "action", "kind"), f"a {rule.stage.value} rule takes {allowed}", ErrorCode.INVALID))
        if rule.stage is PricingStage.COUPON and rule.coupon is None:
            errors.append(FieldError((*here, "coupon"), "a coupon rule names its campaign", ErrorCode.REQUIRED))
        if rule.stage is not PricingStage.COUPON and rule.coupon is not None:
            errors.append(FieldError((*here, "coupon"), "only coupon rules have a campaign", ErrorCode.INVALID))
        if rule.stacking is Stacking.BEST and rule.stage in LINE_STAGES:
            errors.append(FieldError((*here, "stacking"), "best-deal stacking is for order and coupon rules", ErrorCode.INVALID))
        schema = LINE_FACTS if rule.stage in LINE_STAGES else ORDER_FACTS
        errors += check_conditions(schema, rule.conditions, (*here, "conditions"))
        if rule.exclusive_group is not None:
            first = groups.setdefault(rule.exclusive_group, (rule.stage, rule.group_policy, i))
            if first[:2] != (rule.stage, rule.group_policy):
                errors.append(FieldError((*here, "exclusive_group"),
                                         f"group {rule.exclusive_group!r} mixes stages or policies (see rule {first[2]})",
                                         ErrorCode.INVALID))
    return errors


def find_conflicts(rules: Sequence[tuple[VersionRef, PricingRule]]) -> list[FieldError]:
    """Pairs of rules of one stage and one priority that can match the same fact and would
    fight over it: two prices (tier, member, promotional fixed price), two exclusive rules, or
    two rules of one exclusive group decided by priority."""
    errors = []
    for (ref_a, a), (ref_b, b) in combinations(rules, 2):
        if a.stage is not b.stage or a.priority != b.priority or not _fight(a, b) or not overlap(a, b):
            continue
        errors.append(FieldError(
            ("document", "rules"),
            f"{ref_a.rule_set}/{a.id} and {ref_b.rule_set}/{b.id} have the same stage ({a.stage.value}) and priority "
            f"({a.priority}), can match the same line or order and cannot both apply: give one a higher priority "
            "or make their conditions exclusive",
            ErrorCode.CONFLICT,
        ))
    return errors


def _fight(a: PricingRule, b: PricingRule) -> bool:
    if a.stage in _ONE_PRICE:
        return True
    if a.exclusive_group is not None and a.exclusive_group == b.exclusive_group:
        return a.group_policy is GroupPolicy.PRIORITY
    if Stacking.EXCLUSIVE in (a.effective_stacking(), b.effective_stacking()):
        return True
    return isinstance(a.action, FixedPrice) and isinstance(b.action, FixedPrice)


def overlap(a: PricingRule, b: PricingRule) -> bool:
    """False only when the conditions (windows and campaigns included) prove that no fact can
    satisfy both; otherwise they are assumed to overlap."""
    facts: dict[str, list[Condition]] = {}
    for condition in [*conditions_of(a), *conditions_of(b)]:
        facts.setdefault(condition.fact, []).append(condition)
    return all(_satisfiable(conditions) for conditions in facts.values())


def _satisfiable(conditions: list[Condition]) -> bool:
    allowed: set[object] | None = None
    low, high = float("-inf"), float("inf")
    excluded: set[object] = set()
    for c in conditions:
        if c.op is Op.EQ:
            allowed = {c.value} if allowed is None else allowed & {c.value}
        elif c.op is Op.IN:
            values = set(c.value) if isinstance(c.value, list) else {c.value}
            allowed = values if allowed is None else allowed & values
        elif c.op is Op.NE:
            excluded.add(c.value)
        elif c.op is Op.NOT_IN and isinstance(c.value, list):
            excluded |= set(c.value)
        elif c.op in (Op.GT, Op.GTE, Op.LT, Op.LTE) and isinstance(c.value, int):
            v = c.value
            if c.op is Op.GT:
                low = max(low, v + 1)
            elif c.op is Op.GTE:
                low = max(low, v)
            elif c.op is Op.LT:
                high = min(high, v - 1)
            else:
                high = min(high, v)
    if allowed is not None:
        allowed -= excluded
        numbers = [v for v in allowed if isinstance(v, int) and not isinstance(v, bool)]
        if not allowed or (numbers and len(numbers) == len(allowed) and not any(low <= v <= high for v in numbers)):
            return False
    return low <= high
