"""Service mutations: networks, technicians, work orders and every work order status change."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import UNSET
from strawberry.types import Info

from api.errors import MutationError
from api.inputs import input_data
from api.mutations import run_mutation
from api.permissions import requires
from api.relay import pk_of
from api.service.types import ServiceNetwork, Technician, WorkOrder
from engine.access.permissions import Permission as P
from engine.services import dispatch
from engine.services import technicians as workforce
from engine.services import work_orders as orders
from engine.store.service import WorkOrder as WorkOrderRow
from schemas.enums import Skill, WorkOrderKind, WorkOrderStatus

TECHNICIAN_IDS = {"network_id": "ServiceNetwork"}
WORK_ORDER_IDS = {
    "network_id": "ServiceNetwork",
    "member_id": "Member",
    "registration_id": "ProductRegistration",
    "product_id": "Product",
    "technician_id": "Technician",
}


@strawberry.input(description="A new service network.")
class ServiceNetworkCreateInput:
    code: str
    name: str
    time_zone: str = strawberry.field(description="IANA time zone, e.g. Asia/Shanghai.")
    region_codes: list[str] | None = UNSET
    address: str
    latitude: float
    longitude: float


@strawberry.input(description="Changes to a service network; omitted fields keep their value.")
class ServiceNetworkUpdateInput:
    code: str | None = UNSET
    name: str | None = UNSET
    time_zone: str | None = UNSET
    region_codes: list[str] | None = UNSET
    address: str | None = UNSET
    latitude: float | None = UNSET
    longitude: float | None = UNSET


@strawberry.type
class ServiceNetworkPayload:
    service_network: ServiceNetwork | None
    errors: list[MutationError]


@strawberry.input(description="A certification: each skill at most once in a list.")
class TechnicianSkillInput:
    skill: Skill
    level: int = strawberry.field(description="1 = trainee … 5 = master.")


@strawberry.input(description="A new technician.")
class TechnicianCreateInput:
    code: str
    name: str
    network_id: strawberry.ID
    home_latitude: float
    home_longitude: float
    shift_start: time = strawberry.field(
        description="Local time in the network's time zone, without offset."
    )
    shift_end: time = strawberry.field(
        description="Local time in the network's time zone; after shiftStart."
    )
    daily_capacity_minutes: int = strawberry.field(description="1 to 1440.")
    rating: float | None = UNSET
    active: bool | None = UNSET
    skills: list[TechnicianSkillInput] | None = UNSET


@strawberry.input(
    description="Changes to a technician; omitted fields keep their value, `skills` replaces the list."
)
class TechnicianUpdateInput:
    code: str | None = UNSET
    name: str | None = UNSET
    network_id: strawberry.ID | None = UNSET
    home_latitude: float | None = UNSET
    home_longitude: float | None = UNSET
    shift_start: time | None = UNSET
    shift_end: time | None = UNSET
    daily_capacity_minutes: int | None = UNSET
    rating: float | None = UNSET
    active: bool | None = UNSET
    skills: list[TechnicianSkillInput] | None = UNSET


@strawberry.type
class TechnicianPayload:
    technician: Technician | None
    errors: list[MutationError]


@strawberry.input(
    description="A new work order; omitted product, skill, address and coordinates come from the "
    "registration, its product and the member, the SLA deadline from the window's end."
)
class WorkOrderCreateInput:
    order_no: str | None = strawberry.field(
        default=None, description="Generated when omitted (see WorkOrder.orderNo)."
    )
    kind: WorkOrderKind
    network_id: strawberry.ID
    member_id: strawberry.ID
    registration_id: strawberry.ID | None = strawberry.field(
        default=None, description="A unit of this member."
    )
    product_id: strawberry.ID | None = None
    required_skill: Skill | None = None
    min_skill_level: int | None = UNSET
    region_code: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    duration_minutes: int = strawberry.field(description="1 to 1440.")
    window_start: datetime = strawberry.field(description="With a time zone offset.")
    window_end: datetime = strawberry.field(
        description="With a time zone offset; after windowStart."
    )
    priority: int | None = UNSET
    sla_deadline: datetime | None = None
    description: str | None = None


@strawberry.input(
    description="Scheduling changes, allowed until the technician checks in; omitted fields keep their value."
)
class WorkOrderUpdateInput:
    expected_version: int | None = strawberry.field(
        default=UNSET, description="Refused with CONFLICT unless current."
    )
    region_code: str | None = UNSET
    address: str | None = UNSET
    latitude: float | None = UNSET
    longitude: float | None = UNSET
    duration_minutes: int | None = UNSET
    window_start: datetime | None = UNSET
    window_end: datetime | None = UNSET
    priority: int | None = UNSET
    sla_deadline: datetime | None = UNSET
    description: str | None = UNSET


@strawberry.input(
    description="A status change: the version the caller saw (refused with CONFLICT unless current) and a note."
)
class WorkOrderTransitionInput:
    expected_version: int | None = None
    note: str | None = None


@strawberry.input(
    description="Hand the order to a technician: active, of its network, holding its skill at its level."
)
class WorkOrderAssignInput:
    technician_id: strawberry.ID
    expected_version: int | None = None
    note: str | None = None


@strawberry.input(description="The member's rating of a completed order.")
class WorkOrderRateInput:
    rating: int = strawberry.field(description="1 to 5.")
    expected_version: int | None = None
    note: str | None = None


@strawberry.input(description="Cancel an order nobody has checked in to.")
class WorkOrderCancelInput:
    reason: str
    expected_version: int | None = None
    note: str | None = None


@strawberry.type
class WorkOrderPayload:
    work_order: WorkOrder | None
    errors: list[MutationError]


UseCase = Callable[[AsyncSession, int, dict[str, Any]], Awaitable[WorkOrderRow]]


async def _change(info: Info, id: strawberry.ID, use_case: UseCase, input: Any) -> WorkOrderPayload:
    """Run one work order use case on the order `id` with the given input (none: empty)."""
    order, errors = await run_mutation(
        info,
        lambda s: use_case(
            s,
            pk_of(id, "WorkOrder", ("id",)),
            {} if input is None else input_data(input, WORK_ORDER_IDS),
        ),
    )
    return WorkOrderPayload(work_order=order, errors=errors)  # type: ignore[arg-type]


def _step(target: WorkOrderStatus) -> UseCase:
    return lambda session, pk, data: orders.advance(session, pk, target, data)


@strawberry.type
class ServiceMutations:
    @strawberry.mutation(permission_classes=requires(P.SERVICE_WRITE), description="Create a service network.")
    async def service_network_create(
        self, info: Info, input: ServiceNetworkCreateInput
    ) -> ServiceNetworkPayload:
        network, errors = await run_mutation(
            info, lambda s: workforce.create_network(s, input_data(input))
        )
        return ServiceNetworkPayload(service_network=network, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.SERVICE_WRITE), description="Change a service network.")
    async def service_network_update(
        self, info: Info, id: strawberry.ID, input: ServiceNetworkUpdateInput
    ) -> ServiceNetworkPayload:
        network, errors = await run_mutation(
            info,
            lambda s: workforce.update_network(
                s, pk_of(id, "ServiceNetwork", ("id",)), input_data(input)
            ),
        )
        return ServiceNetworkPayload(service_network=network, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.SERVICE_WRITE), description="Create a technician.")
    async def technician_create(
        self, info: Info, input: TechnicianCreateInput
    ) -> TechnicianPayload:
        technician, errors = await run_mutation(
            info, lambda s: workforce.create_technician(s, input_data(input, TECHNICIAN_IDS))
        )
        return TechnicianPayload(technician=technician, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.SERVICE_WRITE), 
        description="Change a technician; `skills`, when given, replaces the list."
    )
    async def technician_update(
        self, info: Info, id: strawberry.ID, input: TechnicianUpdateInput
    ) -> TechnicianPayload:
        technician, errors = await run_mutation(
            info,
            lambda s: workforce.update_technician(
                s, pk_of(id, "Technician", ("id",)), input_data(input, TECHNICIAN_IDS)
            ),
        )
        return TechnicianPayload(technician=technician, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.WORK_ORDER_WRITE), description="Create a work order in status CREATED.")
    async def work_order_create(self, info: Info, input: WorkOrderCreateInput) -> WorkOrderPayload:
        order, errors = await run_mutation(
            info, lambda s: orders.create_work_order(s, input_data(input, WORK_ORDER_IDS))
        )
        return WorkOrderPayload(work_order=order, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.WORK_ORDER_WRITE), 
        description="Reschedule a work order (window, duration, priority, SLA, place); before check-in only."
    )
    async def work_order_update(
        self, info: Info, id: strawberry.ID, input: WorkOrderUpdateInput
    ) -> WorkOrderPayload:
        return await _change(info, id, orders.update_work_order, input)

    @strawberry.mutation(permission_classes=requires(P.WORK_ORDER_WRITE), 
        description="Assign (or re-assign) a work order to a technician of the planner's choice; refused "
        "with INFEASIBLE and the reason when it does not fit into his day (shift, window, capacity)."
    )
    async def work_order_assign(
        self, info: Info, id: strawberry.ID, input: WorkOrderAssignInput
    ) -> WorkOrderPayload:
        return await _change(info, id, dispatch.assign_checked, input)

    @strawberry.mutation(permission_classes=requires(P.WORK_ORDER_FIELD), description="The technician accepts the assigned order.")
    async def work_order_accept(
        self, info: Info, id: strawberry.ID, input: WorkOrderTransitionInput | None = None
    ) -> WorkOrderPayload:
        return await _change(info, id, _step(WorkOrderStatus.ACCEPTED), input)

    @strawberry.mutation(permission_classes=requires(P.WORK_ORDER_FIELD), description="The technician sets off (EN_ROUTE).")
    async def work_order_start_travel(
        self, info: Info, id: strawberry.ID, input: WorkOrderTransitionInput | None = None
    ) -> WorkOrderPayload:
        return await _change(info, id, _step(WorkOrderStatus.EN_ROUTE), input)

    @strawberry.mutation(permission_classes=requires(P.WORK_ORDER_FIELD), description="The technician arrives at the member's address.")
    async def work_order_check_in(
        self, info: Info, id: strawberry.ID, input: WorkOrderTransitionInput | None = None
    ) -> WorkOrderPayload:
        return await _change(info, id, _step(WorkOrderStatus.CHECKED_IN), input)

    @strawberry.mutation(permission_classes=requires(P.WORK_ORDER_FIELD), description="The work is done.")
    async def work_order_complete(
        self, info: Info, id: strawberry.ID, input: WorkOrderTransitionInput | None = None
    ) -> WorkOrderPayload:
        return await _change(info, id, _step(WorkOrderStatus.COMPLETED), input)

    @strawberry.mutation(permission_classes=requires(P.WORK_ORDER_WRITE), description="Record the member's rating of a completed order.")
    async def work_order_rate(
        self, info: Info, id: strawberry.ID, input: WorkOrderRateInput
    ) -> WorkOrderPayload:
        return await _change(info, id, orders.rate, input)

    @strawberry.mutation(permission_classes=requires(P.WORK_ORDER_WRITE), description="Cancel a work order before check-in; the reason is kept.")
    async def work_order_cancel(
        self, info: Info, id: strawberry.ID, input: WorkOrderCancelInput
    ) -> WorkOrderPayload:
        return await _change(info, id, orders.cancel, input)
