"""Sales queries: order and target connections with filters and sorting."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement
from strawberry.types import Info

from api.filters import DateRange, DateTimeRange, range_conditions
from api.permissions import requires
from api.relay import Connection, OrderDirection, filter_ids, paginate_sorted
from api.sales.types import SalesOrder, SalesTarget
from engine.access.permissions import Permission as P
from engine.store import sales as m
from schemas.enums import PeriodKind, SalesOrderStatus


@strawberry.input(description="Sales orders matching every given condition.")
class SalesOrderWhereInput:
    status: list[SalesOrderStatus] | None = None
    dealer: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Ordered by one of these dealers."
    )
    store: list[strawberry.ID] | None = strawberry.field(
        default=None, description="For one of these stores."
    )
    placed_at: DateTimeRange | None = None
    order_no: str | None = None


@strawberry.enum
class SalesOrderOrderField(Enum):
    PLACED_AT = "placed_at"
    ORDER_NO = "order_no"
    TOTAL = "total_fen"
    CREATED_AT = "created_at"


@strawberry.input
class SalesOrderOrder:
    field: SalesOrderOrderField
    direction: OrderDirection = OrderDirection.ASC


def sales_order_conditions(where: SalesOrderWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    c: list[Any] = []
    if where.status:
        c.append(m.SalesOrder.status.in_(where.status))
    dealers = filter_ids(where.dealer, "Dealer", "where.dealer")
    if dealers is not None:
        c.append(m.SalesOrder.dealer_id.in_(dealers))
    stores = filter_ids(where.store, "Store", "where.store")
    if stores is not None:
        c.append(m.SalesOrder.store_id.in_(stores))
    if where.order_no is not None:
        c.append(m.SalesOrder.order_no == where.order_no)
    c += range_conditions(m.SalesOrder.placed_at, where.placed_at, "where.placedAt")
    return c


@strawberry.input(description="Sales targets matching every given condition.")
class SalesTargetWhereInput:
    dealer: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Targets of these dealers."
    )
    store: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Targets of these stores."
    )
    period_kind: list[PeriodKind] | None = None
    period_start: DateRange | None = None


@strawberry.enum
class SalesTargetOrderField(Enum):
    PERIOD_START = "period_start"
    AMOUNT = "amount_fen"
    CREATED_AT = "created_at"


@strawberry.input
class SalesTargetOrder:
    field: SalesTargetOrderField
    direction: OrderDirection = OrderDirection.ASC


def sales_target_conditions(where: SalesTargetWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    c: list[Any] = []
    dealers = filter_ids(where.dealer, "Dealer", "where.dealer")
    if dealers is not None:
        c.append(m.SalesTarget.dealer_id.in_(dealers))
    stores = filter_ids(where.store, "Store", "where.store")
    if stores is not None:
        c.append(m.SalesTarget.store_id.in_(stores))
    if where.period_kind:
        c.append(m.SalesTarget.period_kind.in_(where.period_kind))
    c += range_conditions(m.SalesTarget.period_start, where.period_start, "where.periodStart")
    return c


@strawberry.type
class SalesQueries:
    @strawberry.field(permission_classes=requires(P.SALES_READ), 
        description="Sales orders, a page at a time; newest first unless sortBy says otherwise."
    )
    async def sales_orders(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        where: SalesOrderWhereInput | None = None,
        sort_by: SalesOrderOrder | None = None,
    ) -> Connection[SalesOrder]:
        return await paginate_sorted(
            info,
            m.SalesOrder,
            sales_order_conditions(where),
            sort_by,
            SalesOrderOrderField.PLACED_AT,
            first,
            after,
            default_direction=OrderDirection.DESC,
        )

    @strawberry.field(permission_classes=requires(P.SALES_READ), description="Sales targets, a page at a time.")
    async def sales_targets(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        where: SalesTargetWhereInput | None = None,
        sort_by: SalesTargetOrder | None = None,
    ) -> Connection[SalesTarget]:
        return await paginate_sorted(
            info,
            m.SalesTarget,
            sales_target_conditions(where),
            sort_by,
            SalesTargetOrderField.PERIOD_START,
            first,
            after,
        )
