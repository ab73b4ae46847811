"""Channel queries: dealer and store connections with filters and sorting."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, select
from strawberry.types import Info

from api.channel.types import Dealer, Store
from api.filters import DateRange, range_conditions
from api.permissions import requires
from api.relay import Connection, OrderDirection, filter_ids, paginate_sorted
from engine.access.permissions import Permission as P
from engine.store import channel as m
from schemas.enums import ChannelType, CooperationLevel, StoreGrade


@strawberry.input(description="Dealers matching every given condition.")
class DealerWhereInput:
    channel_type: list[ChannelType] | None = None
    cooperation_level: list[CooperationLevel] | None = None
    region_code: str | None = strawberry.field(default=None, description="Authorised to sell in this region.")
    parent: strawberry.ID | None = strawberry.field(default=None, description="Direct sub-dealers of this dealer.")
    code: str | None = None
    name_contains: str | None = None
    signing_date: DateRange | None = None


@strawberry.enum
class DealerOrderField(Enum):
    CODE = "code"
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.input
class DealerOrder:
    field: DealerOrderField
    direction: OrderDirection = OrderDirection.ASC


def dealer_conditions(where: DealerWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    c: list[Any] = []
    if where.channel_type:
        c.append(m.Dealer.channel_type.in_(where.channel_type))
    if where.cooperation_level:
        c.append(m.Dealer.cooperation_level.in_(where.cooperation_level))
    if where.region_code is not None:
        c.append(m.Dealer.id.in_(select(m.DealerRegion.dealer_id).where(m.DealerRegion.region_code == where.region_code)))
    if where.parent is not None:
        c.append(m.Dealer.parent_id == filter_ids([where.parent], "Dealer", "where.parent")[0])  # type: ignore[index]
    if where.code is not None:
        c.append(m.Dealer.code == where.code)
    if where.name_contains:
        c.append(m.Dealer.name.contains(where.name_contains, autoescape=True))
    c += range_conditions(m.Dealer.signing_date, where.signing_date, "where.signingDate")
    return c


@strawberry.input(description="Stores matching every given condition.")
class StoreWhereInput:
    dealer: list[strawberry.ID] | None = None
    region_code: list[str] | None = None
    grade: list[StoreGrade] | None = None
    code: str | None = None
    name_contains: str | None = None


@strawberry.enum
class StoreOrderField(Enum):
    CODE = "code"
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.input
class StoreOrder:
    field: StoreOrderField
    direction: OrderDirection = OrderDirection.ASC


def store_conditions(where: StoreWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    c: list[Any] = []
    dealers = filter_ids(where.dealer, "Dealer", "where.dealer")
    if dealers is not None:
        c.append(m.Store.dealer_id.in_(dealers))
    if where.region_code:
        c.append(m.Store.region_code.in_(where.region_code))
    if where.grade:
        c.append(m.Store.grade.in_(where.grade))
    if where.code is not None:
        c.append(m.Store.code == where.code)
    if where.name_contains:
        c.append(m.Store.name.contains(where.name_contains, autoescape=True))
    return c


@strawberry.type
class ChannelQueries:
    @strawberry.field(permission_classes=requires(P.CHANNEL_READ), description="Dealers, a page at a time.")
    async def dealers(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        where: DealerWhereInput | None = None,
        sort_by: DealerOrder | None = None,
    ) -> Connection[Dealer]:
        return await paginate_sorted(info, m.Dealer, dealer_conditions(where), sort_by, DealerOrderField.CODE, first, after)

    @strawberry.field(permission_classes=requires(P.CHANNEL_READ), description="Stores, a page at a time.")
    async def stores(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        where: StoreWhereInput | None = None,
        sort_by: StoreOrder | None = None,
    ) -> Connection[Store]:
        return await paginate_sorted(info, m.Store, store_conditions(where), sort_by, StoreOrderField.CODE, first, after)
