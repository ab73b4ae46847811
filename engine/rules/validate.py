"""Conditions checked against a domain's FactSchema before they are stored or compiled: every
offender is reported, with its path in the caller's document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.errors import FieldError
from engine.rules.facts import INT_MAX, INT_MIN
from schemas.errors import ErrorCode
from schemas.rules import LIST_OPS, MEMBERSHIP_OPS, ORDER_OPS, Condition, FactKind, FactSchema, Op

Path = tuple[str | int, ...]

_EQUALITY_OPS = frozenset({Op.EQ, Op.NE, Op.IN, Op.NOT_IN})

OPS_BY_KIND: dict[FactKind, frozenset[Op]] = {
    FactKind.TEXT: _EQUALITY_OPS,
    FactKind.INT: _EQUALITY_OPS | ORDER_OPS,
    FactKind.BOOL: _EQUALITY_OPS,
    FactKind.TEXT_LIST: MEMBERSHIP_OPS,
}

_VALUE_WORDS = {
    FactKind.TEXT: "text",
    FactKind.INT: "whole numbers",
    FactKind.BOOL: "true or false",
    FactKind.TEXT_LIST: "text",
}


def fits(kind: FactKind, value: Any) -> bool:
    """Whether one value may be compared with a fact of this kind (a bool is not an int)."""
    if kind is FactKind.INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is FactKind.BOOL:
        return isinstance(value, bool)
    return isinstance(value, str)


def check_conditions(schema: FactSchema, conditions: Sequence[Condition], path: Path) -> list[FieldError]:
    """Every problem with these conditions: unknown facts, operators that do not apply to the
    fact's kind, values of the wrong shape or type (integers must fit in 64 bits)."""
    errors: list[FieldError] = []
    for i, condition in enumerate(conditions):
        field = schema.get(condition.fact)
        if field is None:
            errors.append(FieldError((*path, i, "fact"), f"unknown fact `{condition.fact}`", ErrorCode.INVALID))
            continue
        kind, op = field.kind, condition.op
        if op not in OPS_BY_KIND[kind]:
            errors.append(
                FieldError((*path, i, "op"), f"`{op.value}` does not apply to the {kind.value} fact "
                           f"`{condition.fact}`", ErrorCode.INVALID)
            )
        error = _value_error(kind, condition, (*path, i, "value"))
        if error is not None:
            errors.append(error)
    return errors


def _value_error(kind: FactKind, condition: Condition, path: Path) -> FieldError | None:
    value, op = condition.value, condition.op
    many = isinstance(value, list)
    if op in LIST_OPS and not (many and value):
        return FieldError(path, f"`{op.value}` takes a non-empty list of values", ErrorCode.INVALID)
    if op not in LIST_OPS and many:
        return FieldError(path, f"`{op.value}` takes a single value", ErrorCode.INVALID)
    values: list[Any] = value if isinstance(value, list) else [value]
    if not all(fits(kind, v) for v in values):
        return FieldError(path, f"`{condition.fact}` is compared with {_VALUE_WORDS[kind]} only",
                          ErrorCode.INVALID)
    if kind is FactKind.INT and not all(INT_MIN <= v <= INT_MAX for v in values):
        return FieldError(path, "numbers must fit in 64 bits", ErrorCode.OUT_OF_RANGE)
    return None
