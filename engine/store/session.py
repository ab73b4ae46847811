"""Database engines and sessions: async for the service, sync for migrations and bulk loads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

import engine.store.scoping  # noqa: F401  (registers the row-scope listener on every Session)


def sync_url(url: str) -> str:
    """The URL with a synchronous driver (psycopg 3 for PostgreSQL, pysqlite for SQLite)."""
    u = make_url(url)
    backend = u.get_backend_name()
    driver = {"sqlite": "pysqlite", "postgresql": "psycopg"}.get(backend)
    return u.set(drivername=f"{backend}+{driver}").render_as_string(hide_password=False) if driver else url


def async_url(url: str) -> str:
    """The URL with an asyncio driver (psycopg 3 async for PostgreSQL, aiosqlite for SQLite)."""
    u = make_url(url)
    backend = u.get_backend_name()
    driver = {"sqlite": "aiosqlite", "postgresql": "psycopg"}.get(backend)
    return u.set(drivername=f"{backend}+{driver}").render_as_string(hide_password=False) if driver else url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite leaves foreign keys off by default; WAL lets readers run beside the writer; a 64 MB
    # page cache instead of the default 2 MB, for reads of millions of rows (settlement runs).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def make_sync_engine(url: str, **kwargs: Any) -> Engine:
    # hide_parameters: a failed statement's message must not carry personal data to the logs.
    engine = create_engine(sync_url(url), hide_parameters=True, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_async_engine(url: str, **kwargs: Any) -> AsyncEngine:
    engine = create_async_engine(async_url(url), hide_parameters=True, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class BoundSessions:
    """Sessions of one principal: each carries it, so the row scope applies to all it loads."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], principal: Any) -> None:
        self._sessions = sessions
        self.principal = principal

    def __call__(self) -> AsyncSession:
        return self._sessions(info={"principal": self.principal})


@asynccontextmanager
async def transaction(sessions: Callable[[], AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back everything on any error."""
    async with sessions() as session, session.begin():
        yield session
