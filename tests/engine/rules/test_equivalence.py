"""The durable-rules adapter and the plain-Python reference agree on random rules and facts:
every operator and kind, empty lists, missing fields, awkward strings and 64-bit integers."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.rules import compile_rules, evaluate, evaluate_reference, holds
from engine.rules.reference import predicate
from engine.rules.validate import OPS_BY_KIND
from schemas.rules import LIST_OPS, Condition, FactField, FactKind, FactSchema, RuleSpec

TEXTS = st.sampled_from(["", "a", "b", "A", "空调", 'q"\\', "~", "\x00", "3", "a b"]) | st.text(max_size=3)
INTS = st.sampled_from([0, 1, -1, 2, 2**53, 2**53 + 1, 2**63 - 1, -(2**63)]) | st.integers(-3, 3)
VALUES = {FactKind.TEXT: TEXTS, FactKind.INT: INTS, FactKind.BOOL: st.booleans(), FactKind.TEXT_LIST: TEXTS}
FACT_VALUES = {**VALUES, FactKind.TEXT_LIST: st.lists(TEXTS, max_size=3)}

SETTINGS = settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def schemas(draw: st.DrawFn) -> FactSchema:
    kinds = draw(st.lists(st.sampled_from(list(FactKind)), min_size=1, max_size=5))
    return {f"f{n}": FactField(kind=kind, threshold=draw(st.booleans())) for n, kind in enumerate(kinds)}


@st.composite
def conditions(draw: st.DrawFn, schema: FactSchema) -> Condition:
    fact = draw(st.sampled_from(sorted(schema)))
    kind = schema[fact].kind
    op = draw(st.sampled_from(sorted(OPS_BY_KIND[kind], key=lambda o: o.value)))
    value: Any = draw(st.lists(VALUES[kind], min_size=1, max_size=4) if op in LIST_OPS else VALUES[kind])
    return Condition(fact=fact, op=op, value=value)


@st.composite
def cases(draw: st.DrawFn, max_rules: int = 8) -> tuple[FactSchema, list[RuleSpec], list[dict[str, Any]]]:
    schema = draw(schemas())
    count = draw(st.integers(0, max_rules))
    rules = [
        RuleSpec(rule_id=f"r{n}", conditions=tuple(draw(st.lists(conditions(schema), max_size=4))))
        for n in range(count)
    ]
    fact = st.fixed_dictionaries({}, optional={name: FACT_VALUES[f.kind] | st.none() for name, f in schema.items()})
    return schema, rules, draw(st.lists(fact, max_size=6))


@SETTINGS
@given(cases())
def test_durable_and_the_reference_agree(case: tuple[FactSchema, list[RuleSpec], list[dict[str, Any]]]) -> None:
    schema, rules, facts = case
    assert evaluate(compile_rules("line", schema, rules), facts) == evaluate_reference(rules, schema, facts)


@st.composite
def wide_cases(draw: st.DrawFn) -> tuple[FactSchema, list[RuleSpec], list[dict[str, Any]]]:
    """Many rules leading with equality on one field (buckets, IN split per bucket, shards)."""
    schema: FactSchema = {
        "model": FactField(kind=FactKind.TEXT),
        "n": FactField(kind=FactKind.INT, threshold=True),
        "tags": FactField(kind=FactKind.TEXT_LIST),
    }
    models = [f"M{k:02d}" for k in range(40)]
    lead = st.sampled_from(models).map(lambda m: Condition(fact="model", op="eq", value=m)) | st.lists(
        st.sampled_from(models), min_size=1, max_size=5
    ).map(lambda ms: Condition(fact="model", op="in", value=ms))
    rest = conditions(schema)
    rules = [
        RuleSpec(rule_id=f"r{n}", conditions=(draw(lead), *draw(st.lists(rest, max_size=2))))
        for n in range(draw(st.integers(20, 150)))
    ]
    fact = st.fixed_dictionaries({"model": st.sampled_from(models)}, optional={"n": INTS, "tags": FACT_VALUES[FactKind.TEXT_LIST]})
    return schema, rules, draw(st.lists(fact, max_size=8))


@settings(SETTINGS, max_examples=40)
@given(wide_cases())
def test_durable_and_the_reference_agree_on_wide_rule_sets(
    case: tuple[FactSchema, list[RuleSpec], list[dict[str, Any]]],
) -> None:
    schema, rules, facts = case
    assert evaluate(compile_rules("line", schema, rules), facts) == evaluate_reference(rules, schema, facts)


@settings(SETTINGS, max_examples=80)
@given(cases())
def test_one_session_evaluates_fact_after_fact_as_fresh(
    case: tuple[FactSchema, list[RuleSpec], list[dict[str, Any]]],
) -> None:
    """The adapter reuses a session per ruleset and retracts each evaluation's facts: nothing
    of one evaluation may show in the next."""
    schema, rules, facts = case
    compiled = compile_rules("line", schema, rules)
    for batch in (facts, facts[::-1], facts[1:], [], facts + facts, facts):
        assert evaluate(compiled, batch) == evaluate_reference(rules, schema, batch)


@SETTINGS
@given(cases())
def test_a_compiled_predicate_holds_as_holds(case: tuple[FactSchema, list[RuleSpec], list[dict[str, Any]]]) -> None:
    _, rules, facts = case
    for condition in (c for rule in rules for c in rule.conditions):
        test = predicate(condition)
        assert [test(fact) for fact in facts] == [holds(condition, fact) for fact in facts]
