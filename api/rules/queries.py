"""Rule-set queries: sets and versions as connections, and the JSON Schema of each kind's documents."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, or_, select
from strawberry.scalars import JSON
from strawberry.types import Info

from api.errors import ClientError
from api.permissions import requires
from api.relay import Connection, OrderDirection, filter_ids, paginate_sorted
from api.rules.types import RuleSet, RuleSetVersion
from engine.access.permissions import Permission as P
from engine.services.rule_documents import document_model
from engine.store import rules as m
from schemas.errors import ErrorCode
from schemas.rules import RuleSetKind, RuleSetStatus


@strawberry.input(description="Rule sets matching every given condition.")
class RuleSetWhereInput:
    kind: list[RuleSetKind] | None = None
    key: str | None = strawberry.field(default=None, description="Exact key.")
    key_contains: str | None = None
    name_contains: str | None = None


@strawberry.enum
class RuleSetOrderField(Enum):
    KEY = "key"
    NAME = "name"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@strawberry.input
class RuleSetOrder:
    field: RuleSetOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input(description="Rule-set versions matching every given condition.")
class RuleSetVersionWhereInput:
    rule_set: list[strawberry.ID] | None = strawberry.field(default=None, description="Versions of one of these sets.")
    rule_set_key: str | None = strawberry.field(default=None, description="Versions of the set with this key.")
    kind: list[RuleSetKind] | None = None
    status: list[RuleSetStatus] | None = None
    window_contains: datetime | None = strawberry.field(
        default=None, description="The version's window contains this moment (whatever its status)."
    )


@strawberry.enum
class RuleSetVersionOrderField(Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    VERSION = "version"


@strawberry.input
class RuleSetVersionOrder:
    field: RuleSetVersionOrderField
    direction: OrderDirection = OrderDirection.ASC


def rule_set_conditions(where: RuleSetWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    c: list[Any] = []
    if where.kind:
        c.append(m.RuleSet.kind.in_(where.kind))
    if where.key is not None:
        c.append(m.RuleSet.key == where.key)
    if where.key_contains:
        c.append(m.RuleSet.key.contains(where.key_contains, autoescape=True))
    if where.name_contains:
        c.append(m.RuleSet.name.contains(where.name_contains, autoescape=True))
    return c


def rule_set_version_conditions(where: RuleSetVersionWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    v = m.RuleSetVersion
    c: list[Any] = []
    sets = filter_ids(where.rule_set, "RuleSet", "where.ruleSet")
    if sets is not None:
        c.append(v.rule_set_id.in_(sets))
    if where.rule_set_key is not None:
        c.append(v.rule_set_id.in_(select(m.RuleSet.id).where(m.RuleSet.key == where.rule_set_key)))
    if where.kind:
        c.append(v.rule_set_id.in_(select(m.RuleSet.id).where(m.RuleSet.kind.in_(where.kind))))
    if where.status:
        c.append(v.status.in_(where.status))
    if where.window_contains is not None:
        at = _aware(where.window_contains, "where.windowContains")
        c += [or_(v.valid_from.is_(None), v.valid_from <= at), or_(v.valid_to.is_(None), v.valid_to > at)]
    return c


def _aware(moment: datetime, field: str) -> datetime:
    if moment.utcoffset() is None:
        raise ClientError(f"{field}: times must carry a time zone offset", ErrorCode.INVALID, field)
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ClientError(f"{field}: {moment.isoformat()} is out of range", ErrorCode.OUT_OF_RANGE, field) from exc


@strawberry.type
class RuleQueries:
    @strawberry.field(permission_classes=requires(P.RULES_READ), description="Rule sets, a page at a time.")
    async def rule_sets(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        where: RuleSetWhereInput | None = None,
        sort_by: RuleSetOrder | None = None,
    ) -> Connection[RuleSet]:
        return await paginate_sorted(
            info, m.RuleSet, rule_set_conditions(where), sort_by, RuleSetOrderField.KEY, first, after
        )

    @strawberry.field(
        permission_classes=requires(P.RULES_READ),
        description="Versions of rule sets, a page at a time (default: oldest first).",
    )
    async def rule_set_versions(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        where: RuleSetVersionWhereInput | None = None,
        sort_by: RuleSetVersionOrder | None = None,
    ) -> Connection[RuleSetVersion]:
        return await paginate_sorted(
            info, m.RuleSetVersion, rule_set_version_conditions(where), sort_by, RuleSetVersionOrderField.CREATED_AT,
            first, after,
        )

    @strawberry.field(
        permission_classes=requires(P.RULES_READ),
        description="The JSON Schema (draft 2020-12) of a kind's rule documents, to validate a document before sending it.",
    )
    def rule_document_schema(self, kind: RuleSetKind) -> JSON:  # type: ignore[valid-type]
        return document_model(kind).model_json_schema()
