"""Loyalty queries: a member's points ledger, newest first, and balance."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.errors import ClientError
from api.loyalty.types import PointsBalance, PointsEntry
from api.permissions import requires
from api.relay import Connection, OrderDirection, decode_id, paginate
from engine import clock
from engine.access.permissions import Permission as P
from engine.services import loyalty as service
from engine.store import loyalty as m
from schemas.errors import ErrorCode


def _member_pk(member_id: str) -> int:
    try:
        return decode_id(member_id, "Member")[1]
    except ValueError as exc:
        raise ClientError(str(exc), ErrorCode.BAD_GLOBAL_ID, "memberId") from exc


@strawberry.type
class LoyaltyQueries:
    @strawberry.field(permission_classes=requires(P.LOYALTY_READ), description="A member's points ledger, newest first.")
    async def points_ledger(
        self, info: Info, member_id: strawberry.ID, first: int = 20, after: str | None = None
    ) -> Connection[PointsEntry]:
        conditions = [m.PointsEntry.member_id == _member_pk(member_id)]
        return await paginate(info, m.PointsEntry, conditions, m.PointsEntry.at, OrderDirection.DESC, first, after)

    @strawberry.field(
        permission_classes=requires(P.LOYALTY_READ),
        description="A member's points at a moment; null if the member does not exist.",
    )
    async def points_balance(
        self,
        info: Info,
        member_id: strawberry.ID,
        at: Annotated[datetime | None, strawberry.argument(description="Default now.")] = None,
    ) -> PointsBalance | None:
        pk = _member_pk(member_id)
        if at is not None and at.utcoffset() is None:
            raise ClientError("at must carry a time zone", ErrorCode.INVALID, "at")
        async with info.context.sessions() as session:
            found = await service.balance(session, pk, at or clock.now())
        if found is None:
            return None
        return PointsBalance(
            at=found.at, points=found.points, ledger_points=found.ledger_points, next_expiry_at=found.next_expiry_at,
            next_expiry_points=found.next_expiry_points,
        )
