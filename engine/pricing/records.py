"""Result objects built without validation or default handling.

A quote builds hundreds of trace entries, lines and discounts from values the engine computed
itself; pydantic's `model_construct` costs about 7 µs each (most of a 20-line quote's time
against 500 rules). `record` fills the instance's state directly: every field must be given,
so the object is exactly what validation would have produced (tests/engine/pricing/test_records.py).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_setattr = object.__setattr__


def record(cls: type[M], /, **values: Any) -> M:
    """An instance of `cls` holding exactly `values` (all of its fields, none missing)."""
    instance = cls.__new__(cls)
    _setattr(instance, "__dict__", values)
    _setattr(instance, "__pydantic_fields_set__", set(values))
    _setattr(instance, "__pydantic_extra__", None)
    _setattr(instance, "__pydantic_private__", None)
    return instance
