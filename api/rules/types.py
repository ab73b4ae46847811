"""GraphQL types of rule sets and their versions, read straight from ORM rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from api.errors import ClientError
from api.relay import node_type
from engine import clock
from engine.services import rule_sets as service
from engine.store import rules as m
from schemas.errors import ErrorCode
from schemas.rules import RuleSetKind, RuleSetStatus

strawberry.enum(
    RuleSetKind,
    description="What a rule set's documents decide: PRICING prices, LOYALTY member points, REBATE dealer rebates "
    "(settled by rebateSettlementRun), PRICE_PROTECTION credits for dealer price cuts (run by priceChangePublish).",
)
strawberry.enum(
    RuleSetStatus,
    description="DRAFT while authored; PUBLISHED (immutable) counts within its window; RETIRED never counts again.",
)


@node_type(m.RuleSetVersion)
@strawberry.type(description="One version of a rule set: its document and when it is live.")
class RuleSetVersion(relay.Node):
    id: relay.NodeID[int]
    version: int = strawberry.field(description="1, 2, … within its rule set.")
    status: RuleSetStatus
    document: JSON = strawberry.field(  # type: ignore[valid-type]
        description="The rule document as validated (see ruleDocumentSchema for its JSON Schema)."
    )
    digest: str = strawberry.field(description="SHA-256 of the document's canonical JSON: its content address.")
    valid_from: datetime | None = strawberry.field(description="Live from (inclusive); null: since ever.")
    valid_to: datetime | None = strawberry.field(description="Live until (exclusive); null: with no end.")
    author: str
    note: str | None
    published_at: datetime | None
    published_by: str | None
    retired_at: datetime | None
    retired_by: str | None
    row_version: int = strawberry.field(
        description="Bumped by every change; pass it back as expectedVersion to refuse stale writes."
    )
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="The rule set this is a version of.")
    async def rule_set(self, info: Info) -> RuleSet:
        return await info.context.loaders.load_required(m.RuleSet, self.rule_set_id)  # type: ignore[attr-defined]


@node_type(m.RuleSet)
@strawberry.type(description="A named, versioned set of rules of one kind; `key` is its natural key.")
class RuleSet(relay.Node):
    id: relay.NodeID[int]
    key: str
    kind: RuleSetKind
    name: str
    description: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="Every version, oldest first.")
    async def versions(self, info: Info) -> list[RuleSetVersion]:
        return await _versions(info, self.id)

    @strawberry.field(
        description="The version live at `at` (default: now): the published version with the highest "
        "number whose window contains it; null if none."
    )
    async def live_version(self, info: Info, at: datetime | None = None) -> RuleSetVersion | None:
        if at is not None and at.utcoffset() is None:
            raise ClientError("at must carry a time zone", ErrorCode.INVALID, "at")
        return service.live_version(await _versions(info, self.id), at or clock.now())  # type: ignore[return-value]


async def _versions(info: Info, rule_set_id: int) -> list[Any]:
    return await info.context.loaders.children(m.RuleSetVersion, "rule_set_id", "version").load(rule_set_id)
