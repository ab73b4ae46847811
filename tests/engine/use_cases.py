"""Running a use case the way a mutation does, for the service tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from engine.store.session import make_async_engine, make_sessionmaker, transaction

T = TypeVar("T")


def run(
    database_url: str,
    use_case: Callable[[AsyncSession], Awaitable[T]],
    statements: list[str] | None = None,
) -> T:
    """Run one use case in one committed transaction (recording its SQL into `statements`)."""

    async def go() -> T:
        engine = make_async_engine(database_url)
        if statements is not None:
            event.listen(
                engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2])
            )
        try:
            async with transaction(make_sessionmaker(engine)) as session:
                return await use_case(session)
        finally:
            await engine.dispose()

    return asyncio.run(go())
