"""Pricing: coupon codes and their redemptions, orders priced by the engine, and what budgeted
promotions have given."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.base import Base, BigId, Timestamped, UTCDateTime, enum_column
from schemas.pricing_orders import PricedOrderStatus


class CouponCode(Timestamped, Base):
    """A code of a coupon campaign (the campaign's rule lives in a pricing rule set)."""

    __tablename__ = "coupon_codes"
    __table_args__ = (CheckConstraint("used_count >= 0 AND used_count <= usage_limit", name="usage_within_limit"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    campaign: Mapped[str] = mapped_column(String(64), index=True)
    usage_limit: Mapped[int] = mapped_column(default=1)
    per_member_limit: Mapped[int | None]
    used_count: Mapped[int] = mapped_column(default=0)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class CouponRedemption(Base):
    """A code used by a placed order; once per order and code (placing is idempotent)."""

    __tablename__ = "coupon_redemptions"
    __table_args__ = (UniqueConstraint("code_id", "order_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("coupon_codes.id", ondelete="RESTRICT"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("priced_orders.id", ondelete="RESTRICT"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the order was cancelled


class PricedOrder(Timestamped, Base):
    """An order placed at the engine's quote: the request and the quote (trace and rule-set
    versions included) are kept, so the price can be reproduced and explained later."""

    __tablename__ = "priced_orders"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_ref: Mapped[str] = mapped_column(String(64), unique=True)
    dealer_id: Mapped[int | None] = mapped_column(ForeignKey("dealers.id", ondelete="RESTRICT"), index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"), index=True)
    status: Mapped[PricedOrderStatus] = mapped_column(enum_column(PricedOrderStatus), index=True)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    list_amount_fen: Mapped[int] = mapped_column(BigInteger)
    discount_fen: Mapped[int] = mapped_column(BigInteger)
    final_amount_fen: Mapped[int] = mapped_column(BigInteger)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    quote: Mapped[dict[str, Any]] = mapped_column(JSON)
    placed_by: Mapped[str] = mapped_column(String(100))
    row_version: Mapped[int] = mapped_column(default=1)

    lines: Mapped[list[PricedOrderLine]] = relationship(
        cascade="all, delete-orphan", order_by="PricedOrderLine.line_no", lazy="raise"
    )

    __mapper_args__ = {"version_id_col": row_version}


class PricedOrderLine(Base):
    __tablename__ = "priced_order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        CheckConstraint("returned_quantity >= 0 AND returned_quantity <= quantity", name="returned_within_quantity"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("priced_orders.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8))  # sale | free | gift
    model: Mapped[str] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(32))
    brand: Mapped[str | None] = mapped_column(String(64))
    quantity: Mapped[int]
    returned_quantity: Mapped[int] = mapped_column(default=0)
    list_amount_fen: Mapped[int] = mapped_column(BigInteger)
    final_amount_fen: Mapped[int] = mapped_column(BigInteger)
    points_multiplier: Mapped[str] = mapped_column(String(16), default="1")


class RuleBudgetUse(Base):
    """What one placed order drew from a budgeted rule; the budget left is its budget less the
    sum over orders not cancelled."""

    __tablename__ = "rule_budget_uses"
    __table_args__ = (UniqueConstraint("rule_key", "order_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    rule_key: Mapped[str] = mapped_column(String(140), index=True)  # rule_set/rule_id
    order_id: Mapped[int] = mapped_column(ForeignKey("priced_orders.id", ondelete="CASCADE"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    released: Mapped[bool] = mapped_column(default=False)
