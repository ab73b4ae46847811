"""Bulk loading of demo rows with SQLAlchemy Core, and a digest to compare what two loads hold."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, text

from engine.demo.generate import TABLES, DemoData
from engine.store import Base  # the package registers every model's table on the metadata

Progress = Callable[[str, int], None]
CHUNK_ROWS = 5_000


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def load(
    engine: Engine,
    data: DemoData,
    on_progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> None:
    """Insert every table's rows (executemany in chunks, one transaction), move each id
    sequence past the loaded ids so that rows created later get fresh ones, then refresh the
    planner's statistics."""
    with engine.begin() as connection:
        for name, rows in data.tables.items():
            statement = insert(table(name))
            for start in range(0, len(rows), chunk_rows):
                chunk = rows[start : start + chunk_rows]
                connection.execute(statement, chunk)
                if on_progress is not None:
                    on_progress(name, len(chunk))
        reset_id_sequences(connection)
    with engine.begin() as connection:
        # Without statistics SQLite filters a page of 20,000 work orders by the status index and
        # sorts them all (17 ms); with them it walks the window_start index (0.6 ms).
        connection.execute(text("ANALYZE"))


def reset_id_sequences(connection: Connection) -> None:
    """On PostgreSQL, set each `id` sequence to follow the largest id; SQLite needs nothing
    (an INTEGER PRIMARY KEY continues from the largest rowid)."""
    if connection.dialect.name != "postgresql":
        return
    for name in TABLES:
        if "id" not in table(name).primary_key.columns:
            continue
        connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:name, 'id'),"
                f' COALESCE(MAX(id), 0) + 1, false) FROM "{name}"'
            ),
            {"name": f'"{name}"'},
        )


def row_counts(connection: Connection) -> dict[str, int]:
    """Rows in each demo table."""
    return {
        name: connection.scalar(select(func.count()).select_from(table(name))) or 0
        for name in TABLES
    }


def digest_rows(name: str, rows: Iterable[Mapping[Any, Any]]) -> str:
    """A SHA-256 over the rows of a table, in primary-key order, every column in table order
    (a column the generator leaves out counts as NULL, as the database stores it)."""
    columns = [c.name for c in table(name).columns]
    key = [c.name for c in table(name).primary_key.columns]
    ordered = sorted(rows, key=lambda r: tuple(_plain(r[k]) for k in key))
    h = hashlib.sha256()
    for row in ordered:
        h.update(
            json.dumps([_plain(row.get(c)) for c in columns], ensure_ascii=False, default=str).encode()
        )
        h.update(b"\n")
    return h.hexdigest()


def table_digest(connection: Connection, name: str) -> str:
    """The digest of a table's rows as stored (compare with `digest_rows` of generated rows)."""
    return digest_rows(name, connection.execute(select(table(name))).mappings())


def _plain(value: Any) -> Any:
    """One spelling per value whatever the backend returned: enums by value, times in ISO form."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value
