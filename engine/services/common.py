"""Helpers every use case shares: contract validation, lookups and uniqueness checks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from engine.errors import DomainError, FieldError, from_validation
from engine.store.base import Base
from engine.store.scoping import UNSCOPED
from schemas.errors import ErrorCode

C = TypeVar("C", bound=BaseModel)
M = TypeVar("M", bound=Base)


def validate(contract: type[C], data: Mapping[str, Any]) -> C:
    """The contract built from `data`, or a DomainError listing every invalid field."""
    try:
        return contract.model_validate(dict(data))
    except ValidationError as exc:
        raise from_validation(exc) from exc


def merge(contract: type[C], current: BaseModel, patch: Mapping[str, Any]) -> C:
    """Apply a partial update and validate the whole result, so cross-field rules still hold."""
    return validate(contract, {**current.model_dump(), **patch})


async def get_or_error(
    session: AsyncSession, model: type[M], pk: int, path: tuple[str | int, ...] = ("id",), *options: Any
) -> M:
    row = await session.get(model, pk, options=list(options))
    if row is None:
        raise DomainError.single(path, f"{model.__name__} {pk} does not exist", ErrorCode.NOT_FOUND)
    return row


async def missing_references(
    session: AsyncSession, references: list[tuple[tuple[str | int, ...], type[Base], int | None]]
) -> list[FieldError]:
    """An error for each (path, model, id) whose row does not exist; None ids are skipped."""
    errors = []
    for path, model, pk in references:
        if pk is not None and await session.get(model, pk) is None:
            errors.append(FieldError(path, f"{model.__name__} {pk} does not exist", ErrorCode.NOT_FOUND))
    return errors


async def duplicate(
    session: AsyncSession,
    column: InstrumentedAttribute[Any],
    value: Any,
    path: tuple[str | int, ...],
    exclude_id: int | None = None,
) -> list[FieldError]:
    """An error if another row already holds `value` in a unique column."""
    return await duplicate_key(session, {column: value}, path, exclude_id)


async def duplicate_key(
    session: AsyncSession,
    key: Mapping[InstrumentedAttribute[Any], Any],
    path: tuple[str | int, ...],
    exclude_id: int | None = None,
) -> list[FieldError]:
    """An error if another row already holds these values in a unique key of one or more
    columns (e.g. serial number per product); reported on `path`."""
    columns = list(key)
    model = columns[0].class_
    # Unscoped: a value taken by a row the caller cannot see is taken all the same.
    stmt = select(func.count()).select_from(model).where(*(c == v for c, v in key.items())).execution_options(**{UNSCOPED: True})
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    if await session.scalar(stmt):
        if len(columns) == 1:
            message = f"{key[columns[0]]!r} is already used by another {model.__name__}"
        else:
            shown = ", ".join(f"{c.key} {_shown(v)}" for c, v in key.items() if v is not None)
            message = f"another {model.__name__} already has {shown}"
        return [FieldError(path, message, ErrorCode.DUPLICATE)]
    return []


def raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise DomainError(errors)


def _shown(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)
