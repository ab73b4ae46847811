"""GraphQL types of the sales domain, read straight from ORM rows."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

import api.enums  # noqa: F401  (registers the enums)
from api.catalogue.types import Product
from api.channel.types import Dealer, Store
from api.permissions import requires
from api.relay import node_type
from api.scalars import Fen
from engine.access.permissions import Permission as P
from engine.services import sales as service
from engine.store import catalogue, channel
from engine.store import sales as m
from schemas.enums import PeriodKind, SalesOrderStatus, TargetOwner


@strawberry.type(description="One product line of a sales order.")
class SalesOrderLine:
    line_no: int = strawberry.field(description="Position in the order, from 1.")
    quantity: int
    unit_price_fen: Fen
    amount_fen: Fen = strawberry.field(description="quantity × unitPriceFen.")

    @strawberry.field(permission_classes=requires(P.CATALOGUE_READ), description="Requires `catalogue:read`.")
    async def product(self, info: Info) -> Product:
        return await info.context.loaders.load_required(catalogue.Product, self.product_id)  # type: ignore[attr-defined]


@strawberry.type(description="One status change of a sales order; the first has no fromStatus.")
class SalesOrderEvent:
    from_status: SalesOrderStatus | None
    to_status: SalesOrderStatus
    at: datetime
    note: str | None


@node_type(m.SalesOrder)
@strawberry.type(description="A dealer's purchase order from the brand.")
class SalesOrder(relay.Node):
    id: relay.NodeID[int]
    order_no: str
    status: SalesOrderStatus
    placed_at: datetime
    total_fen: Fen = strawberry.field(description="Sum of the lines' amounts.")
    note: str | None
    version: int = strawberry.field(
        description="Bumped by every change; pass it back as expectedVersion to refuse stale writes."
    )
    created_at: datetime
    updated_at: datetime

    @strawberry.field(permission_classes=requires(P.CHANNEL_READ), description="Requires `channel:read`.")
    async def dealer(self, info: Info) -> Dealer:
        return await info.context.loaders.load_required(channel.Dealer, self.dealer_id)  # type: ignore[attr-defined]

    @strawberry.field(
        permission_classes=requires(P.CHANNEL_READ),
        description="The store the order is for, if any. Requires `channel:read`.",
    )
    async def store(self, info: Info) -> Store | None:
        store_id = self.store_id  # type: ignore[attr-defined]
        return (
            None
            if store_id is None
            else await info.context.loaders.by_id(channel.Store).load(store_id)
        )

    @strawberry.field(description="The lines, by line number.")
    async def lines(self, info: Info) -> list[SalesOrderLine]:
        return await info.context.loaders.children(m.SalesOrderLine, "order_id", "line_no").load(
            self.id
        )

    @strawberry.field(description="Every status change, oldest first (by time, then id).")
    async def history(self, info: Info) -> list[SalesOrderEvent]:
        return await info.context.loaders.children(m.SalesOrderEvent, "order_id", "at").load(
            self.id
        )


@node_type(m.SalesTarget)
@strawberry.type(description="A sales amount a dealer or a store should reach in a period.")
class SalesTarget(relay.Node):
    id: relay.NodeID[int]
    owner_kind: TargetOwner
    period_kind: PeriodKind
    period_start: date = strawberry.field(description="First day of the period.")
    amount_fen: Fen
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="Last day of the period (derived from its kind and start).")
    def period_end(self) -> date:
        return service.period_end(self.period_kind, self.period_start)

    @strawberry.field(
        permission_classes=requires(P.CHANNEL_READ),
        description="The dealer the target is for; null for a store's target. Requires `channel:read`.",
    )
    async def dealer(self, info: Info) -> Dealer | None:
        dealer_id = self.dealer_id  # type: ignore[attr-defined]
        return (
            None
            if dealer_id is None
            else await info.context.loaders.by_id(channel.Dealer).load(dealer_id)
        )

    @strawberry.field(
        permission_classes=requires(P.CHANNEL_READ),
        description="The store the target is for; null for a dealer's target. Requires `channel:read`.",
    )
    async def store(self, info: Info) -> Store | None:
        store_id = self.store_id  # type: ignore[attr-defined]
        return (
            None
            if store_id is None
            else await info.context.loaders.by_id(channel.Store).load(store_id)
        )
