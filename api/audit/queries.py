"""Audit queries: the trail of events, newest first, for auditors."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement
from strawberry.types import Info

from api.audit.types import AuditEvent, AuditOutcome
from api.errors import ClientError
from api.filters import DateTimeRange, range_conditions
from api.permissions import requires
from api.relay import Connection, OrderDirection, decode_id, paginate_sorted
from engine.access.permissions import Permission as P
from engine.services.audit import Outcome
from engine.store import access as m
from schemas.errors import ErrorCode


@strawberry.input(description="Audit events matching every given condition.")
class AuditEventWhereInput:
    actor_name: str | None = strawberry.field(default=None, description="The username or API key name, exactly.")
    operation: str | None = strawberry.field(default=None, description="e.g. `storeUpdate` or `login`.")
    object_type: str | None = strawberry.field(default=None, description="e.g. `Store`.")
    object: strawberry.ID | None = strawberry.field(default=None, description="Events about this object (global id).")
    outcome: list[AuditOutcome] | None = None  # type: ignore[valid-type]
    at: DateTimeRange | None = None


@strawberry.enum
class AuditEventOrderField(Enum):
    AT = "at"
    OPERATION = "operation"
    ACTOR_NAME = "actor_name"


@strawberry.input
class AuditEventOrder:
    field: AuditEventOrderField
    direction: OrderDirection = OrderDirection.DESC


def audit_event_conditions(where: AuditEventWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    c: list[Any] = []
    if where.actor_name is not None:
        c.append(m.AuditEvent.actor_name == where.actor_name)
    if where.operation is not None:
        c.append(m.AuditEvent.operation == where.operation)
    if where.object_type is not None:
        c.append(m.AuditEvent.object_type == where.object_type)
    if where.object is not None:
        try:
            type_name, pk = decode_id(where.object)
        except ValueError as exc:
            raise ClientError(str(exc), ErrorCode.BAD_GLOBAL_ID, "where.object") from exc
        c += [m.AuditEvent.object_type == type_name, m.AuditEvent.object_id == pk]
    if where.outcome:
        c.append(m.AuditEvent.outcome.in_([Outcome(o).value for o in where.outcome]))
    c += range_conditions(m.AuditEvent.at, where.at, "where.at")
    return c


@strawberry.type
class AuditQueries:
    @strawberry.field(permission_classes=requires(P.AUDIT_READ), description="The audit trail, newest first by default.")
    async def audit_events(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        where: AuditEventWhereInput | None = None,
        sort_by: AuditEventOrder | None = None,
    ) -> Connection[AuditEvent]:
        return await paginate_sorted(
            info, m.AuditEvent, audit_event_conditions(where), sort_by, AuditEventOrderField.AT, first, after,
            default_direction=OrderDirection.DESC,
        )
