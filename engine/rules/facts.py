"""Facts as both evaluators see them: a missing field takes its kind's default, and a value
must fit its kind, so that durable-rules and the plain-Python reference cannot disagree.

durable-rules coerces across JSON types (the string "3" equals the number 3, true equals 1)
and saturates integers at 64 bits (2**63 equals 2**64), while Python does neither: a fact
that strays from its schema would be judged differently by the two, so it is refused here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from schemas.rules import FactKind, FactSchema

INT_MIN, INT_MAX = -(2**63), 2**63 - 1

# Field names the adapter adds to every fact it sends to durable-rules ("id" is durable's own:
# two facts with the same "id" are one fact to it). A schema may not use them.
RESERVED_FIELDS = frozenset({"sid", "id", "t", "i"})

Plan = tuple[tuple[str, FactKind], ...]


def default_for(kind: FactKind) -> Any:
    """The value a fact lacking this field holds: "", 0, False or an empty list."""
    if kind is FactKind.TEXT:
        return ""
    if kind is FactKind.INT:
        return 0
    if kind is FactKind.BOOL:
        return False
    return []


def plan_for(schema: FactSchema, fields: Sequence[str]) -> Plan:
    """The (name, kind) pairs to read from each fact, in a stable order."""
    return tuple((name, schema[name].kind) for name in fields)


def normalise(
    fact: Mapping[str, Any], plan: Plan, index: int, empty_list: list[str] | None = None
) -> dict[str, Any]:
    """The planned fields of one fact, defaults filled in (for a missing field or None), lists
    as lists (an empty one replaced by `empty_list` when given); raises TypeError or ValueError
    for a value that does not fit its kind."""
    row: dict[str, Any] = {}
    for name, kind in plan:
        value = fact.get(name)
        if kind is FactKind.TEXT_LIST:
            items = [] if value is None else _items(index, name, value)
            row[name] = items if items or empty_list is None else empty_list
        elif value is None:
            row[name] = default_for(kind)
        elif kind is FactKind.TEXT:
            if not isinstance(value, str):
                raise _refused(index, name, kind, value)
            row[name] = value
        elif kind is FactKind.INT:
            if not isinstance(value, int) or isinstance(value, bool):
                raise _refused(index, name, kind, value)
            if not INT_MIN <= value <= INT_MAX:
                raise ValueError(f"fact {index}: `{name}` = {value} does not fit in 64 bits")
            row[name] = value
        else:
            if not isinstance(value, bool):
                raise _refused(index, name, kind, value)
            row[name] = value
    return row


def _items(index: int, name: str, value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence | set | frozenset):
        raise _refused(index, name, FactKind.TEXT_LIST, value)
    items = list(value)
    if not all(isinstance(item, str) for item in items):
        raise _refused(index, name, FactKind.TEXT_LIST, value)
    return items


def _refused(index: int, name: str, kind: FactKind, value: Any) -> TypeError:
    return TypeError(f"fact {index}: `{name}` is a {kind.value} fact, got {type(value).__name__} {value!r}")
