"""SQL for large reads and writes: epoch seconds computed by the database, and bulk INSERT …
RETURNING in chunks (SQLAlchemy's insertmanyvalues keeps the order of the rows)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Integer, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

T = TypeVar("T")
CHUNK = 5_000


class epoch(FunctionElement[int]):
    """Epoch seconds of a UTCDateTime column, computed by the database: millions of rows reach
    numpy as integers, with no datetime parsed in Python."""

    type = Integer()
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%s', {compiler.process(list(element.clauses)[0], **kw)}) AS INTEGER)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element: epoch, compiler: Any, **kw: Any) -> str:
    # floor, as SQLite's strftime truncates: a cast would round 00:00:00.7 up to the next second.
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(list(element.clauses)[0], **kw)})) AS BIGINT)"


def seconds(moment: datetime) -> int:
    """An aware moment as the epoch seconds `epoch` compares with."""
    return int(moment.timestamp())


async def insert_returning(session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Bulk INSERT … RETURNING id, in the order of `rows`."""
    ids: list[int] = []
    for chunk in chunks(rows, CHUNK):
        result = await session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), chunk)
        ids += [int(pk) for pk in result.scalars().all()]
    return ids


def chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for at in range(0, len(items), size):
        yield items[at : at + size]
