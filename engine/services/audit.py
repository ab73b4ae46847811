"""The audit trail: one event per mutation or login attempt, written in its own transaction so
that a refused or failed attempt is recorded although its own changes were rolled back."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from engine import clock
from engine.access.principal import Principal
from engine.store.access import AuditEvent
from engine.store.session import transaction

log = logging.getLogger(__name__)


class Outcome(str, Enum):
    """How an attempt ended."""

    OK = "ok"  # done (committed)
    REFUSED = "refused"  # a client mistake reported in the payload; nothing changed
    ERROR = "error"  # an unexpected exception; nothing changed
    DENIED = "denied"  # the caller lacks the permission; not attempted


@dataclass
class AuditRecord:
    operation: str
    outcome: str  # an Outcome value
    object_type: str | None = None
    object_id: int | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    error_codes: Sequence[str] = ()


async def record(
    sessions: Callable[[], AsyncSession],
    actor: Principal | None,
    entry: AuditRecord,
    client: str | None = None,
    actor_name: str | None = None,
) -> None:
    """Write one event; a failure to audit is logged, never turned into the caller's error."""
    try:
        async with transaction(sessions) as session:
            session.add(AuditEvent(
                at=clock.now(),
                actor_kind=actor.kind if actor else "anonymous",
                actor_id=actor.id if actor else None,
                actor_name=(actor_name or (actor.name if actor else "anonymous"))[:100],
                operation=entry.operation[:64],
                object_type=entry.object_type,
                object_id=entry.object_id,
                changes=entry.changes,
                outcome=Outcome(entry.outcome).value,
                error_codes=sorted(set(entry.error_codes)),
                client=client[:64] if client else None,
            ))
    except Exception:  # the audit must not mask the outcome the caller is owed
        log.exception("could not write the audit event for %s", entry.operation)
