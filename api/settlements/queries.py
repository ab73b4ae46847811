"""Settlement queries: statements, price changes and claims, and dealers' reports and records, as
connections with filters and sorting."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement
from strawberry.types import Info

from api.filters import DateRange, DateTimeRange, range_conditions
from api.permissions import requires
from api.relay import Connection, OrderDirection, filter_ids, paginate_sorted
from api.settlements.types import (
    DealerPayment,
    PriceChange,
    PriceProtectionClaim,
    PriceViolation,
    SellOutReport,
    SettlementStatement,
    StockReport,
)
from engine.access.permissions import Permission as P
from engine.store import dealer_reports as r
from engine.store import settlements as m
from schemas.dealer_reports import SellOutBuyer
from schemas.enums import PeriodKind
from schemas.rebates import ClaimStatus, SettlementForm, StatementKind, StatementStage, StatementStatus

_DEALER = "Of one of these dealers."
_READ = requires(P.SETTLEMENTS_READ)


def _ids(column: Any, values: list[strawberry.ID] | None, type_name: str, field: str) -> list[ColumnElement[bool]]:
    pks = filter_ids(values, type_name, field)
    return [] if pks is None else [column.in_(pks)]


# --- statements ---------------------------------------------------------------------------------
@strawberry.input(description="Settlement statements matching every given condition.")
class SettlementStatementWhereInput:
    kind: list[StatementKind] | None = None
    status: list[StatementStatus] | None = None
    stage: list[StatementStage] | None = None
    dealer: list[strawberry.ID] | None = strawberry.field(default=None, description=_DEALER)
    period_kind: list[PeriodKind] | None = None
    period_start: DateRange | None = strawberry.field(default=None, description="The period's first day in this range.")
    scope_key: str | None = strawberry.field(default=None, description="Exact scope, e.g. `quarter:2026-01-01`.")
    settlement_form: list[SettlementForm] | None = None


@strawberry.enum
class SettlementStatementOrderField(Enum):
    CREATED_AT = "created_at"
    STATEMENT_NO = "statement_no"
    AMOUNT = "amount_fen"


@strawberry.input
class SettlementStatementOrder:
    field: SettlementStatementOrderField
    direction: OrderDirection = OrderDirection.DESC


def statement_conditions(where: SettlementStatementWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    s = m.SettlementStatement
    c: list[Any] = _ids(s.dealer_id, where.dealer, "Dealer", "where.dealer")
    for column, values in ((s.kind, where.kind), (s.status, where.status), (s.stage, where.stage),
                           (s.period_kind, where.period_kind), (s.settlement_form, where.settlement_form)):
        if values:
            c.append(column.in_(values))
    if where.scope_key is not None:
        c.append(s.scope_key == where.scope_key)
    return c + range_conditions(s.period_start, where.period_start, "where.periodStart")


# --- price changes and claims -------------------------------------------------------------------
@strawberry.input(description="Price changes matching every given condition.")
class PriceChangeWhereInput:
    change_no: str | None = None
    effective_at: DateTimeRange | None = None


@strawberry.enum
class PriceChangeOrderField(Enum):
    EFFECTIVE_AT = "effective_at"
    CREATED_AT = "created_at"


@strawberry.input
class PriceChangeOrder:
    field: PriceChangeOrderField
    direction: OrderDirection = OrderDirection.DESC


def price_change_conditions(where: PriceChangeWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    c: list[Any] = [] if where.change_no is None else [m.PriceChange.change_no == where.change_no]
    return c + range_conditions(m.PriceChange.effective_at, where.effective_at, "where.effectiveAt")


@strawberry.input(description="Price-protection claims matching every given condition.")
class PriceProtectionClaimWhereInput:
    status: list[ClaimStatus] | None = None
    dealer: list[strawberry.ID] | None = strawberry.field(default=None, description=_DEALER)
    price_change: list[strawberry.ID] | None = strawberry.field(default=None, description="Raised by one of these.")
    product: list[strawberry.ID] | None = None
    deadline: DateTimeRange | None = None


@strawberry.enum
class PriceProtectionClaimOrderField(Enum):
    CREATED_AT = "created_at"
    DEADLINE = "deadline"
    CREDIT = "credit_fen"


@strawberry.input
class PriceProtectionClaimOrder:
    field: PriceProtectionClaimOrderField
    direction: OrderDirection = OrderDirection.DESC


def claim_conditions(where: PriceProtectionClaimWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    k = m.PriceProtectionClaim
    c: list[Any] = [k.status.in_(where.status)] if where.status else []
    c += _ids(k.dealer_id, where.dealer, "Dealer", "where.dealer")
    c += _ids(k.price_change_id, where.price_change, "PriceChange", "where.priceChange")
    c += _ids(k.product_id, where.product, "Product", "where.product")
    return c + range_conditions(k.deadline, where.deadline, "where.deadline")


# --- dealers' reports and records ---------------------------------------------------------------
@strawberry.input(description="Dealer payments matching every given condition.")
class DealerPaymentWhereInput:
    dealer: list[strawberry.ID] | None = strawberry.field(default=None, description=_DEALER)
    order: list[strawberry.ID] | None = strawberry.field(default=None, description="Against one of these orders.")
    on_account: bool | None = strawberry.field(default=None, description="true: on account only (no order); "
                                               "false: against an order only.")
    payment_no: str | None = None
    received_at: DateTimeRange | None = None


@strawberry.enum
class DealerPaymentOrderField(Enum):
    RECEIVED_AT = "received_at"
    AMOUNT = "amount_fen"
    CREATED_AT = "created_at"


@strawberry.input
class DealerPaymentOrder:
    field: DealerPaymentOrderField
    direction: OrderDirection = OrderDirection.DESC


def payment_conditions(where: DealerPaymentWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    p = r.DealerPayment
    c: list[Any] = _ids(p.dealer_id, where.dealer, "Dealer", "where.dealer")
    c += _ids(p.order_id, where.order, "SalesOrder", "where.order")
    if where.on_account is not None:
        c.append(p.order_id.is_(None) if where.on_account else p.order_id.is_not(None))
    if where.payment_no is not None:
        c.append(p.payment_no == where.payment_no)
    return c + range_conditions(p.received_at, where.received_at, "where.receivedAt")


@strawberry.input(description="Stock reports matching every given condition.")
class StockReportWhereInput:
    dealer: list[strawberry.ID] | None = strawberry.field(default=None, description=_DEALER)
    product: list[strawberry.ID] | None = None
    as_of: DateRange | None = None


@strawberry.enum
class StockReportOrderField(Enum):
    AS_OF = "as_of"
    UPDATED_AT = "updated_at"


@strawberry.input
class StockReportOrder:
    field: StockReportOrderField
    direction: OrderDirection = OrderDirection.DESC


def stock_conditions(where: StockReportWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    s = r.StockReport
    c = _ids(s.dealer_id, where.dealer, "Dealer", "where.dealer")
    c += _ids(s.product_id, where.product, "Product", "where.product")
    return c + range_conditions(s.as_of, where.as_of, "where.asOf")


@strawberry.input(description="Sell-out reports matching every given condition.")
class SellOutReportWhereInput:
    dealer: list[strawberry.ID] | None = strawberry.field(default=None, description=_DEALER)
    product: list[strawberry.ID] | None = None
    store: list[strawberry.ID] | None = None
    buyer: list[SellOutBuyer] | None = None
    sold_on: DateRange | None = None


@strawberry.enum
class SellOutReportOrderField(Enum):
    SOLD_ON = "sold_on"
    CREATED_AT = "created_at"


@strawberry.input
class SellOutReportOrder:
    field: SellOutReportOrderField
    direction: OrderDirection = OrderDirection.DESC


def sell_out_conditions(where: SellOutReportWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    s = r.SellOutReport
    c = _ids(s.dealer_id, where.dealer, "Dealer", "where.dealer")
    c += _ids(s.product_id, where.product, "Product", "where.product")
    c += _ids(s.store_id, where.store, "Store", "where.store")
    if where.buyer:
        c.append(s.buyer.in_(where.buyer))
    return c + range_conditions(s.sold_on, where.sold_on, "where.soldOn")


@strawberry.input(description="Price violations matching every given condition.")
class PriceViolationWhereInput:
    dealer: list[strawberry.ID] | None = strawberry.field(default=None, description=_DEALER)
    product: list[strawberry.ID] | None = None
    observed_at: DateTimeRange | None = None


@strawberry.enum
class PriceViolationOrderField(Enum):
    OBSERVED_AT = "observed_at"
    CREATED_AT = "created_at"


@strawberry.input
class PriceViolationOrder:
    field: PriceViolationOrderField
    direction: OrderDirection = OrderDirection.DESC


def violation_conditions(where: PriceViolationWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    v = r.PriceViolation
    c = _ids(v.dealer_id, where.dealer, "Dealer", "where.dealer")
    c += _ids(v.product_id, where.product, "Product", "where.product")
    return c + range_conditions(v.observed_at, where.observed_at, "where.observedAt")


_DESC = OrderDirection.DESC


@strawberry.type
class SettlementQueries:
    @strawberry.field(permission_classes=_READ, description="Settlement statements with their items and lines, a page "
                      "at a time; newest first unless sortBy says otherwise. A dealer sees its subtree's.")
    async def settlement_statements(self, info: Info, first: int = 20, after: str | None = None,
                                    where: SettlementStatementWhereInput | None = None,
                                    sort_by: SettlementStatementOrder | None = None) -> Connection[SettlementStatement]:
        return await paginate_sorted(info, m.SettlementStatement, statement_conditions(where), sort_by,
                                     SettlementStatementOrderField.CREATED_AT, first, after, _DESC)

    @strawberry.field(permission_classes=_READ, description="Price changes (published cuts of dealer prices), latest "
                      "effective first. A dealer sees those that raised claims for it.")
    async def price_changes(self, info: Info, first: int = 20, after: str | None = None,
                            where: PriceChangeWhereInput | None = None,
                            sort_by: PriceChangeOrder | None = None) -> Connection[PriceChange]:
        return await paginate_sorted(info, m.PriceChange, price_change_conditions(where), sort_by,
                                     PriceChangeOrderField.EFFECTIVE_AT, first, after, _DESC)

    @strawberry.field(permission_classes=_READ, description="Price-protection claims, newest first. A dealer sees its "
                      "subtree's.")
    async def price_protection_claims(self, info: Info, first: int = 20, after: str | None = None,
                                      where: PriceProtectionClaimWhereInput | None = None,
                                      sort_by: PriceProtectionClaimOrder | None = None
                                      ) -> Connection[PriceProtectionClaim]:
        return await paginate_sorted(info, m.PriceProtectionClaim, claim_conditions(where), sort_by,
                                     PriceProtectionClaimOrderField.CREATED_AT, first, after, _DESC)

    @strawberry.field(permission_classes=_READ, description="Payments received from dealers, latest first.")
    async def dealer_payments(self, info: Info, first: int = 20, after: str | None = None,
                              where: DealerPaymentWhereInput | None = None,
                              sort_by: DealerPaymentOrder | None = None) -> Connection[DealerPayment]:
        return await paginate_sorted(info, r.DealerPayment, payment_conditions(where), sort_by,
                                     DealerPaymentOrderField.RECEIVED_AT, first, after, _DESC)

    @strawberry.field(permission_classes=_READ, description="Dealers' stock reports, latest day first.")
    async def stock_reports(self, info: Info, first: int = 20, after: str | None = None,
                            where: StockReportWhereInput | None = None,
                            sort_by: StockReportOrder | None = None) -> Connection[StockReport]:
        return await paginate_sorted(info, r.StockReport, stock_conditions(where), sort_by,
                                     StockReportOrderField.AS_OF, first, after, _DESC)

    @strawberry.field(permission_classes=_READ, description="Dealers' sell-out reports, latest day first.")
    async def sell_out_reports(self, info: Info, first: int = 20, after: str | None = None,
                               where: SellOutReportWhereInput | None = None,
                               sort_by: SellOutReportOrder | None = None) -> Connection[SellOutReport]:
        return await paginate_sorted(info, r.SellOutReport, sell_out_conditions(where), sort_by,
                                     SellOutReportOrderField.SOLD_ON, first, after, _DESC)

    @strawberry.field(permission_classes=_READ, description="Recorded price violations, latest first.")
    async def price_violations(self, info: Info, first: int = 20, after: str | None = None,
                               where: PriceViolationWhereInput | None = None,
                               sort_by: PriceViolationOrder | None = None) -> Connection[PriceViolation]:
        return await paginate_sorted(info, r.PriceViolation, violation_conditions(where), sort_by,
                                     PriceViolationOrderField.OBSERVED_AT, first, after, _DESC)
