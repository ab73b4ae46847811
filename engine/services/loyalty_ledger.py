"""Reads of the points ledger: lots with what is left of them, debts, balances. Everything is
derived from the append-only entries and allocations; nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.loyalty import Lot
from engine.store.loyalty import LOT_KINDS, PointsAllocation, PointsEntry
from engine.store.scoping import UNSCOPED
from schemas.loyalty import PointsEntryKind

# Execution options: the caller's row scope, or every row (the order use cases award and
# reverse points for whichever member bought, whoever placed the order).
Options = dict[str, Any]
SCOPED: Options = {}
ALL_ROWS: Options = {UNSCOPED: True}


async def lots(session: AsyncSession, member_id: int, options: Options = SCOPED) -> list[Lot]:
    """The member's lots (earn and activity entries) with their remainders after every allocation."""
    used = (
        select(func.coalesce(func.sum(PointsAllocation.points), 0))
        .where(PointsAllocation.lot_id == PointsEntry.id)
        .correlate(PointsEntry)
        .scalar_subquery()
    )
    rows = (await session.execute(
        select(PointsEntry.id, PointsEntry.at, PointsEntry.expires_at, PointsEntry.points, used.label("used"))
        .where(PointsEntry.member_id == member_id, PointsEntry.kind.in_(LOT_KINDS))
        .order_by(PointsEntry.at, PointsEntry.id)
        .execution_options(**options)
    )).all()
    return [Lot(id=r.id, earned_at=r.at, expires_at=r.expires_at, remaining=r.points - int(r.used)) for r in rows]


async def debts(session: AsyncSession, member_id: int, options: Options = SCOPED) -> list[tuple[int, int]]:
    """(reverse entry id, points still owed), oldest first: reversals of points already spent."""
    settled = (
        select(func.coalesce(func.sum(PointsAllocation.points), 0))
        .where(PointsAllocation.entry_id == PointsEntry.id)
        .correlate(PointsEntry)
        .scalar_subquery()
    )
    rows = (await session.execute(
        select(PointsEntry.id, PointsEntry.points, settled.label("settled"))
        .where(PointsEntry.member_id == member_id, PointsEntry.kind == PointsEntryKind.REVERSE)
        .order_by(PointsEntry.at, PointsEntry.id)
        .execution_options(**options)
    )).all()
    owed = [(r.id, -r.points - int(r.settled)) for r in rows]
    return [(entry_id, points) for entry_id, points in owed if points > 0]


@dataclass(frozen=True)
class PointsBalance:
    """A member's points at a moment. `points` can be spent: the ledger's sum less what has
    expired but not yet been written off by an expiry run; negative when a return took back
    points that had already been spent (the next points earned settle the debt)."""

    member_id: int
    at: datetime
    points: int
    ledger_points: int  # the sum of the entries up to `at`
    next_expiry_at: datetime | None
    next_expiry_points: int


async def balance_at(session: AsyncSession, member_id: int, at: datetime) -> PointsBalance:
    """The balance from the entries up to `at` (an allocation counts once both its entries do)."""
    entries = list(await session.scalars(
        select(PointsEntry).where(PointsEntry.member_id == member_id, PointsEntry.at <= at)
    ))
    known = {e.id for e in entries}
    rows = (await session.execute(
        select(PointsAllocation.entry_id, PointsAllocation.lot_id, PointsAllocation.points)
        .join(PointsEntry, PointsEntry.id == PointsAllocation.entry_id)
        .where(PointsEntry.member_id == member_id)
    )).all()
    used: dict[int, int] = defaultdict(int)
    settled: dict[int, int] = defaultdict(int)
    for row in rows:
        if row.entry_id in known and row.lot_id in known:
            used[row.lot_id] += row.points
            settled[row.entry_id] += row.points
    live = [
        Lot(id=e.id, earned_at=e.at, expires_at=e.expires_at, remaining=e.points - used[e.id])
        for e in entries if e.kind in LOT_KINDS
    ]
    live = [lot for lot in live if lot.live(at)]
    owed = sum(max(-e.points - settled[e.id], 0) for e in entries if e.kind is PointsEntryKind.REVERSE)
    expiries = sorted({lot.expires_at for lot in live if lot.expires_at is not None})
    next_at = expiries[0] if expiries else None
    return PointsBalance(
        member_id=member_id,
        at=at,
        points=sum(lot.remaining for lot in live) - owed,
        ledger_points=sum(e.points for e in entries),
        next_expiry_at=next_at,
        next_expiry_points=sum(lot.remaining for lot in live if lot.expires_at == next_at) if next_at else 0,
    )
