"""Consumers: members and the products they registered."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from engine.privacy.lookup import mobile_digest
from engine.store.base import Base, BigId, Timestamped, UTCDateTime, enum_column
from engine.store.encrypted import EncryptedText
from schemas.enums import IncomeBand, MemberTier


class Member(Timestamped, Base):
    """A consumer; the mobile number is the identity key. Mobile, address and identity number
    are stored encrypted; the mobile's keyed hash is the unique, searchable key. An erased
    member keeps its row (orders and registrations point at it) with personal fields emptied."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    mobile: Mapped[str | None] = mapped_column(EncryptedText("members.mobile"))
    mobile_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    region_code: Mapped[str] = mapped_column(String(16), index=True)
    address: Mapped[str | None] = mapped_column(EncryptedText("members.address"))
    id_number: Mapped[str | None] = mapped_column(EncryptedText("members.id_number"))
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
    birth_month: Mapped[int | None]  # 1-12; for the loyalty birthday-month bonus
    marketing_consent: Mapped[bool] = mapped_column(default=False)
    consent_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @validates("mobile")
    def _hash_mobile(self, _key: str, mobile: str | None) -> str | None:
        # The lookup hash follows the number on every ORM write (bulk loads set both).
        self.mobile_hash = None if mobile is None else mobile_digest(mobile)
        return mobile


class ConsentEvent(Base):
    """A member giving or withdrawing marketing consent; append-only, the member row holds
    the current state."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    granted: Mapped[bool]
    source: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


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
