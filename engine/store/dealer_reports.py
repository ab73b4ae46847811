"""What dealers report and what finance records about them: payments received, stock on hand,
sell-out to stores and consumers, and price-violation records. Settlements read these."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base, BigId, Timestamped, UTCDateTime, enum_column
from schemas.dealer_reports import SellOutBuyer

__all__ = ["DealerPayment", "PriceViolation", "SellOutBuyer", "SellOutReport", "StockReport"]


class DealerPayment(Timestamped, Base):
    """Money a dealer paid the brand, against one of its orders (or on account)."""

    __tablename__ = "dealer_payments"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        Index("ix_dealer_payments_dealer_received", "dealer_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    payment_no: Mapped[str] = mapped_column(String(32), unique=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id", ondelete="RESTRICT"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_orders.id", ondelete="RESTRICT"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(String(500))


class StockReport(Timestamped, Base):
    """Units of one model a dealer held at the end of a day (brand time zone), as it reported."""

    __tablename__ = "dealer_stock_reports"
    __table_args__ = (
        UniqueConstraint("dealer_id", "product_id", "as_of"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id", ondelete="RESTRICT"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    as_of: Mapped[date] = mapped_column(Date)
    on_hand: Mapped[int]


class SellOutReport(Timestamped, Base):
    """Units of one model a dealer sold on a day to a store or to consumers, as it reported."""

    __tablename__ = "dealer_sellout_reports"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_dealer_sellout_reports_dealer_product_day", "dealer_id", "product_id", "sold_on"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id", ondelete="RESTRICT"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    sold_on: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int]
    buyer: Mapped[SellOutBuyer] = mapped_column(enum_column(SellOutBuyer, 16))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))


class PriceViolation(Timestamped, Base):
    """A recorded breach of the brand's price policy by a dealer (selling below the floor…)."""

    __tablename__ = "price_violations"
    __table_args__ = (Index("ix_price_violations_dealer_observed", "dealer_id", "observed_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id", ondelete="RESTRICT"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(String(500))
