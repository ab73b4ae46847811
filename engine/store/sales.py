"""Sales: dealer orders with their lines and status history, and sales targets."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.base import Base, BigId, Timestamped, UTCDateTime, enum_column
from schemas.enums import PeriodKind, SalesOrderStatus, TargetOwner


class SalesOrder(Timestamped, Base):
    """A dealer's purchase order from the brand."""

    __tablename__ = "sales_orders"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_no: Mapped[str] = mapped_column(String(32), unique=True)
    dealer_id: Mapped[int] = mapped_column(
        ForeignKey("dealers.id", ondelete="RESTRICT"), index=True
    )
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))
    status: Mapped[SalesOrderStatus] = mapped_column(enum_column(SalesOrderStatus), index=True)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(default=1)

    lines: Mapped[list[SalesOrderLine]] = relationship(
        cascade="all, delete-orphan", order_by="SalesOrderLine.line_no", lazy="raise"
    )

    __mapper_args__ = {"version_id_col": version}


class SalesOrderLine(Base):
    __tablename__ = "sales_order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("sales_orders.id", ondelete="CASCADE"), index=True
    )
    line_no: Mapped[int]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    quantity: Mapped[int]
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class SalesOrderEvent(Base):
    """One status transition of a sales order; append-only."""

    __tablename__ = "sales_order_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("sales_orders.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[SalesOrderStatus | None] = mapped_column(enum_column(SalesOrderStatus))
    to_status: Mapped[SalesOrderStatus] = mapped_column(enum_column(SalesOrderStatus))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(String(500))


class SalesTarget(Timestamped, Base):
    """A sales amount a dealer or a store should reach in a period."""

    __tablename__ = "sales_targets"
    __table_args__ = (
        # One owner column is always NULL and NULLs never collide, so one constraint per owner kind.
        UniqueConstraint("dealer_id", "period_kind", "period_start", name="uq_sales_targets_dealer_period"),
        UniqueConstraint("store_id", "period_kind", "period_start", name="uq_sales_targets_store_period"),
        CheckConstraint(
            "(owner_kind = 'dealer' AND dealer_id IS NOT NULL AND store_id IS NULL) OR "
            "(owner_kind = 'store' AND store_id IS NOT NULL AND dealer_id IS NULL)",
            name="one_owner",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_kind: Mapped[TargetOwner] = mapped_column(enum_column(TargetOwner))
    dealer_id: Mapped[int | None] = mapped_column(
        ForeignKey("dealers.id", ondelete="RESTRICT"), index=True
    )
    store_id: Mapped[int | None] = mapped_column(
        ForeignKey("stores.id", ondelete="RESTRICT"), index=True
    )
    period_kind: Mapped[PeriodKind] = mapped_column(enum_column(PeriodKind))
    period_start: Mapped[date]
    amount_fen: Mapped[int] = mapped_column(BigInteger)
