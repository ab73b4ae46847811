"""Channel: the dealer tree and the stores it runs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.base import Base, BigId, Timestamped, enum_column
from schemas.enums import ChannelType, CooperationLevel, DisplayStatus, StoreGrade


class Dealer(Timestamped, Base):
    """A company in the brand's distribution tree (agent, retailer, chain, e-commerce)."""

    __tablename__ = "dealers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_representative: Mapped[str] = mapped_column(String(100))
    channel_type: Mapped[ChannelType] = mapped_column(enum_column(ChannelType), index=True)
    cooperation_level: Mapped[CooperationLevel] = mapped_column(
        enum_column(CooperationLevel), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("dealers.id", ondelete="RESTRICT"), index=True
    )
    registered_capital_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    signing_date: Mapped[date | None]
    agreement_ref: Mapped[str | None] = mapped_column(String(200))
    main_brands: Mapped[list[str]] = mapped_column(JSON, default=list)
    main_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    warehouse_m2: Mapped[int] = mapped_column(default=0)
    vehicles: Mapped[int] = mapped_column(default=0)
    staff: Mapped[int] = mapped_column(default=0)
    outlets_covered: Mapped[int] = mapped_column(default=0)
    credit_limit_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    payment_terms_days: Mapped[int] = mapped_column(default=0)

    regions: Mapped[list[DealerRegion]] = relationship(
        cascade="all, delete-orphan", order_by="DealerRegion.region_code", lazy="raise"
    )

    @property
    def region_codes(self) -> list[str]:
        return [r.region_code for r in self.regions]


class DealerRegion(Base):
    """One region code a dealer is authorised to sell in (a table, so planners can filter)."""

    __tablename__ = "dealer_regions"

    dealer_id: Mapped[int] = mapped_column(
        ForeignKey("dealers.id", ondelete="CASCADE"), primary_key=True
    )
    region_code: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)


class Store(Timestamped, Base):
    """A point of sale run by a dealer."""

    __tablename__ = "stores"
    __table_args__ = (Index("ix_stores_dealer_grade", "dealer_id", "grade"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id", ondelete="RESTRICT"))
    region_code: Mapped[str] = mapped_column(String(16), index=True)
    address: Mapped[str] = mapped_column(String(300))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    manager: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32))
    grade: Mapped[StoreGrade] = mapped_column(enum_column(StoreGrade, 1))
    display_status: Mapped[DisplayStatus] = mapped_column(enum_column(DisplayStatus))
