"""Work order use cases: create, reschedule, and move through the status machine with history."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from engine import clock
from engine.errors import DomainError, FieldError
from engine.lifecycle import Lifecycle, expect_status, expect_version
from engine.services.common import (
    duplicate,
    get_or_error,
    merge,
    missing_references,
    raise_if,
    validate,
)
from engine.store.catalogue import Product
from engine.store.consumer import Member, ProductRegistration
from engine.store.service import ServiceNetwork, Technician, WorkOrder, WorkOrderEvent
from schemas.enums import Skill, WorkOrderStatus
from schemas.errors import ErrorCode
from schemas.service import (
    AssignFields,
    CancelFields,
    RateFields,
    TransitionFields,
    VersionCheck,
    WorkOrderDraft,
    WorkOrderSchedule,
)

S = WorkOrderStatus
T = TypeVar("T", bound=TransitionFields)

WORK_ORDER = Lifecycle(
    "work order",
    {
        S.CREATED: frozenset({S.ASSIGNED, S.CANCELLED}),
        # Re-assignment: a planner may hand the order to another technician until travel starts.
        S.ASSIGNED: frozenset({S.ASSIGNED, S.ACCEPTED, S.CANCELLED}),
        S.ACCEPTED: frozenset({S.ASSIGNED, S.EN_ROUTE, S.CANCELLED}),
        S.EN_ROUTE: frozenset({S.CHECKED_IN, S.CANCELLED}),
        S.CHECKED_IN: frozenset({S.COMPLETED}),
        S.COMPLETED: frozenset({S.RATED}),
    },
)

# Scheduling fields may change only while nobody is on site yet.
RESCHEDULABLE = frozenset({S.CREATED, S.ASSIGNED, S.ACCEPTED, S.EN_ROUTE})

# Crockford base32: no I, L, O, U, so an order number read over the phone is unambiguous.
_ORDER_NO_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def generate_order_no(network_zone: str, now: datetime) -> str:
    """`WO` + the day in the network's time zone (YYYYMMDD) + 8 random Crockford base32
    characters, e.g. `WO20250301K7Q2M9XA`: readable by date, and unique without a shared
    counter (40 random bits a day), so replicas need no coordination."""
    day = now.astimezone(ZoneInfo(network_zone)).strftime("%Y%m%d")
    return "WO" + day + "".join(secrets.choice(_ORDER_NO_ALPHABET) for _ in range(8))


async def create_work_order(session: AsyncSession, data: dict[str, Any]) -> WorkOrder:
    """A new order in status `created`; product, skill, address and coordinates default from the
    registration, the product and the member, the SLA deadline from the end of the window."""
    draft = validate(WorkOrderDraft, data)
    raise_if(
        await missing_references(
            session,
            [
                (("network_id",), ServiceNetwork, draft.network_id),
                (("member_id",), Member, draft.member_id),
                (("registration_id",), ProductRegistration, draft.registration_id),
                (("product_id",), Product, draft.product_id),
            ],
        )
    )
    network = await get_or_error(session, ServiceNetwork, draft.network_id, ("network_id",))
    member = await get_or_error(session, Member, draft.member_id, ("member_id",))
    if member.erased_at is not None:
        raise DomainError.single(("member_id",), f"member {member.member_no} was erased: no new service for it", ErrorCode.WRONG_STATUS)
    errors: list[FieldError] = []
    product_id = await _product_of(session, draft, errors)
    product = None if product_id is None else await session.get(Product, product_id)
    required_skill = draft.required_skill or (product.required_skill if product else None)
    if required_skill is None:
        errors.append(
            FieldError(("required_skill",), _no_skill_reason(product), ErrorCode.REQUIRED)
        )
    latitude, longitude = _coordinates(draft, member, errors)
    if draft.order_no is not None:
        errors += await duplicate(session, WorkOrder.order_no, draft.order_no, ("order_no",))
    raise_if(errors)
    schedule = validate(
        WorkOrderSchedule,
        {
            **draft.model_dump(include=set(WorkOrderSchedule.model_fields) - {"sla_deadline"}),
            "region_code": draft.region_code or member.region_code,
            "address": draft.address or member.address,
            "latitude": latitude,
            "longitude": longitude,
            "sla_deadline": draft.sla_deadline or draft.window_end,
        },
    )
    now = clock.now()
    order = WorkOrder(
        order_no=draft.order_no or generate_order_no(network.time_zone, now),
        kind=draft.kind,
        status=S.CREATED,
        network_id=network.id,
        member_id=member.id,
        registration_id=draft.registration_id,
        product_id=product_id,
        required_skill=required_skill,
        min_skill_level=draft.min_skill_level,
        **schedule.model_dump(),
    )
    session.add(order)
    await session.flush()
    session.add(
        WorkOrderEvent(work_order_id=order.id, from_status=None, to_status=S.CREATED, at=now)
    )
    await session.flush()
    return order


async def _product_of(
    session: AsyncSession, draft: WorkOrderDraft, errors: list[FieldError]
) -> int | None:
    """The product given, else the registration's; the registration must be the member's own unit."""
    if draft.registration_id is None:
        return draft.product_id
    registration = await get_or_error(
        session, ProductRegistration, draft.registration_id, ("registration_id",)
    )
    if registration.member_id != draft.member_id:
        errors.append(
            FieldError(
                ("registration_id",),
                f"ProductRegistration {registration.id} belongs to another member, not Member {draft.member_id}",
                ErrorCode.INVALID,
            )
        )
    if draft.product_id is not None and draft.product_id != registration.product_id:
        errors.append(
            FieldError(
                ("product_id",),
                f"the registered unit is Product {registration.product_id}, not Product {draft.product_id}",
                ErrorCode.INVALID,
            )
        )
    return registration.product_id


def _no_skill_reason(product: Product | None) -> str:
    if product is None:
        return "give requiredSkill, or a product or registration whose product names one"
    return f"product {product.model} needs no particular skill: give requiredSkill"


def _coordinates(
    draft: WorkOrderDraft, member: Member, errors: list[FieldError]
) -> tuple[float | None, float | None]:
    """Both coordinates given, or both taken from the member; half a position is refused."""
    given = {"latitude": draft.latitude, "longitude": draft.longitude}
    missing = [name for name, value in given.items() if value is None]
    if len(missing) == 1:
        errors.append(
            FieldError((missing[0],), "give latitude and longitude together", ErrorCode.INVALID)
        )
        return None, None
    if not missing:
        return draft.latitude, draft.longitude
    if member.latitude is None or member.longitude is None:
        for name in ("latitude", "longitude"):
            errors.append(
                FieldError(
                    (name,),
                    f"member {member.member_no} has no coordinates: give {name}",
                    ErrorCode.REQUIRED,
                )
            )
        return None, None
    return member.latitude, member.longitude


async def update_work_order(
    session: AsyncSession, work_order_id: int, patch: dict[str, Any]
) -> WorkOrder:
    """Change the scheduling fields of an order nobody has checked in to yet."""
    changes = dict(patch)
    check = validate(VersionCheck, {"expected_version": changes.pop("expected_version", None)})
    order = await _load(session, work_order_id, check.expected_version)
    expect_status(order.status, RESCHEDULABLE, f"rescheduling work order {order.order_no}")
    # An erased member's order has no visit address left, and taking a new one would undo the erasure.
    if order.address is None:
        raise DomainError.single(
            ("id",),
            f"work order {order.order_no} belongs to an erased member and has no visit address: "
            "it cannot be rescheduled; cancel it instead",
            ErrorCode.WRONG_STATUS,
        )
    schedule = merge(WorkOrderSchedule, WorkOrderSchedule.model_validate(order), changes)
    for key, value in schedule.model_dump().items():
        setattr(order, key, value)
    await session.flush()
    return order


async def assign(session: AsyncSession, work_order_id: int, data: dict[str, Any]) -> WorkOrder:
    """Give the order to a technician of the planner's choice, if that technician can do it."""
    fields, order = await _prepare(session, work_order_id, AssignFields, data, S.ASSIGNED)
    raise_if(await _assignment_errors(session, order, fields.technician_id))
    order.technician_id = fields.technician_id
    return await _record(session, order, S.ASSIGNED, fields.note)


