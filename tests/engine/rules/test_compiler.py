"""Rule specs to durable-rules JSON: the operator mapping, probes, names, shards."""

from __future__ import annotations

from typing import Any

import pytest

from engine.errors import DomainError
from engine.rules import compile_rules
from engine.rules.compiler import CAP, MARKER_RULE, compile_condition
from engine.rules.layout import MAX_ALIVE_PATHS
from schemas.errors import ErrorCode
from schemas.rules import FactField, FactKind
from tests.engine.rules.support import SCHEMA, cond, rule


@pytest.mark.parametrize(
    ("fact", "op", "value", "durable"),
    [
        ("model", "eq", "A", {"model": "A"}),
        ("member", "eq", True, {"member": True}),
        ("model", "ne", "A", {"$neq": {"model": "A"}}),
        ("quantity", "gt", 2, {"$gt": {"quantity": 2}}),
        ("quantity", "gte", 2, {"$gte": {"quantity": 2}}),
        ("quantity", "lt", 2, {"$lt": {"quantity": 2}}),
        ("quantity", "lte", 2, {"$lte": {"quantity": 2}}),
        ("model", "in", ["A"], {"model": "A"}),  # a single alternative is unwrapped
        ("model", "in", ["A", "B", "A"], {"$or": [{"model": "A"}, {"model": "B"}]}),  # repeats dropped
        ("quantity", "in", [1, 2], {"$or": [{"quantity": 1}, {"quantity": 2}]}),
        ("model", "not_in", ["A"], {"$neq": {"model": "A"}}),
        ("model", "not_in", ["A", "B"], {"$and": [{"$neq": {"model": "A"}}, {"$neq": {"model": "B"}}]}),
        ("tags", "has", "vip", {"$iany": {"tags": {"$i": "vip"}}}),
        ("tags", "has_any", ["vip"], {"$iany": {"tags": {"$i": "vip"}}}),
        ("tags", "has_any", ["a", "b"], {"$iany": {"tags": {"$or": [{"$i": "a"}, {"$i": "b"}]}}}),
        ("tags", "has_none", ["a"], {"$iall": {"tags": {"$neq": {"$i": "a"}}}}),
        (
            "tags", "has_none", ["a", "b"],
            {"$iall": {"tags": {"$and": [{"$neq": {"$i": "a"}}, {"$neq": {"$i": "b"}}]}}},
        ),
    ],
)
def test_each_operator_compiles_to_the_json_durable_lang_generates(
    fact: str, op: str, value: Any, durable: dict[str, Any]
) -> None:
    assert compile_condition(cond(fact, op, value)) == durable


def test_a_rule_matches_facts_of_its_type_with_its_conditions_and_collects_them_all_at_once() -> None:
    compiled = compile_rules("line", SCHEMA, [rule("r1", cond("channel", "eq", "agent"), cond("model", "ne", "X"))])
    assert compiled.definition["r1"] == {
        "all": [{"m": {"$and": [{"t": "line"}, {"channel": "agent"}, {"$neq": {"model": "X"}}]}}],
        "cap": CAP,
        "run": "collect",
    }
    assert compiled.fields == ("channel", "model")


def test_a_rule_without_conditions_matches_every_fact_of_its_type() -> None:
    compiled = compile_rules("line", SCHEMA, [rule("all")])
    assert compiled.definition["all"]["all"] == [{"m": {"$and": [{"t": "line"}]}}]


def test_the_most_selective_equality_test_leads_and_the_rest_keep_their_order() -> None:
    rules = [
        rule("r1", cond("quantity", "gte", 2), cond("channel", "eq", "agent"), cond("model", "eq", "A")),
        rule("r2", cond("model", "eq", "B"), cond("channel", "eq", "agent")),
    ]
    tests = compile_rules("line", SCHEMA, rules).definition["r1"]["all"][0]["m"]["$and"]
    assert tests == [{"t": "line"}, {"model": "A"}, {"$gte": {"quantity": 2}}, {"channel": "agent"}]


def test_a_scope_probe_is_compiled_only_for_a_rule_with_thresholds_and_scope() -> None:
    rules = [
        rule("scope-only", cond("model", "eq", "A")),
        rule("both", cond("model", "eq", "A"), cond("quantity", "gte", 3), cond("coupons", "has", "c1")),
        rule("thresholds-only", cond("amount", "gte", 100)),
    ]
    compiled = compile_rules("line", SCHEMA, rules)
    assert compiled.probes == {"both", "thresholds-only"}
    # The probe of "both" is "scope-only"'s rule: compiled once, reported for both.
    assert "both~scope" not in compiled.definition
    assert compiled.reports["scope-only"] == (("scope-only", False), ("both", True))
    # A probe that is the type test alone is no durable rule: every fact is in its scope.
    assert compiled.whole_scope == {"thresholds-only"}
    assert set(compiled.definition) == {"scope-only", "both", "thresholds-only"}


def test_a_probe_keeps_the_rules_scope_without_its_thresholds() -> None:
    compiled = compile_rules("line", SCHEMA, [rule("r", cond("quantity", "gte", 3), cond("channel", "eq", "agent"))])
    assert compiled.definition["r~scope"]["all"] == [{"m": {"$and": [{"t": "line"}, {"channel": "agent"}]}}]
    assert compiled.reports["r~scope"] == (("r", True),)


def test_identical_rules_share_one_durable_rule() -> None:
    compiled = compile_rules("line", SCHEMA, [rule("a", cond("model", "eq", "X")), rule("b", cond("model", "eq", "X"))])
    assert list(compiled.definition) == ["a"]
    assert compiled.reports["a"] == (("a", False), ("b", False))


