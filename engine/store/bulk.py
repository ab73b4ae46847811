"""SQL for large reads and writes: epoch seconds computed by the database, integer SELECTs read
into numpy straight from the driver's rows, integer rows written through the driver (COPY on
PostgreSQL), and bulk INSERT … RETURNING in chunks (SQLAlchemy's insertmanyvalues keeps the order
of the rows).

Millions of rows are where SQLAlchemy's per-row work costs more than the database's: a Row object
per fetched row, a processed parameter dict per written one (benchmarks/README.md, "Channel
settlements", has what this did to a settlement run)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import chain
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import Integer, Select, Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

T = TypeVar("T")
CHUNK = 5_000
COPY_CHUNK = 100_000


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


async def fetch_array(connection: AsyncConnection, statement: Select[Any]) -> np.ndarray:
    """Every row of a SELECT of integer columns (no NULLs) as an int64 array of rows × columns,
    from the driver's tuples: no Row objects, no result processing (integers need none)."""
    width = len(statement.selected_columns)
    result = await connection.execute(statement)
    try:
        rows = result.cursor.fetchall()  # both async adapters buffer the rows at execute
    finally:
        result.close()
    # fromiter over the flattened tuples skips np.array's per-row sequence checks.
    return np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * width).reshape(-1, width)


async def copy_rows(connection: AsyncConnection, table: Table, columns: Sequence[str],
                    values: Sequence[np.ndarray], chunk: int = COPY_CHUNK) -> int:
    """Insert one row per position of the integer arrays `values` (one per column) through the
    driver, in the connection's transaction: COPY on PostgreSQL, executemany on SQLite, a chunk
    at a time (only one chunk's Python rows are alive at once)."""
    table_rows = np.column_stack([np.asarray(v, dtype=np.int64) for v in values])
    if not len(table_rows):
        return 0
    parts = [table_rows[at : at + chunk] for at in range(0, len(table_rows), chunk)]
    quote = connection.dialect.identifier_preparer.quote
    target = f"{quote(table.name)} ({', '.join(quote(table.c[name].name) for name in columns)})"
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    if connection.dialect.name == "postgresql":
        async with driver.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for part in parts:
                for row in part.tolist():
                    await copy.write_row(row)
    else:  # SQLite (aiosqlite)
        sql = f"INSERT INTO {target} VALUES ({', '.join('?' * len(columns))})"
        for part in parts:
            await (await driver.executemany(sql, part.tolist())).close()
    return len(table_rows)


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
