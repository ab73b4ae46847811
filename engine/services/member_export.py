"""Everything held about one member, as a machine-readable document (a data-subject request):
profile, registered units, work orders with their history, consent history.

Keys are snake_case and listed explicitly here, so the document's shape is stable whatever the
tables grow; times are ISO 8601 with offset, dates ISO 8601, enums by name (GOLD, CANCELLED). Other objects are
named by their business keys (product model, store and network codes), not internal ids."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from engine import clock
from engine.store.base import Base
from engine.store.catalogue import Product
from engine.store.channel import Store
from engine.store.consumer import ConsentEvent, Member, ProductRegistration
from engine.store.service import ServiceNetwork, Technician, WorkOrder, WorkOrderEvent
from schemas.enums import SpecialNeed

FORMAT = "crm-engine.member-export/1"

MEMBER_FIELDS = (
    "member_no", "name", "mobile", "id_number", "region_code", "address", "latitude", "longitude",
    "estate", "layout", "household_size", "income_band", "special_needs", "tags", "tier",
    "growth_value", "birth_month", "marketing_consent", "consent_updated_at", "erased_at", "created_at", "updated_at",
)
REGISTRATION_FIELDS = ("serial_number", "purchase_date", "warranty_end", "created_at", "updated_at")
WORK_ORDER_FIELDS = (
    "order_no", "kind", "status", "region_code", "address", "latitude", "longitude", "required_skill",
    "min_skill_level", "duration_minutes", "window_start", "window_end", "priority", "sla_deadline",
    "description", "rating", "cancel_reason", "created_at", "updated_at",
)
EVENT_FIELDS = {"from": "from_status", "to": "to_status", "at": "at", "note": "note"}
CONSENT_FIELDS = ("granted", "source", "actor", "at")


async def export_member(session: AsyncSession, member_id: int) -> dict[str, Any] | None:
    """The member's document, or None if the member does not exist (or is outside the scope)."""
    member = await session.get(Member, member_id)
    if member is None:
        return None
    registrations = await _all(
        session, select(ProductRegistration).where(ProductRegistration.member_id == member_id)
        .order_by(ProductRegistration.purchase_date, ProductRegistration.id)
    )
    orders = await _all(
        session, select(WorkOrder).where(WorkOrder.member_id == member_id).order_by(WorkOrder.created_at, WorkOrder.id)
    )
    events = await _all(
        session, select(WorkOrderEvent).where(WorkOrderEvent.work_order_id.in_([o.id for o in orders]))
        .order_by(WorkOrderEvent.at, WorkOrderEvent.id)
    )
    consents = await _all(
        session, select(ConsentEvent).where(ConsentEvent.member_id == member_id).order_by(ConsentEvent.at, ConsentEvent.id)
    )
    products = await _keys(session, Product.model, [r.product_id for r in registrations] + [o.product_id for o in orders])
    stores = await _keys(session, Store.code, [r.store_id for r in registrations])
    networks = await _keys(session, ServiceNetwork.code, [o.network_id for o in orders])
    technicians = await _keys(
        session, Technician.code, [o.technician_id for o in orders] + [e.technician_id for e in events]
    )
    serials = {r.id: r.serial_number for r in registrations}
    history: dict[int, list[dict[str, Any]]] = {o.id: [] for o in orders}
    for event in events:
        history[event.work_order_id].append(
            {key: plain(getattr(event, name)) for key, name in EVENT_FIELDS.items()}
            | {"technician_code": technicians.get(event.technician_id)}
        )
    return {
        "format": FORMAT,
        "exported_at": plain(clock.now()),
        "member": _fields(member, MEMBER_FIELDS)
        | {"special_needs": [SpecialNeed(need).name for need in member.special_needs]},
        "registrations": [
            _fields(r, REGISTRATION_FIELDS)
            | {"product_model": products.get(r.product_id), "store_code": stores.get(r.store_id)}
            for r in registrations
        ],
        "work_orders": [
            _fields(o, WORK_ORDER_FIELDS)
            | {
                "network_code": networks.get(o.network_id),
                "product_model": products.get(o.product_id),
                "registration_serial_number": serials.get(o.registration_id),
                "technician_code": technicians.get(o.technician_id),
                "history": history[o.id],
            }
            for o in orders
        ],
        "consent_history": [_fields(c, CONSENT_FIELDS) for c in consents],
    }


def plain(value: Any) -> Any:
    """A JSON value: enums by name (as the API spells them), times and dates in ISO 8601,
    lists element by element."""
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _fields(row: Base, names: Iterable[str]) -> dict[str, Any]:
    return {name: plain(getattr(row, name)) for name in names}


async def _all(session: AsyncSession, stmt: Any) -> Sequence[Any]:
    return (await session.scalars(stmt)).all()


async def _keys(session: AsyncSession, column: InstrumentedAttribute[str], ids: Iterable[int | None]) -> dict[int, str]:
    """id -> business key of the rows of `column`'s model with these ids (one statement)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    model = column.class_
    rows = await session.execute(select(model.id, column).where(model.id.in_(wanted)))
    return {pk: key for pk, key in rows}
