"""Per-request context: one read session (serialised) and the request's DataLoaders."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from strawberry.dataloader import DataLoader

from api.errors import ClientError
from engine.access.permissions import Permission
from engine.access.principal import Principal
from engine.settings import Settings
from engine.store.base import Base
from schemas.errors import ErrorCode

M = TypeVar("M", bound=Base)


class Reader:
    """The request's read session; a lock serialises statements, because resolvers run
    concurrently and an AsyncSession must not be used by two coroutines at once."""

    def __init__(self, sessions: Callable[[], AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()

    async def all(self, stmt: Select[Any]) -> list[Any]:
        async with self._lock:
            if self._session is None:
                self._session = self._sessions()
            return list((await self._session.scalars(stmt)).all())

    async def scalar(self, stmt: Select[Any]) -> Any:
        async with self._lock:
            if self._session is None:
                self._session = self._sessions()
            return await self._session.scalar(stmt)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class Loaders:
    """DataLoaders created on first use within one request: by primary key, and children by
    foreign key; each issues one statement per batch whatever the number of keys."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader
        self._by_id: dict[type[Base], DataLoader[int, Any]] = {}
        self._children: dict[tuple[type[Base], str, str | None], DataLoader[int, list[Any]]] = {}

    def by_id(self, model: type[M]) -> DataLoader[int, M | None]:
        loader = self._by_id.get(model)
        if loader is None:

            async def load(ids: Sequence[int]) -> list[M | None]:
                rows = await self._reader.all(select(model).where(model.id.in_(ids)))  # type: ignore[attr-defined]
                found = {row.id: row for row in rows}
                return [found.get(i) for i in ids]

            loader = self._by_id[model] = DataLoader(load_fn=load)
        return loader

    def children(self, model: type[M], foreign_key: str, order_by: str | None = None) -> DataLoader[int, list[M]]:
        key = (model, foreign_key, order_by)
        loader = self._children.get(key)
        if loader is None:
            column = getattr(model, foreign_key)
            # A fixed order always: the given column, then the primary key(s) to break ties.
            order = ([getattr(model, order_by)] if order_by else []) + list(model.__table__.primary_key.columns)

            async def load(ids: Sequence[int]) -> list[list[M]]:
                stmt = select(model).where(column.in_(ids)).order_by(*order)
                grouped: dict[int, list[M]] = defaultdict(list)
                for row in await self._reader.all(stmt):
                    grouped[getattr(row, foreign_key)].append(row)
                return [grouped.get(i, []) for i in ids]

            loader = self._children[key] = DataLoader(load_fn=load)
        return loader

    async def load_required(self, model: type[M], pk: int) -> M:
        """The row a non-null relation points at. Its foreign key guarantees the row exists, so
        it is missing only when the caller's row scope hides it: a client error (NOT_FOUND) on
        that field, not a null where GraphQL promises a value (which would be an internal error)."""
        row = await self.by_id(model).load(pk)
        if row is None:
            raise ClientError(
                f"The related {model.__name__} is not found: it is outside the rows you may see.",
                ErrorCode.NOT_FOUND,
            )
        return row


@dataclass
class Context:
    """What every resolver gets as `info.context`."""

    request: Request | None
    settings: Settings
    principal: Principal
    # Sessions bound to the principal: its row scope applies to every read and write.
    sessions: Callable[[], AsyncSession]
    reader: Reader
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.reader)

    def can(self, permission: Permission) -> bool:
        return self.principal.can(permission)
