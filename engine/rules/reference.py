"""The same semantics as the durable-rules adapter in plain Python: to explain a near miss
(which conditions failed) and as the baseline the adapter is measured and tested against."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.rules.evaluate import Evaluation
from engine.rules.facts import default_for, normalise, plan_for
from schemas.rules import MEMBERSHIP_OPS, ORDER_OPS, Condition, FactKind, FactSchema, Op, RuleSpec


def holds(condition: Condition, fact: Mapping[str, Any]) -> bool:
    """Whether `fact op value` holds; a missing field (or None) takes its kind's default, the
    kind read off the condition (validated conditions fit their fact's kind)."""
    actual = fact.get(condition.fact)
    if actual is None:
        actual = default_for(_kind_of(condition))
    op, value = condition.op, condition.value
    values: list[Any] = value if isinstance(value, list) else [value]
    if op is Op.EQ:
        return bool(actual == value)
    if op is Op.NE:
        return bool(actual != value)
    if op is Op.IN:
        return any(actual == v for v in values)
    if op is Op.NOT_IN:
        return all(actual != v for v in values)
    if op is Op.GT:
        return bool(actual > value)
    if op is Op.GTE:
        return bool(actual >= value)
    if op is Op.LT:
        return bool(actual < value)
    if op is Op.LTE:
        return bool(actual <= value)
    if op is Op.HAS:
        return value in actual
    if op is Op.HAS_ANY:
        return any(v in actual for v in values)
    return not any(v in actual for v in values)  # HAS_NONE: true on an empty list


def failed_conditions(conditions: Sequence[Condition], fact: Mapping[str, Any]) -> tuple[Condition, ...]:
    """The conditions that do not hold for this fact, in their order."""
    return tuple(c for c in conditions if not holds(c, fact))


def evaluate_reference(
    rules: Sequence[RuleSpec], schema: FactSchema, facts: Sequence[Mapping[str, Any]]
) -> Evaluation:
    """What `evaluate(compile_rules(…, schema, rules), facts)` returns, computed in Python."""
    fields = sorted({c.fact for rule in rules for c in rule.conditions})
    rows = [normalise(fact, plan_for(schema, fields), i) for i, fact in enumerate(facts)]
    matched: dict[str, tuple[int, ...]] = {}
    near_misses: dict[str, tuple[int, ...]] = {}
    for rule in rules:
        scope = [c for c in rule.conditions if not schema[c.fact].threshold]
        thresholds = [c for c in rule.conditions if schema[c.fact].threshold]
        hit: list[int] = []
        missed: list[int] = []
        for i, row in enumerate(rows):
            if all(holds(c, row) for c in scope):
                if all(holds(c, row) for c in thresholds):
                    hit.append(i)
                elif thresholds:
                    missed.append(i)
        if hit:
            matched[rule.rule_id] = tuple(hit)
        if missed:
            near_misses[rule.rule_id] = tuple(missed)
    return Evaluation(matched, near_misses)


def _kind_of(condition: Condition) -> FactKind:
    if condition.op in MEMBERSHIP_OPS:
        return FactKind.TEXT_LIST
    if condition.op in ORDER_OPS:
        return FactKind.INT
    value = condition.value
    first = value[0] if isinstance(value, list) and value else value
    if isinstance(first, bool):
        return FactKind.BOOL
    if isinstance(first, int):
        return FactKind.INT
    return FactKind.TEXT
