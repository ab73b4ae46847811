"""Loyalty mutations: redeem points, award an activity's points, expire lots past their date.
Orders earn and give back points through the order mutations, not here."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from api.errors import MutationError
from api.inputs import input_data
from api.loyalty.types import PointsEntry
from api.mutations import run_mutation
from api.permissions import requires
from engine import clock
from engine.access.permissions import Permission as P
from engine.services import loyalty as service
from engine.store.loyalty import PointsEntry as PointsEntryRow

MEMBER_ID = {"member_id": "Member"}


@strawberry.input(description="Spend a member's points on a reward of the live catalogue, or a number of points.")
class PointsRedeemInput:
    member_id: strawberry.ID
    reference: str = strawberry.field(
        description="Your key of this redemption: sent again, it returns the first redemption instead of a second."
    )
    reward_key: str | None = strawberry.field(default=None, description="A reward of the live loyalty document.")
    points: int | None = strawberry.field(default=None, description="Instead of a reward: this many points.")


@strawberry.input(description="Points for something a member did, as the live loyalty document awards it.")
class PointsActivityAwardInput:
    member_id: strawberry.ID
    activity: str = strawberry.field(description="e.g. product_registration, service_review.")
    reference: str = strawberry.field(
        description="Your key of the activity (e.g. registration:812): awarded once per reference."
    )


@strawberry.input(description="Write off what is left of the lots past their expiry.")
class PointsExpireInput:
    as_of: datetime | None = strawberry.field(default=None, description="Default now; never later than now.")
    member_id: strawberry.ID | None = strawberry.field(default=None, description="Only this member's lots.")


@strawberry.type
class PointsEntryPayload:
    points_entry: PointsEntry | None
    errors: list[MutationError]


@strawberry.type
class PointsExpirePayload:
    expired_entries: int = strawberry.field(description="Expire entries written: one per member with points expiring.")
    errors: list[MutationError]


@strawberry.type
class LoyaltyMutations:
    @strawberry.mutation(
        permission_classes=requires(P.LOYALTY_WRITE),
        description="Redeem points, oldest first; refused with INSUFFICIENT_POINTS if the member has too few.",
    )
    async def points_redeem(self, info: Info, input: PointsRedeemInput) -> PointsEntryPayload:
        actor = info.context.principal.audit_name
        entry, errors = await run_mutation(
            info, lambda s: service.redeem_points(s, **input_data(input, MEMBER_ID), at=clock.now(), actor=actor)
        )
        return PointsEntryPayload(points_entry=entry, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.LOYALTY_WRITE), description="Award an activity's points.")
    async def points_activity_award(self, info: Info, input: PointsActivityAwardInput) -> PointsEntryPayload:
        actor = info.context.principal.audit_name
        entry, errors = await run_mutation(
            info, lambda s: service.award_activity(s, **input_data(input, MEMBER_ID), at=clock.now(), actor=actor)
        )
        return PointsEntryPayload(points_entry=entry, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.LOYALTY_WRITE), description="Expire the points past their date.")
    async def points_expire(self, info: Info, input: PointsExpireInput) -> PointsExpirePayload:
        actor = info.context.principal.audit_name

        async def expire(session: AsyncSession) -> list[PointsEntryRow]:
            data = input_data(input, MEMBER_ID)
            as_of = data.get("as_of") or clock.now()
            return await service.expire_points(session, as_of=as_of, member_id=data.get("member_id"), actor=actor)

        entries, errors = await run_mutation(info, expire)
        return PointsExpirePayload(expired_entries=len(entries or []), errors=errors)
