"""The same semantics as the durable-rules adapter in plain Python: to explain a near miss
(which conditions failed) and as the baseline the adapter is measured and tested against."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from engine.rules.evaluate import Evaluation
from engine.rules.facts import default_for, normalise, plan_for
from schemas.rules import MEMBERSHIP_OPS, ORDER_OPS, Condition, FactKind, FactSchema, Op, RuleSpec


# `actual op value` per op, `values` being the value as a list (the condition's alternatives).
_COMPARE: dict[Op, Callable[[Any, Any, list[Any]], bool]] = {
    Op.EQ: lambda actual, value, values: bool(actual == value),
    Op.NE: lambda actual, value, values: bool(actual != value),
    Op.IN: lambda actual, value, values: any(actual == v for v in values),
    Op.NOT_IN: lambda actual, value, values: all(actual != v for v in values),
    Op.GT: lambda actual, value, values: bool(actual > value),
    Op.GTE: lambda actual, value, values: bool(actual >= value),
    Op.LT: lambda actual, value, values: bool(actual < value),
    Op.LTE: lambda actual, value, values: bool(actual <= value),
    Op.HAS: lambda actual, value, values: value in actual,
    Op.HAS_ANY: lambda actual, value, values: any(v in actual for v in values),
    Op.HAS_NONE: lambda actual, value, values: not any(v in actual for v in values),  # true on an empty list
}

Test = Callable[[Mapping[str, Any]], bool]


def holds(condition: Condition, fact: Mapping[str, Any]) -> bool:
    """Whether `fact op value` holds; a missing field (or None) takes its kind's default, the
    kind read off the condition (validated conditions fit their fact's kind)."""
    actual = fact.get(condition.fact)
    if actual is None:
        actual = default_for(_kind_of(condition))
    value = condition.value
    return _COMPARE[condition.op](actual, value, value if isinstance(value, list) else [value])


def predicate(condition: Condition) -> Test:
    """`holds(condition, ·)` with the op, the values and the default looked up once: for
    conditions tested quote after quote (the near misses of published rules)."""
    name, value, compare = condition.fact, condition.value, _COMPARE[condition.op]
    values = value if isinstance(value, list) else [value]
    default = default_for(_kind_of(condition))  # only ever compared, never changed

    def test(fact: Mapping[str, Any]) -> bool:
        actual = fact.get(name)
        return compare(default if actual is None else actual, value, values)

    return test


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
