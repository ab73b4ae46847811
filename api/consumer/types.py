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
from api.permissions import requires
from api.personal import coordinate, shown, withheld
from api.relay import node_type
from engine.access.permissions import Permission as P
from engine.privacy.masking import mask_address, mask_id_number, mask_mobile, mask_name
from engine.services.consumer import ERASED_NAME, warranty_status
from engine.store import catalogue as catalogue_m
from engine.store import channel as channel_m
from engine.store import consumer as m
from schemas.enums import IncomeBand, MemberTier, SpecialNeed, WarrantyStatus


@node_type(m.Member)
@strawberry.type(description="A consumer of the brand; the mobile number is the identity key.")
class Member(relay.Node):
    id: relay.NodeID[int]
    member_no: str
    region_code: str
    tags: list[str]
    tier: MemberTier
    growth_value: int
    marketing_consent: bool = strawberry.field(description="Whether the member accepts marketing now; never after erasure.")
    consent_updated_at: datetime | None = strawberry.field(description="When consent was last given or withdrawn.")
    erased_at: datetime | None = strawberry.field(
        description="When the member's personal data was erased on request; null for an active member."
    )
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description=f"Masked (王*明) without `personal_data:read`; {ERASED_NAME} once erased.")
    def name(self, info: Info) -> str:
        name: str = self.name  # type: ignore[assignment]  (self is the ORM row)
        return name if self.erased_at is not None else shown(info, name, mask_name) or name

    @strawberry.field(description="Masked (138****5678) without `personal_data:read`; null once erased.")
    def mobile(self, info: Info) -> str | None:
        return shown(info, self.mobile, mask_mobile)  # type: ignore[arg-type]

    @strawberry.field(description="Home address; masked after the district without `personal_data:read`; null once erased.")
    def address(self, info: Info) -> str | None:
        return shown(info, self.address, mask_address)  # type: ignore[arg-type]

    @strawberry.field(description="Resident ID number, if given; masked (310***********1234) without `personal_data:read`; null once erased.")
    def id_number(self, info: Info) -> str | None:
        return shown(info, self.id_number, mask_id_number)  # type: ignore[arg-type]

    @strawberry.field(description="The home's position; rounded to 0.01° (~1 km) without `personal_data:read`.")
    def latitude(self, info: Info) -> float | None:
        return coordinate(info, self.latitude)  # type: ignore[arg-type]

    @strawberry.field(description="The home's position; rounded to 0.01° (~1 km) without `personal_data:read`.")
    def longitude(self, info: Info) -> float | None:
        return coordinate(info, self.longitude)  # type: ignore[arg-type]

    @strawberry.field(description="Residential estate (小区) name; masked (****) without `personal_data:read`.")
    def estate(self, info: Info) -> str | None:
        # Masked as an address, keeping nothing: an address opens with city and district, an
        # estate name with the estate itself (the district is in regionCode).
        return shown(info, self.estate, lambda estate: mask_address(estate, keep=0))  # type: ignore[arg-type]

    @strawberry.field(description="Home layout, e.g. 3室2厅; null without `personal_data:read`.")
    def layout(self, info: Info) -> str | None:
        return withheld(info, self.layout)  # type: ignore[arg-type]

    @strawberry.field(description="Null without `personal_data:read`.")
    def household_size(self, info: Info) -> int | None:
        return withheld(info, self.household_size)  # type: ignore[arg-type]

    @strawberry.field(description="Null without `personal_data:read`.")
    def income_band(self, info: Info) -> IncomeBand | None:
        return withheld(info, self.income_band)  # type: ignore[arg-type]

    @strawberry.field(description="Month of birth, 1-12 (the birthday-month points bonus); null without `personal_data:read`.")
    def birth_month(self, info: Info) -> int | None:
        return withheld(info, self.birth_month)  # type: ignore[arg-type]

    @strawberry.field(description="Care needs (elderly, disability…); empty without `personal_data:read`.")
    def special_needs(self, info: Info) -> list[SpecialNeed]:
        return withheld(info, self.special_needs) or []  # type: ignore[arg-type]

    @strawberry.field(description="Every consent given or withdrawn, oldest first.")
    async def consent_history(self, info: Info) -> list[ConsentEvent]:
        return await info.context.loaders.children(m.ConsentEvent, "member_id", "at").load(self.id)  # type: ignore[return-value]

    @strawberry.field(description="Units the member registered, oldest purchase first.")
    async def registrations(self, info: Info) -> list[ProductRegistration]:
        return await info.context.loaders.children(m.ProductRegistration, "member_id", "purchase_date").load(self.id)


@strawberry.type(description="A member giving (granted) or withdrawing marketing consent.")
class ConsentEvent:
    granted: bool
    source: str = strawberry.field(description="Through which channel, e.g. signup, app, call centre; erasure: <reason>.")
    actor: str = strawberry.field(description="Who recorded it, e.g. user:alice or api_key:crm-sync.")
    at: datetime


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
        return await info.context.loaders.load_required(m.Member, self.member_id)  # type: ignore[attr-defined]

    @strawberry.field(permission_classes=requires(P.CATALOGUE_READ), description="Requires `catalogue:read`.")
    async def product(self, info: Info) -> Product:
        return await info.context.loaders.load_required(catalogue_m.Product, self.product_id)  # type: ignore[attr-defined]

    @strawberry.field(
        permission_classes=requires(P.CHANNEL_READ),
        description="Where it was bought; null if unknown. Requires `channel:read`.",
    )
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
