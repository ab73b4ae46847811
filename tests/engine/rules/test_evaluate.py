"""Facts against compiled rules on durable-rules, and the plain-Python reference, row by row."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.rules import Evaluation, compile_rules, evaluate, evaluate_reference, failed_conditions, holds
from engine.rules.compiler import MARKER_TYPE
from engine.rules.evaluate import _payload
from engine.rules.facts import normalise
from engine.rules.reference import predicate
from tests.engine.rules.support import SCHEMA, cond, rule

# (fact, op, rule value, fact value, holds)
ROWS = [
    ("model", "eq", "A", "A", True),
    ("model", "eq", "A", "a", False),
    ("model", "eq", "空调", "空调", True),  # durable compares JSON text: both sides unescaped
    ("model", "eq", 'say "hi"\\', 'say "hi"\\', True),
    ("model", "eq", "3", "03", False),
    ("model", "eq", "", None, True),  # missing text is ""
    ("model", "ne", "A", "B", True),
    ("model", "ne", "A", "A", False),
    ("model", "in", ["A", "B"], "B", True),
    ("model", "in", ["A", "B"], "C", False),
    ("model", "not_in", ["A", "B"], "C", True),
    ("model", "not_in", ["A", "B"], "A", False),
    ("quantity", "eq", 0, None, True),  # missing int is 0
    ("quantity", "gt", 2, 3, True),
    ("quantity", "gt", 2, 2, False),
    ("quantity", "gte", 2, 2, True),
    ("quantity", "lt", 0, -1, True),
    ("quantity", "lte", -1, 0, False),
    ("quantity", "gt", 2**53, 2**53 + 1, True),  # exact beyond float precision
    ("quantity", "eq", 2**53, 2**53 + 1, False),
    ("quantity", "lte", 2**63 - 1, 2**63 - 1, True),
    ("quantity", "in", [1, 5], 5, True),
    ("quantity", "not_in", [1, 5], 0, True),
    ("member", "eq", True, True, True),
    ("member", "eq", True, False, False),
    ("member", "eq", False, None, True),  # missing bool is False
    ("member", "ne", False, True, True),
    ("member", "in", [True], False, False),
    ("member", "not_in", [True], False, True),
    ("tags", "has", "vip", ["new", "vip"], True),
    ("tags", "has", "vip", [], False),
    ("tags", "has", "vip", None, False),  # missing list is []
    ("tags", "has_any", ["vip", "new"], ["x", "new"], True),
    ("tags", "has_any", ["vip", "new"], [], False),
    ("tags", "has_none", ["vip", "new"], ["x"], True),
    ("tags", "has_none", ["vip", "new"], ["x", "vip"], False),
    ("tags", "has_none", ["vip"], [], True),  # durable's $iall alone says false here
    ("tags", "has_none", ["vip"], None, True),
    ("tags", "has", "~", [], False),  # the empty-list stand-in moves out of the way
]


@pytest.mark.parametrize(("fact", "op", "value", "actual", "expected"), ROWS)
def test_each_operator_holds_alike_on_durable_and_in_python(
    fact: str, op: str, value: Any, actual: Any, expected: bool
) -> None:
    condition = cond(fact, op, value)
    facts = [{} if actual is None else {fact: actual}]
    assert holds(condition, facts[0]) is expected
    assert predicate(condition)(facts[0]) is expected
    result = evaluate(compile_rules("line", SCHEMA, [rule("r", condition)]), facts)
    assert result.matched == ({"r": (0,)} if expected else {})


def test_a_missing_field_and_its_default_give_the_same_result() -> None:
    rules = [rule("r", cond("model", "eq", ""), cond("quantity", "eq", 0), cond("member", "eq", False),
                  cond("tags", "has_none", ["x"]))]
    compiled = compile_rules("line", SCHEMA, rules)
    explicit = {"model": "", "quantity": 0, "member": False, "tags": []}
    assert evaluate(compiled, [{}, explicit, {"model": None}]).matched == {"r": (0, 1, 2)}


def test_a_mapping_that_makes_up_missing_fields_is_read_not_changed() -> None:
    compiled = compile_rules("line", SCHEMA, [rule("r", cond("model", "eq", ""), cond("quantity", "eq", 0))])
    fact: defaultdict[str, Any] = defaultdict(lambda: "made up", {"quantity": 0})

    assert evaluate(compiled, [fact, {"model": "", "quantity": 0}]).matched == {"r": (0, 1)}
    assert dict(fact) == {"quantity": 0}


def test_matches_and_near_misses_are_reported_per_rule_by_fact_index() -> None:
    rules = [
        rule("bulk", cond("model", "eq", "AC"), cond("quantity", "gte", 10)),
        rule("big-order", cond("amount", "gte", 1000)),
        rule("tv", cond("category", "eq", "tv")),
    ]
    facts = [
        {"model": "AC", "quantity": 12, "amount": 10},
        {"model": "AC", "quantity": 2, "amount": 5000},
        {"model": "TV", "category": "tv", "amount": 1},
    ]
    expected = Evaluation(
        matched={"bulk": (0,), "big-order": (1,), "tv": (2,)},
        near_misses={"bulk": (1,), "big-order": (0, 2)},
    )
    assert evaluate(compile_rules("line", SCHEMA, rules), facts) == expected
    assert evaluate_reference(rules, SCHEMA, facts) == expected


def test_failed_conditions_explain_a_near_miss() -> None:
    bulk = rule("bulk", cond("model", "eq", "AC"), cond("quantity", "gte", 10), cond("coupons", "has", "c"))
    assert failed_conditions(bulk.conditions, {"model": "AC", "quantity": 3}) == bulk.conditions[1:]


def test_no_facts_and_no_rules_give_an_empty_evaluation() -> None:
    compiled = compile_rules("line", SCHEMA, [rule("r", cond("model", "eq", "A"))])
    assert evaluate(compiled, []) == Evaluation({}, {})
    assert evaluate(compile_rules("line", SCHEMA, []), [{"model": "A"}]) == Evaluation({}, {})


def test_fields_no_rule_references_are_not_sent_and_may_hold_anything() -> None:
    compiled = compile_rules("line", SCHEMA, [rule("r", cond("model", "eq", "A"))])
    assert evaluate(compiled, [{"model": "A", "quantity": "lots", "other": object()}]).matched == {"r": (0,)}


@pytest.mark.parametrize(
    ("fact", "value", "error"),
    [
        ("model", 3, TypeError),
        ("quantity", "3", TypeError),  # durable would find "3" equal to 3
        ("quantity", True, TypeError),  # and true equal to 1
        ("quantity", 2**63, ValueError),  # and 2**63 equal to 2**64
        ("member", 1, TypeError),
        ("tags", "vip", TypeError),
        ("tags", ["vip", 1], TypeError),
    ],
)
def test_a_fact_value_that_does_not_fit_its_kind_is_refused_by_both(fact: str, value: Any, error: type) -> None:
    rules = [rule("r", cond(fact, "eq" if fact != "tags" else "has", value_for(fact)))]
    compiled = compile_rules("line", SCHEMA, rules)
    with pytest.raises(error, match=f"fact 1: `{fact}`"):
        evaluate(compiled, [{}, {fact: value}])
    with pytest.raises(error, match=f"fact 1: `{fact}`"):
        evaluate_reference(rules, SCHEMA, [{}, {fact: value}])
    assert evaluate(compiled, [{}]).matched is not None  # the adapter is still usable


def value_for(fact: str) -> Any:
    return {"model": "A", "quantity": 1, "member": True, "tags": "vip"}[fact]


def test_text_and_list_subclasses_and_tuples_are_accepted() -> None:
    from enum import Enum

    class Colour(str, Enum):
        RED = "red"

    rules = [rule("r", cond("model", "eq", "red"), cond("tags", "has", "red"))]
    facts = [{"model": Colour.RED, "tags": ("red",)}, {"model": "red", "tags": frozenset({"red"})}]
    assert evaluate(compile_rules("line", SCHEMA, rules), facts).matched == {"r": (0, 1)}


def test_facts_alike_on_the_tested_fields_are_sent_once_and_reported_for_each() -> None:
    compiled = compile_rules("line", SCHEMA, [rule("ac", cond("model", "eq", "AC"), cond("quantity", "gte", 2))])
    facts = [{"model": "AC", "quantity": 3, "brand": "x"}, {"model": "TV"}, {"model": "AC", "quantity": 3, "brand": "y"},
             {"model": "AC", "quantity": 1}, {"model": "AC", "quantity": 3}]
    assert evaluate(compiled, facts) == Evaluation({"ac": (0, 2, 4)}, {"ac": (3,)})
    assert evaluate(compiled, facts) == evaluate_reference(compiled.rules, compiled.schema, facts)


def _rows_as_dicts(compiled: Any, facts: list[dict[str, Any]], sid: str) -> list[dict[str, Any]]:
    """The batch as rows of dicts, as the adapter used to build and json-encode them: what the
    text it writes directly must equal."""
    rows: list[dict[str, Any]] = [{"i": -1, "sid": sid, "t": MARKER_TYPE}]
    seen: list[dict[str, Any]] = []
    for i, fact in enumerate(facts):
        values = normalise(fact, compiled.plan, i, [compiled.empty_list_item])
        if values in seen:
            continue
        seen.append(values)
        row = {"i": len(seen) - 1, **values}
        for name, index in compiled.indexes.items():
            row[name + "~b"] = index.get(values[name], -1)
        rows.append({**row, "sid": sid, "t": compiled.fact_type})
    return rows


_TEXTS = st.sampled_from(["A", "空调", 'say "hi"\\', "tab\there", "nl\n", "\x01", "\u2028", "%s", ""])


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.fixed_dictionaries({}, optional={
    "model": _TEXTS, "channel": _TEXTS, "member": st.booleans(), "quantity": st.integers(-(2**63), 2**63 - 1),
    "tags": st.lists(_TEXTS, max_size=3), "coupons": st.lists(_TEXTS, max_size=2).map(tuple),
}), max_size=6))
def test_the_batch_text_is_the_json_of_its_rows(facts: list[dict[str, Any]]) -> None:
    models = [f"M{n}" for n in range(20)] + ["A", "空调"]
    rules = [rule(f"m{n}", cond("model", "eq", m), cond("quantity", "gte", 2)) for n, m in enumerate(models)]
    rules.append(rule("t", cond("tags", "has", "A"), cond("channel", "ne", "%s"), cond("member", "eq", True),
                      cond("coupons", "has_none", ["x"])))
    compiled = compile_rules("line", SCHEMA, rules)
    assert "model" in compiled.indexes  # the bucket field is written too
    text, _ = _payload(compiled, facts, "s%1")
    expected = _rows_as_dicts(compiled, facts, "s%1")
    assert json.loads(text) == expected
    assert text == json.dumps(expected, ensure_ascii=False, separators=(",", ":"))


def test_the_batch_text_holds_shared_lists_and_enum_members_as_their_values() -> None:
    from enum import Enum, IntEnum

    class Model(str, Enum):
        AC = "AC"

    class Count(IntEnum):
        THREE = 3

    shared = ["vip", "空调"]
    rules = [rule("r", cond("tags", "has", "vip"), cond("model", "eq", "AC"), cond("quantity", "gte", 2))]
    compiled = compile_rules("line", SCHEMA, rules)
    for facts in ([{"tags": shared, "model": "AC", "quantity": 3}, {"tags": shared, "model": "B", "quantity": 1}],
                  [{"tags": shared, "model": Model.AC, "quantity": Count.THREE}, {"tags": [], "model": "B"}]):
        text, _ = _payload(compiled, facts, "s")
        expected = _rows_as_dicts(compiled, facts, "s")
        assert text == json.dumps(expected, ensure_ascii=False, separators=(",", ":"))
        assert evaluate(compiled, facts).matched == {"r": (0,)}
