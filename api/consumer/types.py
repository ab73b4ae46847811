"""GraphQL types of the consumer domain, read straight from ORM rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

import api.enums  # noqa: F401  (registers the enums)
from api.catalogue.types import Product
from api.channel.types import Store
from api.relay import node_type
from engine.services.consumer import warranty_status
from engine.store import catalogue as catalogue_m
from engine.store import channel as channel_m
from engine.store import consumer as m
from schemas.enums import IncomeBand, MemberTier, SpecialNeed, WarrantyStatus


@node_type(m.Member)
@strawberry.type(description="A consumer of the brand; the mobile number is the identity key.")
class Member(relay.Node):
    id: relay.NodeID[int]
    member_no: str
    name: str
    mobile: str
    region_code: str
    address: str
    latitude: float | None
    longitude: float | None
    estate: str | None = strawberry.field(description="Residential estate (小区) name.")
    layout: str | None = strawberry.field(description="Home layout, e.g. 3室2厅.")
    household_size: int | None
    income_band: IncomeBand | None
    special_needs: list[SpecialNeed]
    tags: list[str]
    tier: MemberTier
    growth_value: int
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="Units the member registered, oldest purchase first.")
    async def registrations(self, info: Info) -> list[ProductRegistration]:
        return await info.context.loaders.children(m.ProductRegistration, "member_id", "purchase_date").load(self.id)


@node_type(m.ProductRegistration)
@strawberry.type(description="A unit a member owns, registered for warranty and service.")
class ProductRegistration(relay.Node):
    id: relay.NodeID[int]
    serial_number: str
    purchase_date: date
    warranty_end: date = strawberry.field(description="Last day covered by the warranty.")
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    async def member(self, info: Info) -> Member:
        return await info.context.loaders.by_id(m.Member).load(self.member_id)  # type: ignore[attr-defined]

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return await info.context.loaders.by_id(catalogue_m.Product).load(self.product_id)  # type: ignore[attr-defined]

    @strawberry.field(description="Where it was bought; null if unknown.")
    async def store(self, info: Info) -> Store | None:
        store_id = self.store_id  # type: ignore[attr-defined]
        return None if store_id is None else await info.context.loaders.by_id(channel_m.Store).load(store_id)

    @strawberry.field(description="Derived, never stored: in warranty through `warrantyEnd` itself.")
    def warranty_status(
        self,
        as_of: Annotated[
            date | None,
            strawberry.argument(description="The day to judge on; default today in the brand's time zone (Asia/Shanghai)."),
        ] = None,
    ) -> WarrantyStatus:
        return warranty_status(self.warranty_end, as_of)