RULES = [
    rule("r1", cond("model", "eq", "A"), cond("quantity", "gte", 2)),
    rule("r2", cond("tags", "has_any", ["vip", "new"])),
]


def test_the_name_is_content_addressed_and_stable() -> None:
    first = compile_rules("line", SCHEMA, RULES)
    again = compile_rules("line", dict(SCHEMA), [r.model_copy() for r in RULES])
    assert first.name == again.name
    assert first.name.startswith("line-") and len(first.name) == len("line-") + 20


@pytest.mark.parametrize(
    "changed",
    [
        lambda: compile_rules("order", SCHEMA, RULES),
        lambda: compile_rules("line", SCHEMA, [rule("r1", cond("model", "eq", "A"), cond("quantity", "gte", 3)), RULES[1]]),
        lambda: compile_rules("line", SCHEMA, [rule("r1", cond("model", "eq", "A"), cond("quantity", "gt", 2)), RULES[1]]),
        lambda: compile_rules("line", SCHEMA, [RULES[0], rule("r3", cond("tags", "has_any", ["vip", "new"]))]),
        lambda: compile_rules("line", SCHEMA, [RULES[1], RULES[0]]),
        lambda: compile_rules("line", SCHEMA, RULES[:1]),
        lambda: compile_rules("line", {**SCHEMA, "quantity": FactField(kind=FactKind.INT)}, RULES),
    ],
    ids=["fact type", "value", "operator", "rule id", "order", "a rule less", "threshold flag"],
)
def test_any_change_gives_a_new_name(changed: Any) -> None:
    assert changed().name != compile_rules("line", SCHEMA, RULES).name


def test_invalid_conditions_and_duplicate_ids_refuse_to_compile_with_every_path() -> None:
    rules = [rule("a", cond("colour", "eq", "x")), rule("a", cond("quantity", "eq", "3"))]
    with pytest.raises(DomainError) as refused:
        compile_rules("line", SCHEMA, rules)
    assert [(e.path, e.code) for e in refused.value.errors] == [
        ((0, "conditions", 0, "fact"), ErrorCode.INVALID),
        ((1, "rule_id"), ErrorCode.DUPLICATE),
        ((1, "conditions", 0, "value"), ErrorCode.INVALID),
    ]


@pytest.mark.parametrize("reserved", ["sid", "id", "t", "i"])
def test_a_schema_may_not_use_the_adapters_field_names(reserved: str) -> None:
    with pytest.raises(ValueError, match="reserved"):
        compile_rules("line", {**SCHEMA, reserved: FactField(kind=FactKind.TEXT)}, RULES)


@pytest.mark.parametrize("fact_type", ["", "Line", "line-1", "~marker"])
def test_the_fact_type_must_be_a_plain_name(fact_type: str) -> None:
    with pytest.raises(ValueError, match="fact type"):
        compile_rules(fact_type, SCHEMA, RULES)


def test_the_empty_list_stand_in_is_a_string_no_rule_tests_for() -> None:
    assert compile_rules("line", SCHEMA, RULES).empty_list_item == "~"
    tested = [rule("a", cond("tags", "has", "~")), rule("b", cond("tags", "has_none", ["~~", "x"]))]
    assert compile_rules("line", SCHEMA, tested).empty_list_item == "~~~"


def test_many_lead_values_are_grouped_into_buckets_sent_with_each_fact() -> None:
    rules = [rule(f"m{n}", cond("model", "eq", f"M{n:03d}"), cond("quantity", "gte", 2)) for n in range(100)]
    compiled = compile_rules("line", SCHEMA, rules)
    index = compiled.indexes["model"]
    assert len(index) == 100 and len(set(index.values())) == 10
    assert compiled.definition["m42"]["all"][0]["m"]["$and"][:3] == [
        {"t": "line"}, {"model~b": index["M042"]}, {"model": "M042"},
    ]


def test_an_in_lead_spanning_buckets_becomes_one_durable_rule_per_bucket() -> None:
    rules = [rule(f"m{n}", cond("model", "eq", f"M{n:03d}")) for n in range(100)]
    rules.append(rule("pair", cond("model", "in", ["M000", "M001", "M098", "M099"])))
    compiled = compile_rules("line", SCHEMA, rules)
    pieces = [name for name, owners in compiled.reports.items() if ("pair", False) in owners]
    assert pieces == ["pair~0", "pair~9"]
    assert compiled.definition["pair~0"]["all"][0]["m"]["$and"][1:] == [
        {"model~b": 0}, {"$or": [{"model": "M000"}, {"model": "M001"}]},
    ]


def test_rules_a_fact_can_be_alive_in_all_at_once_are_split_into_shards() -> None:
    # Each of these comparisons is its own node that every fact with quantity 1 passes.
    rules = [rule(f"r{n}", cond("quantity", "gte", -n)) for n in range(150)]
    compiled = compile_rules("line", SCHEMA, rules)
    assert [len(s) for s in compiled.shards] == [MAX_ALIVE_PATHS] * 2 + [30]
    assert all(MARKER_RULE in compiled.shard_definition(k) for k in range(3))


def test_rules_behind_exclusive_equality_tests_share_a_shard() -> None:
    rules = [rule(f"r{n}", cond("model", "eq", f"M{n}"), cond("quantity", "gte", -n)) for n in range(400)]
    assert len(compile_rules("line", SCHEMA, rules).shards) == 1