async def advance(
    session: AsyncSession, work_order_id: int, target: WorkOrderStatus, data: dict[str, Any]
) -> WorkOrder:
    """A step that carries nothing but an optional note: accept, start travel, check in, complete."""
    fields, order = await _prepare(session, work_order_id, TransitionFields, data, target)
    return await _record(session, order, target, fields.note)


async def rate(session: AsyncSession, work_order_id: int, data: dict[str, Any]) -> WorkOrder:
    fields, order = await _prepare(session, work_order_id, RateFields, data, S.RATED)
    order.rating = fields.rating
    return await _record(session, order, S.RATED, fields.note)


async def cancel(session: AsyncSession, work_order_id: int, data: dict[str, Any]) -> WorkOrder:
    fields, order = await _prepare(session, work_order_id, CancelFields, data, S.CANCELLED)
    order.cancel_reason = fields.reason
    return await _record(session, order, S.CANCELLED, fields.note or fields.reason)


async def _prepare(
    session: AsyncSession,
    work_order_id: int,
    contract: type[T],
    data: dict[str, Any],
    target: WorkOrderStatus,
) -> tuple[T, WorkOrder]:
    """The validated input and the order, once the version and the transition are checked."""
    fields = validate(contract, data)
    order = await _load(session, work_order_id, fields.expected_version)
    WORK_ORDER.check(order.status, target)
    return fields, order


