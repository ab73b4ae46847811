"""Consumers: members and the products they registered."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base, BigId, Timestamped, enum_column
from schemas.enums import IncomeBand, MemberTier


class Member(Timestamped, Base):
    """A consumer; the mobile number is the identity key."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    mobile: Mapped[str] = mapped_column(String(20), unique=True)
    region_code: Mapped[str] = mapped_column(String(16), index=True)
    address: Mapped[str] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    estate: Mapped[str | None] = mapped_column(String(200))
    layout: Mapped[str | None] = mapped_column(String(32))
    household_size: Mapped[int | None]
    income_band: Mapped[IncomeBand | None] = mapped_column(enum_column(IncomeBand))
    special_needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    tier: Mapped[MemberTier] = mapped_column(enum_column(MemberTier), index=True)
    growth_value: Mapped[int] = mapped_column(default=0)


class ProductRegistration(Timestamped, Base):
    """A unit a member owns; warranty status is derived from warranty_end, never stored."""

    __tablename__ = "product_registrations"
    __table_args__ = (UniqueConstraint("product_id", "serial_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    serial_number: Mapped[str] = mapped_column(String(64))
    purchase_date: Mapped[date]
    store_id: Mapped[int | None] = mapped_column(
        ForeignKey("stores.id", ondelete="RESTRICT"), index=True
    )
    warranty_end: Mapped[date]
