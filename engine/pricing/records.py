"""Result objects built without validation or default handling.

A quote builds hundreds of trace entries, lines and discounts from values the engine computed
itself; pydantic's `model_construct` costs about 7 µs each (most of a 20-line quote's time
against 500 rules). `record` fills the instance's state directly: every field must be given,
so the object is exactly what validation would have produced (tests/engine/pricing/test_records.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

# The setters of BaseModel's four slots, bound once: object.__setattr__ finds the slot by name
# on every call, which made up half of a record's cost.
_slots = vars(BaseModel)
_set_dict = _slots["__dict__"].__set__
_set_fields_set = _slots["__pydantic_fields_set__"].__set__
_set_extra = _slots["__pydantic_extra__"].__set__
_set_private = _slots["__pydantic_private__"].__set__
_new = object.__new__


def record(cls: type[M], /, **values: Any) -> M:
    """An instance of `cls` holding exactly `values` (all of its fields, none missing)."""
    return record_of(cls, values)


def record_of(cls: type[M], values: dict[str, Any]) -> M:
    """`record(cls, **values)` for a dict the caller hands over: it becomes the instance's state."""
    fields = _fields.get(cls)
    if fields is None:
        fields = _fields[cls] = _shared_fields(cls)
    if fields is None or len(values) != len(fields):
        fields = set(values)  # not frozen, or not every field given: this record's own
    instance = _new(cls)
    _set_dict(instance, values)
    _set_fields_set(instance, fields)
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance


def maker(cls: type[M]) -> Callable[[dict[str, Any]], M]:
    """`record_of` for one model with what it looks up per record found once: for the models a
    quote builds by the hundred (trace entries, discounts)."""
    shared = _shared_fields(cls)
    count = -1 if shared is None else len(shared)

    def make(values: dict[str, Any]) -> M:
        instance = _new(cls)
        _set_dict(instance, values)
        _set_fields_set(instance, shared if len(values) == count else set(values))
        _set_extra(instance, None)
        _set_private(instance, None)
        return instance

    return make


# Per model, the one set of field names its records share (None: a model whose records cannot
# share it). Pydantic adds to an instance's set only when a field is assigned, which a frozen
# model refuses (model_copy copies the set first), so records of a frozen model, all of whose
# fields are given, can share one: a set per record was a tenth of its cost.
_fields: dict[type[BaseModel], set[str] | None] = {}


def _shared_fields(cls: type[BaseModel]) -> set[str] | None:
    return set(cls.model_fields) if cls.model_config.get("frozen") else None
