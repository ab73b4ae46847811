"""Which rows a session inserted, updated or deleted, and which of their columns: names only,
never values (values may be personal data). Collected from the session's own flushes, so what
is recorded is what was written, not what a caller asked for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstanceState, Mapper, Session, UOWTransaction

INSERT = "insert"
UPDATE = "update"
DELETE = "delete"

RowKey = tuple[str, tuple[Any, ...]]


@dataclass
class RowChange:
    """One row's net change over every flush of a session."""

    type: str
    id: tuple[Any, ...]
    action: str
    fields: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: a single-column key as itself, a composite key as a list."""
        return {"type": self.type, "id": self.id[0] if len(self.id) == 1 else list(self.id),
                "action": self.action, "fields": list(self.fields)}


class Changes:
    """Collects the changes of one session; start it with `track` before the first flush."""

    def __init__(self) -> None:
        self._rows: dict[RowKey, RowChange] = {}

    def track(self, session: AsyncSession | Session) -> Changes:
        """Listen to every flush of `session` (an instance listener: no other session is seen)."""
        target = session.sync_session if isinstance(session, AsyncSession) else session
        event.listen(target, "after_flush", self._after_flush)
        return self

    def as_list(self) -> list[dict[str, object]]:
        """Every changed row, in the order first seen."""
        return [row.as_dict() for row in self._rows.values()]

    def _after_flush(self, session: Session, flush_context: UOWTransaction) -> None:
        # After the statements ran but before the session's bookkeeping: `new`, `dirty` and
        # `deleted` and the attributes' history still describe this flush, and new rows have keys.
        for obj in list(session.new):
            state = inspect(obj)
            self._add(state, INSERT, _inserted_fields(state))
        for obj in list(session.dirty):
            state = inspect(obj)
            changed = _updated_fields(state)
            if changed:
                self._add(state, UPDATE, changed)
        deleted = {inspect(obj) for obj in session.deleted}
        # Orphans removed through a delete-orphan relationship (a dealer's regions replaced) are
        # deleted by the flush itself and never appear in `session.deleted`.
        deleted |= {state for state, (is_delete, list_only) in flush_context.states.items() if is_delete and not list_only}
        for state in sorted(deleted, key=lambda s: (type(s.obj() or s.class_).__name__, str(_key(s)))):
            self._add(state, DELETE, [])

    def _add(self, state: InstanceState[Any], action: str, fields: list[str]) -> None:
        key: RowKey = (state.class_.__name__, _key(state))
        seen = self._rows.get(key)
        if seen is None:
            self._rows[key] = RowChange(key[0], key[1], action, fields)
        elif action == DELETE and seen.action == INSERT:
            del self._rows[key]  # created and removed in one unit of work: nothing was kept
        elif action == DELETE:
            seen.action, seen.fields = DELETE, []
        elif seen.action != DELETE:  # an insert or update changed again: one entry, more names
            seen.fields += [f for f in fields if f not in seen.fields]


def _key(state: InstanceState[Any]) -> tuple[Any, ...]:
    """The primary key from the state's loaded values (never a load: this runs inside a flush)."""
    if state.key is not None:
        return tuple(state.key[1])
    mapper: Mapper[Any] = state.mapper
    return tuple(state.dict.get(mapper.get_property_by_column(c).key) for c in mapper.primary_key)


def _surrogate_key(mapper: Mapper[Any]) -> set[str]:
    """A single-column primary key is the row's id, reported as `id`, not as a changed field."""
    keys = list(mapper.primary_key)
    return {mapper.get_property_by_column(keys[0]).key} if len(keys) == 1 else set()


def _inserted_fields(state: InstanceState[Any]) -> list[str]:
    """The columns the new row was given a value in."""
    mapper: Mapper[Any] = state.mapper
    skip = _surrogate_key(mapper)
    return [a.key for a in mapper.column_attrs if a.key not in skip and state.dict.get(a.key) is not None]


def _updated_fields(state: InstanceState[Any]) -> list[str]:
    """The columns whose value this flush changed (an attribute set to its old value is not)."""
    return [a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()]
