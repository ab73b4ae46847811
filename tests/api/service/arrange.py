"""Rows for service tests, inserted directly with a sync session: members, products and
registrations belong to other domains, and work order tests need them only as given facts."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

import api.schema  # noqa: F401  (registers every node type, so ids of other domains decode)
from api.relay import decode_id, global_id
from engine.store.catalogue import Product
from engine.store.consumer import Member, ProductRegistration
from engine.store.service import (
    ServiceNetwork,
    Technician,
    TechnicianSkill,
    WorkOrder,
    WorkOrderEvent,
)
from schemas.enums import MemberTier, ProductCategory, Skill, WorkOrderKind, WorkOrderStatus

_MOBILES = itertools.count(1)
NOON = datetime(2025, 3, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def _add(db: Engine, row: Any) -> int:
    with Session(db) as session, session.begin():
        session.add(row)
        session.flush()
        return int(row.id)


def add_member(
    db: Engine, no: str = "M1", *, latitude: float | None = 31.23, longitude: float | None = 121.47
) -> str:
    pk = _add(
        db,
        Member(
            member_no=no,
            name=f"会员 {no}",
            mobile=f"138{next(_MOBILES):08d}",
            region_code="310101",
            address=f"上海市黄浦区 {no} 号",
            latitude=latitude,
            longitude=longitude,
            tier=MemberTier.NORMAL,
        ),
    )
    return global_id("Member", pk)


def add_product(
    db: Engine, model: str = "KFR-35GW", required_skill: Skill | None = Skill.AIR_CONDITIONER
) -> str:
    pk = _add(
        db,
        Product(
            model=model,
            name=f"空调 {model}",
            category=ProductCategory.AIR_CONDITIONER,
            brand="Brand",
            list_price_fen=399900,
            warranty_months=36,
            needs_installation=True,
            required_skill=required_skill,
        ),
    )
    return global_id("Product", pk)


def add_registration(db: Engine, member: str, product: str, serial: str = "SN0001") -> str:
    pk = _add(
        db,
        ProductRegistration(
            member_id=pk_of(member),
            product_id=pk_of(product),
            serial_number=serial,
            purchase_date=date(2025, 1, 10),
            warranty_end=date(2028, 1, 10),
        ),
    )
    return global_id("ProductRegistration", pk)


def add_network(
    db: Engine,
    code: str = "SH01",
    region_codes: list[str] | None = None,
    *,
    time_zone: str = "Asia/Shanghai",
) -> str:
    pk = _add(
        db,
        ServiceNetwork(
            code=code,
            name=f"服务网点 {code}",
            time_zone=time_zone,
            region_codes=region_codes or ["310101"],
            address="上海市黄浦区服务路 1 号",
            latitude=31.2,
            longitude=121.4,
        ),
    )
    return global_id("ServiceNetwork", pk)


def add_technician(
    db: Engine,
    network: str,
    code: str,
    skills: dict[Skill, int] | None = None,
    *,
    active: bool = True,
    rating: float = 4.5,
) -> str:
    pk = _add(
        db,
        Technician(
            code=code,
            name=f"师傅 {code}",
            network_id=pk_of(network),
            home_latitude=31.2,
            home_longitude=121.4,
            shift_start=time(8),
            shift_end=time(18),
            daily_capacity_minutes=480,
            rating=rating,
            active=active,
            skills=[
                TechnicianSkill(skill=s, level=lvl)
                for s, lvl in (skills or {Skill.AIR_CONDITIONER: 3}).items()
            ],
        ),
    )
    return global_id("Technician", pk)


def add_work_orders(db: Engine, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk-insert work orders (each dict overrides the defaults) with their creation events."""
    defaults = {
        "kind": WorkOrderKind.INSTALL,
        "status": WorkOrderStatus.CREATED,
        "region_code": "310101",
        "address": "上海市",
        "latitude": 31.2,
        "longitude": 121.4,
        "required_skill": Skill.AIR_CONDITIONER,
        "min_skill_level": 1,
        "duration_minutes": 60,
        "window_start": NOON,
        "window_end": NOON.replace(hour=6),
        "priority": 3,
        "sla_deadline": NOON.replace(hour=6),
        "version": 1,
    }
    with Session(db) as session, session.begin():
        ids = list(
            session.scalars(
                insert(WorkOrder).returning(WorkOrder.id, sort_by_parameter_order=True),
                [{**defaults, **r} for r in rows],
            )
        )
        session.execute(
            insert(WorkOrderEvent),
            [
                {
                    "work_order_id": i,
                    "from_status": None,
                    "to_status": WorkOrderStatus.CREATED,
                    "at": NOON,
                }
                for i in ids
            ],
        )
    return ids


def pk_of(gid: str) -> int:
    return decode_id(gid)[1]
