"""A service network's day in the store as a dispatch problem: who works, what is open, what
each technician already holds (in progress = locked), all in minutes from the day's local midnight.

The snapshot also keeps what the problem was read from (each work order's version and a digest
of each technician's entry) so that applying a plan later can tell whether it went stale.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from engine.errors import from_validation
from engine.services.common import get_or_error
from engine.store.service import ServiceNetwork, Technician, WorkOrder
from schemas.dispatch import HORIZON_MINUTES, Mode, Problem
from schemas.enums import WorkOrderStatus

S = WorkOrderStatus
# Orders a plan may still give to someone; held orders keep their place on a technician's route.
OPEN = frozenset({S.CREATED})
HELD = frozenset({S.ASSIGNED, S.ACCEPTED})
# Travel has started or the technician is on site: the order never moves.
IN_PROGRESS = frozenset({S.EN_ROUTE, S.CHECKED_IN})

# What a problem reads of a work order (and what applying a plan checks: its version).
ORDER_COLUMNS = (
    WorkOrder.id, WorkOrder.order_no, WorkOrder.status, WorkOrder.technician_id, WorkOrder.version,
    WorkOrder.latitude, WorkOrder.longitude, WorkOrder.required_skill, WorkOrder.min_skill_level,
    WorkOrder.duration_minutes, WorkOrder.window_start, WorkOrder.window_end, WorkOrder.priority,
    WorkOrder.sla_deadline,
)


@dataclass(frozen=True)
class Snapshot:
    """A problem and the rows it was made of."""

    problem: Problem
    network: ServiceNetwork
    day: date
    origin: datetime
    technicians: dict[int, Technician]
    orders: dict[int, Row[Any]]  # ORDER_COLUMNS by primary key

    @property
    def digest(self) -> str:
        return digest_of(self.problem.model_dump(mode="json", by_alias=True))

    def versions(self) -> dict[str, dict[str, Any]]:
        """What `apply` compares: work order versions, and a digest per technician's entry
        (shift, skills, capacity, home and current route: a change to any makes a plan stale)."""
        return {
            "work_orders": {str(pk): o.version for pk, o in self.orders.items()},
            "technicians": {
                t.id: digest_of(t.model_dump(mode="json", by_alias=True)) for t in self.problem.technicians
            },
        }


def digest_of(data: Any) -> str:
    """SHA-256 of the canonical JSON of `data`."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def local_origin(network: ServiceNetwork, day: date) -> datetime:
    """Midnight of `day` in the network's time zone: minute 0 of the problem."""
    return datetime.combine(day, time(0), ZoneInfo(network.time_zone))


def local_day(network: ServiceNetwork, instant: datetime) -> date:
    return instant.astimezone(ZoneInfo(network.time_zone)).date()


async def problem_for(
    session: AsyncSession,
    network_id: int,
    day: date,
    mode: Mode = Mode.ROUTE,
    time_limit: float = 10.0,
    *,
    seed: int = 0,
    recommend_order: int | None = None,
    path: tuple[str | int, ...] = ("network",),
) -> Snapshot:
    """The network's day as a Problem: its active technicians (home as start and end, skills,
    the day's shift, capacity), its open work orders whose window starts that day, and the
    current routes from the orders already held (by window start; in progress = locked).

    `recommend_order` (recommend mode) is taken off any route it is on, so the recommendation
    weighs every technician for it, its current holder included; the day's other open orders
    are left out (a recommendation is against the current routes)."""
    network = await get_or_error(session, ServiceNetwork, network_id, path)
    origin = local_origin(network, day)
    until = local_origin(network, day + timedelta(days=1))
    technicians = {
        t.id: t
        for t in await session.scalars(
            select(Technician)
            .where(Technician.network_id == network.id, Technician.active.is_(True))
            .options(selectinload(Technician.skills))
            .order_by(Technician.id)
        )
    }
    # Columns, not entities: no address to decrypt, no identity map to fill for a city's day.
    rows = (
        await session.execute(
            select(*ORDER_COLUMNS)
            .where(
                WorkOrder.network_id == network.id,
                WorkOrder.window_start >= origin,
                WorkOrder.window_start < until,
                WorkOrder.status.in_(OPEN | HELD | IN_PROGRESS),
            )
            .order_by(WorkOrder.window_start, WorkOrder.id)
        )
    ).all()
    routes: dict[int, list[Row[Any]]] = {pk: [] for pk in technicians}
    orders: dict[int, Row[Any]] = {}
    for order in rows:
        held = order.status not in OPEN and order.technician_id in technicians
        if order.status in IN_PROGRESS and not held:
            continue  # someone outside the plan is doing it: nothing to plan
        if recommend_order is not None and not held and order.id != recommend_order:
            continue  # a recommendation weighs the current routes only: other open orders do not count
        orders[order.id] = order
        if held and order.id != recommend_order:
            routes[order.technician_id].append(order)
    data = {
        "origin": origin.isoformat(),
        "name": f"{network.code} {day.isoformat()}",
        "technicians": [
            _technician(t, routes[t.id], origin, day, network) for t in technicians.values()
        ],
        "orders": [_order(o, origin) for o in orders.values()],
        "options": {"time_limit_seconds": time_limit, "seed": seed, "deterministic": True},
        "recommend_order": None if recommend_order is None else str(recommend_order),
    }
    try:
        problem = Problem.model_validate(data)
    except ValidationError as exc:  # a stored row outside the engine's contract
        raise from_validation(exc, ("network",)) from None
    del mode  # every mode reads the same day; the caller runs the one it wants
    return Snapshot(problem, network, day, origin, technicians, orders)


def _minutes(instant: datetime, origin: datetime) -> int:
    """Whole minutes from the origin, within the problem's horizon. In UTC: Python subtracts two
    times of one zone as wall-clock times, which is an hour off across a daylight-saving change."""
    minutes = int((instant.astimezone(UTC) - origin.astimezone(UTC)).total_seconds() // 60)
    return min(max(minutes, 0), HORIZON_MINUTES)


def _technician(
    t: Technician, route: list[Row[Any]], origin: datetime, day: date, network: ServiceNetwork
) -> dict[str, Any]:
    zone = ZoneInfo(network.time_zone)
    start = datetime.combine(day, t.shift_start, zone)
    end = datetime.combine(day, t.shift_end, zone)
    # In progress first (it is happening now), then by window start: the order they will be worked.
    ordered = sorted(route, key=lambda o: (o.status not in IN_PROGRESS, o.window_start, o.id))
    home = {"x": t.home_longitude, "y": t.home_latitude}
    return {
        "id": str(t.id),
        "start": home,
        "end": home,
        "skills": {s.skill.value: s.level for s in t.skills},
        "shifts": [{"start": _minutes(start, origin), "end": _minutes(end, origin)}],
        "capacity_minutes": t.daily_capacity_minutes,
        "route": [{"order_id": str(o.id), "locked": o.status in IN_PROGRESS} for o in ordered],
    }


def _order(o: Row[Any], origin: datetime) -> dict[str, Any]:
    return {
        "id": str(o.id),
        "location": {"x": o.longitude, "y": o.latitude},
        "skill": o.required_skill.value,
        "min_level": o.min_skill_level,
        "duration": o.duration_minutes,
        "windows": [{"start": _minutes(o.window_start, origin), "end": _minutes(o.window_end, origin)}],
        "priority": o.priority,
        "sla_deadline": _minutes(o.sla_deadline, origin),
    }

