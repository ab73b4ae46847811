"""Conditions checked against a FactSchema: every offender, at its path in the document."""

from __future__ import annotations

from typing import Any

import pytest

from engine.rules import check_conditions
from schemas.errors import ErrorCode
from schemas.rules import Condition, Op
from tests.engine.rules.support import SCHEMA, cond

PATH = ("rules", 3, "conditions")


@pytest.mark.parametrize(
    ("fact", "op", "value"),
    [
        ("model", "eq", "AC-1"),
        ("model", "ne", ""),
        ("model", "in", ["a", "b"]),
        ("model", "not_in", ["a"]),
        ("quantity", "eq", 0),
        ("quantity", "gt", -5),
        ("quantity", "gte", 2**63 - 1),
        ("quantity", "lt", -(2**63)),
        ("quantity", "lte", 3),
        ("quantity", "in", [1, 2]),
        ("member", "eq", True),
        ("member", "ne", False),
        ("member", "in", [True, False]),
        ("tags", "has", "vip"),
        ("tags", "has_any", ["vip", "new"]),
        ("tags", "has_none", ["blocked"]),
    ],
)
def test_a_condition_fitting_its_fact_passes(fact: str, op: str, value: Any) -> None:
    assert check_conditions(SCHEMA, [cond(fact, op, value)], PATH) == []


@pytest.mark.parametrize(
    ("fact", "op", "value", "where", "code"),
    [
        ("colour", "eq", "red", "fact", ErrorCode.INVALID),  # unknown fact
        ("model", "gt", "a", "op", ErrorCode.INVALID),  # order ops only on int
        ("member", "lte", True, "op", ErrorCode.INVALID),
        ("tags", "gte", "a", "op", ErrorCode.INVALID),
        ("model", "has", "a", "op", ErrorCode.INVALID),  # membership only on text lists
        ("quantity", "has_any", [1], "op", ErrorCode.INVALID),
        ("tags", "eq", "a", "op", ErrorCode.INVALID),  # equality not on text lists
        ("tags", "in", ["a"], "op", ErrorCode.INVALID),
        ("model", "eq", 3, "value", ErrorCode.INVALID),  # text takes str
        ("quantity", "eq", "3", "value", ErrorCode.INVALID),  # int takes int…
        ("quantity", "gte", True, "value", ErrorCode.INVALID),  # …and a bool is not one
        ("quantity", "in", [1, True], "value", ErrorCode.INVALID),
        ("member", "eq", 1, "value", ErrorCode.INVALID),  # bool takes bool
        ("tags", "has", 1, "value", ErrorCode.INVALID),  # list items are str
        ("quantity", "gte", 2**63, "value", ErrorCode.OUT_OF_RANGE),  # durable saturates at 64 bits
        ("quantity", "in", [0, -(2**63) - 1], "value", ErrorCode.OUT_OF_RANGE),
    ],
)
def test_an_offending_condition_is_reported_at_its_path(
    fact: str, op: str, value: Any, where: str, code: ErrorCode
) -> None:
    errors = check_conditions(SCHEMA, [cond("model", "eq", "ok"), cond(fact, op, value)], PATH)
    assert [(e.path, e.code) for e in errors] == [((*PATH, 1, where), code)]


@pytest.mark.parametrize(
    ("op", "value"),
    [("eq", ["a"]), ("in", "a"), ("in", []), ("has_none", "a")],
)
def test_a_value_of_the_wrong_shape_for_its_operator_is_reported(op: str, value: Any) -> None:
    # RuleSpec's conditions are not shape-checked by pydantic (only a document's Conditions are).
    condition = Condition.model_construct(fact="model" if op in ("eq", "in") else "tags", op=Op(op), value=value)
    errors = check_conditions(SCHEMA, [condition], PATH)
    assert [(e.path, e.code) for e in errors] == [((*PATH, 0, "value"), ErrorCode.INVALID)]


def test_every_offender_is_reported_not_just_the_first() -> None:
    conditions = [
        cond("colour", "eq", "x"),
        cond("model", "eq", "fine"),
        cond("model", "gte", 3),  # wrong op and wrong value type: both reported
        cond("quantity", "eq", "many"),
    ]
    errors = check_conditions(SCHEMA, conditions, ())
    assert [e.path for e in errors] == [(0, "fact"), (2, "op"), (2, "value"), (3, "value")]
    assert all(e.message for e in errors)
