"""Service queries: network, technician and work order connections with filters and sorting."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, select
from strawberry.types import Info

from api.filters import DateTimeRange, json_list_contains, range_conditions
from api.permissions import requires
from api.relay import Connection, OrderDirection, filter_ids, paginate_sorted
from api.service.types import ServiceNetwork, Technician, WorkOrder
from engine.access.permissions import Permission as P
from engine.store import service as m
from schemas.enums import Skill, WorkOrderKind, WorkOrderStatus

# What a stored region code looks like (schemas.common.RegionCode): six digits.
REGION_CODE = r"[0-9]{6}"


@strawberry.input(description="Service networks matching every given condition.")
class ServiceNetworkWhereInput:
    region_code: str | None = strawberry.field(default=None, description="Serves this region.")
    code: str | None = None


@strawberry.enum
class ServiceNetworkOrderField(Enum):
    CODE = "code"
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.input
class ServiceNetworkOrder:
    field: ServiceNetworkOrderField
    direction: OrderDirection = OrderDirection.ASC


def network_conditions(where: ServiceNetworkWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    c: list[Any] = []
    if where.region_code is not None:
        c.append(json_list_contains(m.ServiceNetwork.region_codes, where.region_code, REGION_CODE))
    if where.code is not None:
        c.append(m.ServiceNetwork.code == where.code)
    return c


@strawberry.input(description="Technicians matching every given condition.")
class TechnicianWhereInput:
    network: list[strawberry.ID] | None = None
    skill: list[Skill] | None = strawberry.field(
        default=None, description="Holds at least one of these skills."
    )
    min_level: int | None = strawberry.field(
        default=None,
        description="Holds one of `skill` (any skill if `skill` is omitted) at this level or above.",
    )
    active: bool | None = None


@strawberry.enum
class TechnicianOrderField(Enum):
    CODE = "code"
    NAME = "name"
    RATING = "rating"
    CREATED_AT = "created_at"


@strawberry.input
class TechnicianOrder:
    field: TechnicianOrderField
    direction: OrderDirection = OrderDirection.ASC


def technician_conditions(where: TechnicianWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    c: list[Any] = []
    networks = filter_ids(where.network, "ServiceNetwork", "where.network")
    if networks is not None:
        c.append(m.Technician.network_id.in_(networks))
    if where.skill is not None or where.min_level is not None:
        held = select(m.TechnicianSkill.technician_id)
        if where.skill is not None:
            held = held.where(m.TechnicianSkill.skill.in_(where.skill))
        if where.min_level is not None:
            held = held.where(m.TechnicianSkill.level >= where.min_level)
        c.append(m.Technician.id.in_(held))
    if where.active is not None:
        c.append(m.Technician.active.is_(where.active))
    return c


@strawberry.input(description="Work orders matching every given condition.")
class WorkOrderWhereInput:
    status: list[WorkOrderStatus] | None = None
    network: list[strawberry.ID] | None = None
    technician: list[strawberry.ID] | None = None
    unassigned: bool | None = strawberry.field(
        default=None, description="true: no technician yet; false: assigned."
    )
    required_skill: list[Skill] | None = None
    region_code: list[str] | None = None
    kind: WorkOrderKind | None = None
    priority: list[int] | None = None
    window_start: DateTimeRange | None = None
    sla_deadline: DateTimeRange | None = None


@strawberry.enum
class WorkOrderOrderField(Enum):
    WINDOW_START = "window_start"
    SLA_DEADLINE = "sla_deadline"
    PRIORITY = "priority"
    ORDER_NO = "order_no"
    CREATED_AT = "created_at"


@strawberry.input
class WorkOrderOrder:
    field: WorkOrderOrderField
    direction: OrderDirection = OrderDirection.ASC


def work_order_conditions(where: WorkOrderWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    c: list[Any] = []
    if where.status is not None:
        c.append(m.WorkOrder.status.in_(where.status))
    networks = filter_ids(where.network, "ServiceNetwork", "where.network")
    if networks is not None:
        c.append(m.WorkOrder.network_id.in_(networks))
    technicians = filter_ids(where.technician, "Technician", "where.technician")
    if technicians is not None:
        c.append(m.WorkOrder.technician_id.in_(technicians))
    if where.unassigned is not None:
        c.append(
            m.WorkOrder.technician_id.is_(None)
            if where.unassigned
            else m.WorkOrder.technician_id.is_not(None)
        )
    if where.required_skill is not None:
        c.append(m.WorkOrder.required_skill.in_(where.required_skill))
    if where.region_code is not None:
        c.append(m.WorkOrder.region_code.in_(where.region_code))
    if where.kind is not None:
        c.append(m.WorkOrder.kind == where.kind)
    if where.priority is not None:
        c.append(m.WorkOrder.priority.in_(where.priority))
    c += range_conditions(m.WorkOrder.window_start, where.window_start, "where.windowStart")
    c += range_conditions(m.WorkOrder.sla_deadline, where.sla_deadline, "where.slaDeadline")
    return c


@strawberry.type
class ServiceQueries:
    @strawberry.field(permission_classes=requires(P.SERVICE_READ), description="Service networks, a page at a time.")
    async def service_networks(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        where: ServiceNetworkWhereInput | None = None,
        sort_by: ServiceNetworkOrder | None = None,
    ) -> Connection[ServiceNetwork]:
        return await paginate_sorted(
            info,
            m.ServiceNetwork,
            network_conditions(where),
            sort_by,
            ServiceNetworkOrderField.CODE,
            first,
            after,
        )

    @strawberry.field(permission_classes=requires(P.SERVICE_READ), description="Technicians, a page at a time.")
    async def technicians(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        where: TechnicianWhereInput | None = None,
        sort_by: TechnicianOrder | None = None,
    ) -> Connection[Technician]:
        return await paginate_sorted(
            info,
            m.Technician,
            technician_conditions(where),
            sort_by,
            TechnicianOrderField.CODE,
            first,
            after,
        )

    @strawberry.field(permission_classes=requires(P.WORK_ORDER_READ), description="Work orders, a page at a time; by default soonest window first.")
    async def work_orders(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        where: WorkOrderWhereInput | None = None,
        sort_by: WorkOrderOrder | None = None,
    ) -> Connection[WorkOrder]:
        return await paginate_sorted(
            info,
            m.WorkOrder,
            work_order_conditions(where),
            sort_by,
            WorkOrderOrderField.WINDOW_START,
            first,
            after,
        )
