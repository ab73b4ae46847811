"""GraphQL types of the service domain, read straight from ORM rows."""

from __future__ import annotations

from datetime import datetime, time

import strawberry
from strawberry import relay
from strawberry.types import Info

import api.enums  # noqa: F401  (registers the enums)
from api.catalogue.types import Product
from api.consumer.types import Member, ProductRegistration
from api.permissions import requires
from api.personal import coordinate, shown
from api.relay import node_type
from engine.access.permissions import Permission as P
from engine.privacy.masking import mask_address
from engine.store import catalogue as catalogue_m
from engine.store import consumer as consumer_m
from engine.store import service as m
from schemas.enums import Skill, WorkOrderKind, WorkOrderStatus


@node_type(m.ServiceNetwork)
@strawberry.type(
    description="A service outlet: a territory of region codes served in one time zone."
)
class ServiceNetwork(relay.Node):
    id: relay.NodeID[int]
    code: str
    name: str
    time_zone: str = strawberry.field(
        description="IANA time zone of the technicians' shifts, e.g. Asia/Shanghai."
    )
    region_codes: list[str] = strawberry.field(description="Region codes served, sorted.")
    address: str
    latitude: float
    longitude: float
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="Technicians of this network, by code.")
    async def technicians(self, info: Info) -> list[Technician]:
        return await info.context.loaders.children(m.Technician, "network_id", "code").load(self.id)


@strawberry.type(
    description="A certification a technician holds, with its level (1 = trainee … 5 = master)."
)
class TechnicianSkill:
    skill: Skill
    level: int


@node_type(m.Technician)
@strawberry.type(description="A field technician of one service network.")
class Technician(relay.Node):
    id: relay.NodeID[int]
    code: str
    name: str
    home_latitude: float
    home_longitude: float
    shift_start: time = strawberry.field(description="Local time in the network's time zone.")
    shift_end: time = strawberry.field(
        description="Local time in the network's time zone; after shiftStart."
    )
    daily_capacity_minutes: int
    rating: float = strawberry.field(description="Average customer rating, 0 to 5.")
    active: bool
    created_at: datetime
    updated_at: datetime

    @strawberry.field(permission_classes=requires(P.SERVICE_READ), description="Requires `service:read`.")
    async def network(self, info: Info) -> ServiceNetwork:
        return await info.context.loaders.load_required(m.ServiceNetwork, self.network_id)  # type: ignore[attr-defined]

    @strawberry.field(description="Certifications, by skill.")
    async def skills(self, info: Info) -> list[TechnicianSkill]:
        return await info.context.loaders.children(
            m.TechnicianSkill, "technician_id", "skill"
        ).load(self.id)


@strawberry.type(description="One status change of a work order.")
class WorkOrderEvent:
    from_status: WorkOrderStatus | None = strawberry.field(
        name="from", description="Null for the creation."
    )
    to_status: WorkOrderStatus = strawberry.field(name="to")
    at: datetime
    note: str | None

    @strawberry.field(
        permission_classes=requires(P.SERVICE_READ),
        description="The technician holding the order after this change. Requires `service:read`.",
    )
    async def technician(self, info: Info) -> Technician | None:
        technician_id = self.technician_id  # type: ignore[attr-defined]
        return (
            None
            if technician_id is None
            else await info.context.loaders.by_id(m.Technician).load(technician_id)
        )


@node_type(m.WorkOrder)
@strawberry.type(description="An installation or repair visit at a member's address.")
class WorkOrder(relay.Node):
    id: relay.NodeID[int]
    order_no: str = strawberry.field(
        description="Given on create, or generated: WO + the day in the network's time zone (YYYYMMDD) "
        "+ 8 random Crockford base32 characters, e.g. WO20250301K7Q2M9XA."
    )
    kind: WorkOrderKind
    status: WorkOrderStatus
    region_code: str
    required_skill: Skill
    min_skill_level: int
    duration_minutes: int
    window_start: datetime
    window_end: datetime
    priority: int = strawberry.field(description="1 = most urgent … 5 = least.")
    sla_deadline: datetime
    description: str | None
    rating: int | None = strawberry.field(description="The member's rating, 1 to 5, once rated.")
    cancel_reason: str | None
    version: int = strawberry.field(
        description="Bumped by every change; pass it as expectedVersion to detect a stale view."
    )
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="The visit's position (the home's); rounded to 0.01° (~1 km) without `personal_data:read`.")
    def latitude(self, info: Info) -> float:
        return coordinate(info, self.latitude)  # type: ignore[arg-type, return-value]

    @strawberry.field(description="The visit's position (the home's); rounded to 0.01° (~1 km) without `personal_data:read`.")
    def longitude(self, info: Info) -> float:
        return coordinate(info, self.longitude)  # type: ignore[arg-type, return-value]

    @strawberry.field(
        description="The visit address (the member's home); masked after the district without "
        "`personal_data:read`; null once the member is erased."
    )
    def address(self, info: Info) -> str | None:
        return shown(info, self.address, mask_address)  # type: ignore[arg-type]

    @strawberry.field(permission_classes=requires(P.SERVICE_READ), description="Requires `service:read`.")
    async def network(self, info: Info) -> ServiceNetwork:
        return await info.context.loaders.load_required(m.ServiceNetwork, self.network_id)  # type: ignore[attr-defined]

    @strawberry.field(permission_classes=requires(P.MEMBER_READ), description="Requires `member:read`.")
    async def member(self, info: Info) -> Member:
        return await info.context.loaders.load_required(consumer_m.Member, self.member_id)  # type: ignore[attr-defined]

    @strawberry.field(
        permission_classes=requires(P.MEMBER_READ),
        description="The unit to install or repair, when it is registered. Requires `member:read`.",
    )
    async def registration(self, info: Info) -> ProductRegistration | None:
        registration_id = self.registration_id  # type: ignore[attr-defined]
        if registration_id is None:
            return None
        return await info.context.loaders.by_id(consumer_m.ProductRegistration).load(
            registration_id
        )

    @strawberry.field(permission_classes=requires(P.CATALOGUE_READ), description="Requires `catalogue:read`.")
    async def product(self, info: Info) -> Product | None:
        product_id = self.product_id  # type: ignore[attr-defined]
        return (
            None
            if product_id is None
            else await info.context.loaders.by_id(catalogue_m.Product).load(product_id)
        )

    @strawberry.field(
        permission_classes=requires(P.SERVICE_READ), description="Null until assigned. Requires `service:read`."
    )
    async def technician(self, info: Info) -> Technician | None:
        technician_id = self.technician_id  # type: ignore[attr-defined]
        return (
            None
            if technician_id is None
            else await info.context.loaders.by_id(m.Technician).load(technician_id)
        )

    @strawberry.field(description="Every status change, oldest first.")
    async def history(self, info: Info) -> list[WorkOrderEvent]:
        return await info.context.loaders.children(m.WorkOrderEvent, "work_order_id", "id").load(
            self.id
        )
