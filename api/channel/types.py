"""GraphQL types of the channel domain, read straight from ORM rows."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

import api.enums  # noqa: F401  (registers the enums)
from api.relay import node_type
from api.scalars import Fen
from engine.store import channel as m
from schemas.enums import ChannelType, CooperationLevel, DisplayStatus, ProductCategory, StoreGrade


@node_type(m.Dealer)
@strawberry.type(description="A company in the brand's distribution tree.")
class Dealer(relay.Node):
    id: relay.NodeID[int]
    code: str
    name: str
    legal_representative: str
    channel_type: ChannelType
    cooperation_level: CooperationLevel
    registered_capital_fen: Fen
    signing_date: date | None
    agreement_ref: str | None
    main_brands: list[str]
    main_categories: list[ProductCategory]
    warehouse_m2: int
    vehicles: int
    staff: int
    outlets_covered: int
    credit_limit_fen: Fen
    payment_terms_days: int
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="Region codes the dealer is authorised to sell in.")
    async def region_codes(self, info: Info) -> list[str]:
        rows = await info.context.loaders.children(m.DealerRegion, "dealer_id", "region_code").load(self.id)
        return [r.region_code for r in rows]

    @strawberry.field(description="The dealer one level up the tree; null for a top-level agent.")
    async def parent(self, info: Info) -> Dealer | None:
        parent_id = self.parent_id  # type: ignore[attr-defined]
        return None if parent_id is None else await info.context.loaders.by_id(m.Dealer).load(parent_id)

    @strawberry.field(description="Dealers one level down the tree.")
    async def children(self, info: Info) -> list[Dealer]:
        return await info.context.loaders.children(m.Dealer, "parent_id", "code").load(self.id)

    @strawberry.field(description="Stores this dealer runs.")
    async def stores(self, info: Info) -> list[Store]:
        return await info.context.loaders.children(m.Store, "dealer_id", "code").load(self.id)


@node_type(m.Store)
@strawberry.type(description="A point of sale run by a dealer.")
class Store(relay.Node):
    id: relay.NodeID[int]
    code: str
    name: str
    region_code: str
    address: str
    latitude: float
    longitude: float
    manager: str
    phone: str
    grade: StoreGrade
    display_status: DisplayStatus
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    async def dealer(self, info: Info) -> Dealer:
        return await info.context.loaders.load_required(m.Dealer, self.dealer_id)  # type: ignore[attr-defined]
