"""The GraphQL type of an audit event, read straight from its row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from api.errors import ErrorCodeType  # noqa: F401  (registers ErrorCode)
from api.relay import NODE_MODELS, global_id, node_type
from engine.services.audit import Outcome
from engine.store import access as m
from schemas.errors import ErrorCode

AuditOutcome = strawberry.enum(Outcome, name="AuditOutcome", description="How an audited attempt ended.")

_CODES = {c.value for c in ErrorCode}
# The node type of each kind of actor, for its global id.
_ACTOR_TYPES = {"user": "User", "api_key": "ApiKey"}


def _id_of(type_name: str | None, pk: int | None) -> strawberry.ID | None:
    """A global id when the type is a node type of the schema; otherwise the bare key."""
    if pk is None:
        return None
    if type_name in NODE_MODELS:
        return strawberry.ID(global_id(type_name, pk))
    return strawberry.ID(str(pk))


@node_type(m.AuditEvent)
@strawberry.type(
    name="AuditEvent",
    description="One mutation or login attempt: who, what, on which object, which fields changed "
    "(names only, never values), and how it ended. Written even when the attempt changed nothing.",
)
class AuditEvent(relay.Node):
    id: relay.NodeID[int]
    at: datetime
    actor_kind: str = strawberry.field(description="user, api_key, system or anonymous.")
    actor_name: str = strawberry.field(description="The username or the API key's name.")
    operation: str = strawberry.field(description="The mutation field (e.g. `storeUpdate`) or `login`.")
    object_type: str | None = strawberry.field(description="The type of the object acted on, if known.")
    client: str | None = strawberry.field(description="The caller's network address.")

    @strawberry.field(description="The actor's id: a global id for a user or an API key.")
    def actor_id(self) -> strawberry.ID | None:
        row: Any = self
        return _id_of(_ACTOR_TYPES.get(row.actor_kind), row.actor_id)

    @strawberry.field(description="The object's global id when it is a node type, its bare key otherwise.")
    def object_id(self) -> strawberry.ID | None:
        row: Any = self
        return _id_of(row.object_type, row.object_id)

    @strawberry.field(description="Rows written: [{type, id, action: insert|update|delete, fields: [column names]}].")
    def changes(self) -> JSON:
        row: Any = self
        return list(row.changes)

    @strawberry.field(description="Why it was refused, denied or failed.")
    def error_codes(self) -> list[ErrorCode]:
        row: Any = self
        return [ErrorCode(c) for c in row.error_codes if c in _CODES]

    @strawberry.field
    def outcome(self) -> Outcome:
        row: Any = self
        return Outcome(row.outcome)
