"""Service: networks, technicians and work orders."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.base import Base, BigId, Timestamped, UTCDateTime, enum_column
from engine.store.encrypted import EncryptedText
from schemas.enums import Skill, WorkOrderKind, WorkOrderStatus


class ServiceNetwork(Timestamped, Base):
    """A service outlet: a territory (region codes) served in one time zone."""

    __tablename__ = "service_networks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64))
    region_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    address: Mapped[str] = mapped_column(String(300))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class Technician(Timestamped, Base):
    """A field technician; shift times are local to the network's time zone."""

    __tablename__ = "technicians"
    __table_args__ = (
        CheckConstraint("daily_capacity_minutes > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    network_id: Mapped[int] = mapped_column(
        ForeignKey("service_networks.id", ondelete="RESTRICT"), index=True
    )
    home_latitude: Mapped[float] = mapped_column(Float)
    home_longitude: Mapped[float] = mapped_column(Float)
    shift_start: Mapped[time] = mapped_column(Time)
    shift_end: Mapped[time] = mapped_column(Time)
    daily_capacity_minutes: Mapped[int]
    rating: Mapped[float] = mapped_column(Float, default=5.0)
    active: Mapped[bool] = mapped_column(default=True, index=True)

    skills: Mapped[list[TechnicianSkill]] = relationship(
        cascade="all, delete-orphan", order_by="TechnicianSkill.skill", lazy="raise"
    )


class TechnicianSkill(Base):
    """A certification with its level (1 = trainee … 5 = master)."""

    __tablename__ = "technician_skills"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),)

    technician_id: Mapped[int] = mapped_column(
        ForeignKey("technicians.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[Skill] = mapped_column(enum_column(Skill), primary_key=True, index=True)
    level: Mapped[int]


class WorkOrder(Timestamped, Base):
    """An installation or repair visit at a member's address."""

    __tablename__ = "work_orders"
    __table_args__ = (
        Index("ix_work_orders_network_status", "network_id", "status"),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_range"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("window_end > window_start", name="window_order"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_no: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[WorkOrderKind] = mapped_column(enum_column(WorkOrderKind))
    status: Mapped[WorkOrderStatus] = mapped_column(enum_column(WorkOrderStatus), index=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("service_networks.id", ondelete="RESTRICT"))
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_registrations.id", ondelete="RESTRICT"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    region_code: Mapped[str] = mapped_column(String(16), index=True)
    # The visit address is the member's home: personal data, encrypted; null once erased.
    address: Mapped[str | None] = mapped_column(EncryptedText("work_orders.address"))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    required_skill: Mapped[Skill] = mapped_column(enum_column(Skill), index=True)
    min_skill_level: Mapped[int] = mapped_column(default=1)
    duration_minutes: Mapped[int]
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime())
    priority: Mapped[int] = mapped_column(default=3)
    sla_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    technician_id: Mapped[int | None] = mapped_column(
        ForeignKey("technicians.id", ondelete="RESTRICT"), index=True
    )
    description: Mapped[str | None] = mapped_column(String(1000))
    rating: Mapped[int | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class WorkOrderEvent(Base):
    """One status transition of a work order; append-only."""

    __tablename__ = "work_order_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[WorkOrderStatus | None] = mapped_column(enum_column(WorkOrderStatus))
    to_status: Mapped[WorkOrderStatus] = mapped_column(enum_column(WorkOrderStatus))
    technician_id: Mapped[int | None] = mapped_column(
        ForeignKey("technicians.id", ondelete="SET NULL")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(String(500))
