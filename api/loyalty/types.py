"""GraphQL types of member points: ledger entries read straight from their rows, and balances."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from api.consumer.types import Member
from api.permissions import requires
from api.relay import node_type
from engine.access.permissions import Permission as P
from engine.store import consumer as consumer_m
from engine.store import loyalty as m
from engine.store.loyalty import LOT_KINDS
from schemas.loyalty import PointsEntryKind as Kind

PointsEntryKind = strawberry.enum(Kind, name="PointsEntryKind", description="What moved a member's points.")


@node_type(m.PointsEntry)
@strawberry.type(
    description="One movement of a member's points on the append-only ledger: signed (lots earned by orders and "
    "activities are positive; redemptions, expiries and reversals negative). Never changed once written."
)
class PointsEntry(relay.Node):
    id: relay.NodeID[int]
    kind: PointsEntryKind  # type: ignore[valid-type]
    points: int
    growth: int = strawberry.field(description="Growth value (whole yuan paid) this entry added or took back.")
    order_ref: str | None = strawberry.field(description="The order of an earn or reverse entry.")
    reference: str | None = strawberry.field(description="The caller's reference: order, return, redemption or activity.")
    activity: str | None
    reward: str | None = strawberry.field(description="The reward key a redemption bought, if any.")
    at: datetime
    expires_at: datetime | None = strawberry.field(description="When a lot's points expire; null for other entries.")
    rule_set: str | None = strawberry.field(description="The loyalty rule set whose live version applied.")
    version: int | None
    created_by: str
    created_at: datetime

    @strawberry.field(description="How the points came about: per-line points and the trace of earn rules, "
                      "returned units, owed points, reward, expired lots.")
    def detail(self) -> JSON:  # type: ignore[valid-type]
        row: Any = self
        return row.detail  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=requires(P.MEMBER_READ), description="Requires `member:read`.")
    async def member(self, info: Info) -> Member:
        return await info.context.loaders.load_required(consumer_m.Member, self.member_id)  # type: ignore[attr-defined]

    @strawberry.field(description="For a lot (earn, activity): its points not yet redeemed, expired or reversed; "
                      "null for other entries.")
    async def remaining(self, info: Info) -> int | None:
        row: Any = self
        if row.kind not in LOT_KINDS:
            return None
        used = await info.context.loaders.children(m.PointsAllocation, "lot_id").load(row.id)
        return int(row.points - sum(a.points for a in used))

    @strawberry.field(description="For a redemption, expiry or reversal: the lots its points came from, oldest first.")
    async def allocations(self, info: Info) -> list[PointsAllocation]:
        row: Any = self
        return await info.context.loaders.children(m.PointsAllocation, "entry_id").load(row.id)  # type: ignore[return-value]


@strawberry.type(description="Points of one entry taken from one lot.")
class PointsAllocation:
    points: int

    @strawberry.field(description="The lot (an earn or activity entry) the points came from.")
    async def lot(self, info: Info) -> PointsEntry:
        return await info.context.loaders.load_required(m.PointsEntry, self.lot_id)  # type: ignore[attr-defined,return-value]


@strawberry.type(description="A member's points at a moment.")
class PointsBalance:
    at: datetime
    points: int = strawberry.field(
        description="What can be spent: the ledger's sum less points past expiry not yet written off. Negative "
        "when a return took back points already spent; the next points earned settle it."
    )
    ledger_points: int = strawberry.field(description="The sum of the ledger's entries up to `at`.")
    next_expiry_at: datetime | None = strawberry.field(description="When the next points expire, if any do.")
    next_expiry_points: int = strawberry.field(description="How many points expire then.")
