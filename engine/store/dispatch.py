"""Dispatch: stored day plans of a service network, kept with what they were computed from."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base, BigId, Timestamped, UTCDateTime, enum_column
from schemas.dispatch import Mode, SolverStatus


class DispatchPlanStatus(str, Enum):
    DRAFT = "draft"  # computed and stored; nothing assigned yet
    APPLIED = "applied"  # its assignments were written to the work orders


class DispatchPlan(Timestamped, Base):
    """A batch plan (assign or route mode) for one network's day.

    The problem it solved is stored with its digest, so the plan can be reproduced; the
    versions of every work order and technician it read let `apply` refuse a stale plan.
    """

    __tablename__ = "dispatch_plans"
    __table_args__ = (Index("ix_dispatch_plans_network_day", "network_id", "day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("service_networks.id", ondelete="RESTRICT"))
    day: Mapped[date] = mapped_column(Date)
    origin: Mapped[datetime] = mapped_column(UTCDateTime())  # minute 0 of the plan's times
    mode: Mapped[Mode] = mapped_column(enum_column(Mode, 16))
    status: Mapped[DispatchPlanStatus] = mapped_column(enum_column(DispatchPlanStatus, 16), index=True)
    time_limit_seconds: Mapped[float] = mapped_column(Float)
    seed: Mapped[int]
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the problem's canonical JSON
    problem: Mapped[dict[str, Any]] = mapped_column(JSON)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    # {"work_orders": {pk: version}, "technicians": {pk: digest of his problem entry}}
    versions: Mapped[dict[str, Any]] = mapped_column(JSON)
    solver_status: Mapped[SolverStatus] = mapped_column(enum_column(SolverStatus, 16))
    assigned_count: Mapped[int]
    unassigned_count: Mapped[int]
    created_by: Mapped[str] = mapped_column(String(100))
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    applied_by: Mapped[str | None] = mapped_column(String(100))
    row_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": row_version}
