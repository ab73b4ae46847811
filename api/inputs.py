"""Turn strawberry inputs into plain dicts for the engine: drop unset fields, decode ids."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import Any

from strawberry import UNSET

from api.relay import decode_id
from engine.errors import DomainError, FieldError
from schemas.errors import ErrorCode


def input_data(value: Any, ids: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The fields the client sent, as a dict; every `ids` field (at any depth, by name) holds a
    global id of the named type and becomes its primary key. All bad ids are reported at once."""
    errors: list[FieldError] = []
    data = _convert(value, dict(ids or {}), (), errors)
    if errors:
        raise DomainError(errors)
    return data


def _convert(value: Any, ids: dict[str, str], path: tuple[str | int, ...], errors: list[FieldError]) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is UNSET:
                continue
            here = (*path, f.name)
            if f.name in ids and item is not None:
                out[f.name] = _decode(item, ids[f.name], here, errors)
            else:
                out[f.name] = _convert(item, ids, here, errors)
        return out
    if isinstance(value, list):
        return [_convert(v, ids, (*path, i), errors) for i, v in enumerate(value)]
    if isinstance(value, Enum) and not isinstance(value, str):
        return value.value
    return value


def _decode(value: Any, type_name: str, path: tuple[str | int, ...], errors: list[FieldError]) -> Any:
    if isinstance(value, list):
        return [_decode(v, type_name, (*path, i), errors) for i, v in enumerate(value)]
    try:
        return decode_id(str(value), type_name)[1]
    except ValueError as exc:
        errors.append(FieldError(path, str(exc), ErrorCode.BAD_GLOBAL_ID))
        return None
