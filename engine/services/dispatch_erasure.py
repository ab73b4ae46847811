"""Member erasure reaches the stored dispatch plans: each keeps the problem it solved, with the
work orders' positions (the member's home). Erasure rounds an order's own position to 0.01°
(~1 km); the copies in stored problems get the same treatment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.services.dispatch_problem import local_day
from engine.store.dispatch import DispatchPlan
from engine.store.scoping import UNSCOPED
from engine.store.service import ServiceNetwork, WorkOrder

ALL_ROWS = {UNSCOPED: True}  # an erasure must not stop at the caller's row scope


async def forget_positions(session: AsyncSession, orders: Sequence[WorkOrder]) -> int:
    """Round these orders' positions in every stored plan's problem; the number of plans changed.
    The digest stays: it attests what was solved, which the stored problem no longer reproduces."""
    if not orders:
        return 0
    networks = {
        n.id: n
        for n in await session.scalars(
            select(ServiceNetwork).where(ServiceNetwork.id.in_({o.network_id for o in orders})).execution_options(**ALL_ROWS)
        )
    }
    days = {(o.network_id, local_day(networks[o.network_id], o.window_start)) for o in orders}
    ids = {str(o.id) for o in orders}
    changed = 0
    for network_id, day in sorted(days):
        plans = select(DispatchPlan).where(DispatchPlan.network_id == network_id, DispatchPlan.day == day)
        for plan in await session.scalars(plans.execution_options(**ALL_ROWS)):
            problem = _rounded(plan.problem, ids)
            if problem is not None:
                plan.problem = problem  # a new value: the JSON column sees the change
                changed += 1
    return changed


def _rounded(problem: dict[str, Any], ids: set[str]) -> dict[str, Any] | None:
    orders = problem.get("orders", [])
    if not any(o["id"] in ids for o in orders):
        return None
    return {
        **problem,
        "orders": [
            {**o, "location": {**o["location"], "x": round(o["location"]["x"], 2), "y": round(o["location"]["y"], 2)}}
            if o["id"] in ids else o
            for o in orders
        ],
    }
