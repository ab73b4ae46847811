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
    fact: Mapping[str, Any],
    plan: Plan,
    index: int,
    empty_list: list[str] | None = None,
    lists: dict[int, list[str]] | None = None,
    into: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The planned fields of one fact, defaults filled in (for a missing field or None), lists
    as lists (an empty one replaced by `empty_list` when given); raises TypeError or ValueError
    for a value that does not fit its kind. `lists` remembers list values already checked, by
    identity, while the facts are alive: the lines of a quote share their order's lists. The
    fields are added to `into` when given (and it is returned), else to a new dict."""
    row: dict[str, Any] = {} if into is None else into
    get = fact.get
    for name, kind in plan:
        value = get(name)
        exact = _EXACT.get(kind)
        if exact is not None and type(value) is exact:  # the common case, checked quickly
            if exact is int and not INT_MIN <= value <= INT_MAX:
                raise ValueError(f"fact {index}: `{name}` = {value} does not fit in 64 bits")
            row[name] = value
        elif kind is FactKind.TEXT_LIST:
            known = None if lists is None or value is None else lists.get(id(value))
            if known is None:
                known = [] if value is None else _items(index, name, value)
                if not known and empty_list is not None:
                    known = empty_list
                if lists is not None and value is not None:
                    lists[id(value)] = known
            row[name] = known
        elif value is None:
            row[name] = default_for(kind)
        else:
            row[name] = _subtype(index, name, kind, value)
    return row


_EXACT: dict[FactKind, type] = {FactKind.TEXT: str, FactKind.INT: int, FactKind.BOOL: bool}


def _subtype(index: int, name: str, kind: FactKind, value: Any) -> Any:
    """A value of a subclass of its kind's type (a str or int enum member), or a refusal."""
    if kind is FactKind.TEXT and isinstance(value, str):
        return value
    if kind is FactKind.BOOL and isinstance(value, bool):
        return value
    if kind is FactKind.INT and isinstance(value, int) and not isinstance(value, bool):
        if not INT_MIN <= value <= INT_MAX:
            raise ValueError(f"fact {index}: `{name}` = {value} does not fit in 64 bits")
        return value
    raise _refused(index, name, kind, value)


def _items(index: int, name: str, value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence | set | frozenset):
        raise _refused(index, name, FactKind.TEXT_LIST, value)
    items = list(value)
    if not all(isinstance(item, str) for item in items):
        raise _refused(index, name, FactKind.TEXT_LIST, value)
    return items


def _refused(index: int, name: str, kind: FactKind, value: Any) -> TypeError:
    return TypeError(f"fact {index}: `{name}` is a {kind.value} fact, got {type(value).__name__} {value!r}")
