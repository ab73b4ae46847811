"""Channel settlements: statements (dealer rebates, promotion rebates, price-protection credits)
with their items and line detail, price changes and the price-protection claims they raise."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.base import Base, BigId, Timestamped, UTCDateTime, enum_column
from schemas.enums import PeriodKind
from schemas.rebates import (
    Basis, ClaimStatus, MeasureKind, SettlementForm, StatementKind, StatementStage, StatementStatus,
)

# An approved or issued statement is never duplicated: at most one per dealer, kind, scope (period,
# campaign or price change), stage and form outside drafts (a partial unique index, on both
# backends). A re-run replaces the drafts of its keys, so there is at most one draft per key too.
_SETTLED = "status IN ('approved', 'issued')"


class SettlementStatement(Timestamped, Base):
    """What the brand owes one dealer for one period, campaign or price change, in one form."""

    __tablename__ = "settlement_statements"
    __table_args__ = (
        Index("ix_settlement_statements_settled", "dealer_id", "kind", "scope_key", "stage", "settlement_form",
              unique=True, sqlite_where=text(_SETTLED), postgresql_where=text(_SETTLED)),
        Index("ix_settlement_statements_scope", "kind", "scope_key", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    statement_no: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[StatementKind] = mapped_column(enum_column(StatementKind, 24))
    stage: Mapped[StatementStage] = mapped_column(enum_column(StatementStage, 16))
    status: Mapped[StatementStatus] = mapped_column(enum_column(StatementStatus, 16), index=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id", ondelete="RESTRICT"), index=True)
    # "month:2026-01-01", "campaign:<key>" or "price_change:<no>": what the statement settles.
    scope_key: Mapped[str] = mapped_column(String(100))
    period_kind: Mapped[PeriodKind | None] = mapped_column(enum_column(PeriodKind))
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)  # exclusive
    settlement_form: Mapped[SettlementForm] = mapped_column(enum_column(SettlementForm, 16))
    amount_fen: Mapped[int] = mapped_column(BigInteger)  # what this statement settles
    accrued_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # FINAL: the approved accrual it trues up
    true_up_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # FINAL: amount − accrued
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())  # the data it was computed on
    computed_by: Mapped[str] = mapped_column(String(100))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(100))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    issued_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(500))
    row_version: Mapped[int] = mapped_column(default=1)

    items: Mapped[list[StatementItem]] = relationship(
        cascade="all, delete-orphan", order_by="StatementItem.item_no", lazy="raise"
    )

    __mapper_args__ = {"version_id_col": row_version}


class StatementItem(Base):
    """One policy's part of a statement: its volume, the tier reached and the amount, or why
    nothing was earned."""

    __tablename__ = "settlement_statement_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("settlement_statements.id", ondelete="CASCADE"), index=True)
    item_no: Mapped[int]
    rule_set: Mapped[str] = mapped_column(String(64))
    rule_set_version: Mapped[int]
    digest: Mapped[str] = mapped_column(String(64))
    rule_id: Mapped[str] = mapped_column(String(64))
    policy_name: Mapped[str] = mapped_column(String(200))
    basis: Mapped[Basis | None] = mapped_column(enum_column(Basis, 24))
    measure_kind: Mapped[MeasureKind | None] = mapped_column(enum_column(MeasureKind, 24))
    volume: Mapped[Decimal] = mapped_column(Numeric(22, 4))  # fen or units
    measure: Mapped[Decimal] = mapped_column(Numeric(22, 4))
    tier_index: Mapped[int | None]
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    capped: Mapped[bool] = mapped_column(default=False)
    eligible: Mapped[bool] = mapped_column(default=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[str] = mapped_column(String(2000), default="")


class StatementLine(Base):
    """What an item was computed from: one order (its in-scope amount, what of it was paid in
    terms, its units) or one price-protection claim."""

    __tablename__ = "settlement_statement_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("settlement_statement_items.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_orders.id", ondelete="RESTRICT"))
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("price_protection_claims.id", ondelete="RESTRICT"))
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # in-scope amount ordered
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # of it, paid by the due date
    quantity: Mapped[int] = mapped_column(default=0)  # in-scope units


class PriceChange(Timestamped, Base):
    """A published pricing version that cut dealer prices, and the protection it triggered."""

    __tablename__ = "price_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    change_no: Mapped[str] = mapped_column(String(40), unique=True)
    rule_set_version_id: Mapped[int] = mapped_column(ForeignKey("rule_set_versions.id", ondelete="RESTRICT"), unique=True)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[str] = mapped_column(String(100))
    cuts: Mapped[int] = mapped_column(default=0)  # (dealer, model) pairs whose price went down
    claims: Mapped[int] = mapped_column(default=0)
    credit_fen: Mapped[int] = mapped_column(BigInteger, default=0)


class PriceProtectionClaim(Timestamped, Base):
    """A dealer's credit for one model's eligible stock at a price cut, through approval."""

    __tablename__ = "price_protection_claims"
    __table_args__ = (Index("ix_price_protection_claims_change_dealer", "price_change_id", "dealer_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    claim_no: Mapped[str] = mapped_column(String(40), unique=True)
    price_change_id: Mapped[int] = mapped_column(ForeignKey("price_changes.id", ondelete="RESTRICT"))
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id", ondelete="RESTRICT"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    rule_set: Mapped[str] = mapped_column(String(64))
    rule_set_version: Mapped[int]
    rule_id: Mapped[str] = mapped_column(String(64))
    old_price_fen: Mapped[int] = mapped_column(BigInteger)
    new_price_fen: Mapped[int] = mapped_column(BigInteger)
    received_units: Mapped[int]  # received within the window before the cut
    on_hand_units: Mapped[int]  # held at the cut, from the stock and sell-out reports
    eligible_units: Mapped[int]
    credit_fen: Mapped[int] = mapped_column(BigInteger)
    capped: Mapped[bool] = mapped_column(default=False)
    settlement_form: Mapped[SettlementForm] = mapped_column(enum_column(SettlementForm, 16))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[ClaimStatus] = mapped_column(enum_column(ClaimStatus, 16), index=True)
    detail: Mapped[str] = mapped_column(String(2000), default="")
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("settlement_statements.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(500))
    row_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": row_version}
