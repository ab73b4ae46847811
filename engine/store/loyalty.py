"""Member points: an append-only ledger. Balances, lot remainders and debts are derived from it;
no entry or allocation is ever updated or deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base, BigId, UTCDateTime, enum_column, utcnow
from schemas.loyalty import PointsEntryKind

LOT_KINDS = frozenset({PointsEntryKind.EARN, PointsEntryKind.ACTIVITY})


class PointsEntry(Base):
    """One movement of a member's points, signed: lots (earn, activity) are positive, the rest
    negative. `idempotency_key` makes a repeated call return the first entry (earn: the order;
    reverse: order and return; redeem and activity: the caller's reference)."""

    __tablename__ = "points_entries"
    __table_args__ = (
        UniqueConstraint("kind", "idempotency_key"),
        Index("ix_points_entries_member_at", "member_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    kind: Mapped[PointsEntryKind] = mapped_column(enum_column(PointsEntryKind, 16))
    points: Mapped[int] = mapped_column(BigInteger)
    growth: Mapped[int] = mapped_column(BigInteger, default=0)  # whole yuan, signed
    order_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    reference: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(140))
    activity: Mapped[str | None] = mapped_column(String(64))
    reward: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # lots only
    rule_set: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.current_timestamp()
    )


class PointsAllocation(Base):
    """Points of a consuming entry (redeem, expire, reverse) taken from one lot. A lot's
    remainder is its points less its allocations; a reversal's unallocated part is a debt the
    member's next lots settle first."""

    __tablename__ = "points_allocations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("points_entries.id", ondelete="RESTRICT"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("points_entries.id", ondelete="RESTRICT"), index=True)
    points: Mapped[int] = mapped_column(BigInteger)