async def _load(
    session: AsyncSession, work_order_id: int, expected_version: int | None
) -> WorkOrder:
    """The order, refused with CONFLICT if the caller saw another version of it."""
    order = await get_or_error(session, WorkOrder, work_order_id)
    expect_version(order.version, expected_version)
    return order


async def _record(
    session: AsyncSession, order: WorkOrder, target: WorkOrderStatus, note: str | None
) -> WorkOrder:
    """Move to `target` and append the event; the UPDATE bumps the version (optimistic lock)."""
    session.add(
        WorkOrderEvent(
            work_order_id=order.id,
            from_status=order.status,
            to_status=target,
            technician_id=order.technician_id,
            at=clock.now(),
            note=note,
        )
    )
    order.status = target
    await session.flush()
    return order


async def _assignment_errors(
    session: AsyncSession, order: WorkOrder, technician_id: int
) -> list[FieldError]:
    """Why `technician_id` cannot take the order: each unmet condition is its own error."""
    path = ("technician_id",)
    technician = await session.get(
        Technician, technician_id, options=[selectinload(Technician.skills)]
    )
    if technician is None:
        return [FieldError(path, f"Technician {technician_id} does not exist", ErrorCode.NOT_FOUND)]
    if technician.id == order.technician_id:
        return [
            FieldError(
                path,
                f"work order {order.order_no} is already assigned to {technician.code}",
                ErrorCode.INVALID,
            )
        ]
    errors = []
    if not technician.active:
        errors.append(
            FieldError(path, f"technician {technician.code} is inactive", ErrorCode.INVALID)
        )
    if technician.network_id != order.network_id:
        theirs = await session.get(ServiceNetwork, technician.network_id)
        ours = await session.get(ServiceNetwork, order.network_id)
        errors.append(
            FieldError(
                path,
                f"technician {technician.code} works for service network {theirs.code if theirs else '?'}, "
                f"the work order is for {ours.code if ours else '?'}",
                ErrorCode.INVALID,
            )
        )
    return errors + _skill_errors(technician, order.required_skill, order.min_skill_level)


def _skill_errors(technician: Technician, skill: Skill, min_level: int) -> list[FieldError]:
    level = {s.skill: s.level for s in technician.skills}.get(skill)
    if level is None:
        return [
            FieldError(
                ("technician_id",),
                f"technician {technician.code} does not hold the skill {skill.value}",
                ErrorCode.INVALID,
            )
        ]
    if level < min_level:
        return [
            FieldError(
                ("technician_id",),
                f"technician {technician.code} holds {skill.value} at level {level}, the work order needs level {min_level} or above",
                ErrorCode.INVALID,
            )
        ]
    return []
