"""Dispatch use cases: recommend a technician for a work order, make a network's day plan and
store it as a draft, apply it in one transaction (refused when stale), check a planner's manual
choice, and solve a problem sent as is. The engine runs in a worker thread (route mode in its
own child process), so the event loop keeps serving while it works."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any, TypeVar

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from engine import clock
from engine.dispatch.solve import solve
from engine.errors import DomainError, FieldError
from engine.services import work_orders
from engine.services.common import get_or_error, raise_if, validate
from engine.services.dispatch_problem import HELD, OPEN, Snapshot, local_day, problem_for
from engine.store.dispatch import DispatchPlan, DispatchPlanStatus
from engine.store.service import ServiceNetwork, WorkOrder
from schemas.dispatch import Mode, Plan, Recommendation
from schemas.dispatch_plans import PlanRequest
from schemas.errors import ErrorCode
from schemas.service import AssignFields

T = TypeVar("T")
ASSIGNABLE = OPEN | HELD


async def in_thread(function: Callable[..., T], *args: Any) -> T:
    """Run CPU-bound engine work off the event loop."""
    return await to_thread.run_sync(function, *args)


async def solve_problem(data: Any, mode: Mode) -> Plan | Recommendation:
    """The stateless engine call: a problem as JSON in (every offender reported at once)."""
    return await in_thread(solve, data, mode)


# --- recommend ---------------------------------------------------------------------------


async def recommendation_snapshot(
    session: AsyncSession, order: WorkOrder, path: tuple[str | int, ...] = ("work_order_id",)
) -> Snapshot:
    """The order's network and day (in the network's time zone), with the order to place."""
    if order.status not in ASSIGNABLE:
        raise DomainError.single(
            path, f"work order {order.order_no} is {order.status.value}: nothing to recommend",
            ErrorCode.WRONG_STATUS,
        )
    network = await get_or_error(session, ServiceNetwork, order.network_id, path)
    return await problem_for(
        session, network.id, local_day(network, order.window_start), Mode.RECOMMEND,
        recommend_order=order.id, path=path,
    )


async def recommend(session: AsyncSession, work_order_id: int) -> tuple[Recommendation, Snapshot]:
    """The best technicians for one work order against the current routes, and why the others not."""
    order = await get_or_error(session, WorkOrder, work_order_id, ("work_order_id",))
    snapshot = await recommendation_snapshot(session, order)
    result = await in_thread(solve, snapshot.problem, Mode.RECOMMEND)
    assert isinstance(result, Recommendation)
    return result, snapshot


# --- manual assignment ------------------------------------------------------------------


async def assign_checked(session: AsyncSession, work_order_id: int, data: dict[str, Any]) -> WorkOrder:
    """`work_orders.assign` (status, version, the technician's network, activity and skill),
    then the day itself: the order must fit into the technician's current route (shift,
    window, capacity), judged by the recommend machinery on the routes as they were."""
    fields = validate(AssignFields, data)
    order = await session.get(WorkOrder, work_order_id)
    snapshot = None
    if order is not None and order.status in ASSIGNABLE:
        snapshot = await recommendation_snapshot(session, order, ("id",))
    assigned = await work_orders.assign(session, work_order_id, data)
    if snapshot is not None:
        await _check_fits(snapshot, assigned, fields.technician_id)
    return assigned


async def _check_fits(snapshot: Snapshot, order: WorkOrder, technician_id: int) -> None:
    key = str(technician_id)
    only = [t for t in snapshot.problem.technicians if t.id == key]
    problem = snapshot.problem.model_copy(update={"technicians": only})
    result = await in_thread(solve, problem, Mode.RECOMMEND)
    assert isinstance(result, Recommendation)
    if any(c.technician_id == key for c in result.candidates):
        return
    reasons = [g.reason.value for g in result.excluded if key in g.technician_ids] or ["no_shift_fits"]
    technician = snapshot.technicians.get(technician_id)
    who = technician.code if technician is not None else f"Technician {technician_id}"
    raise DomainError.single(
        ("technician_id",),
        f"technician {who} cannot take work order {order.order_no} on {snapshot.day.isoformat()}: "
        + ", ".join(r.replace("_", " ") for r in reasons),
        ErrorCode.INFEASIBLE,
    )


# --- plans ------------------------------------------------------------------------------


async def create_plan(session: AsyncSession, data: dict[str, Any], actor: str) -> DispatchPlan:
    """Solve the network's day in assign or route mode and store the result as a draft, with
    the problem, its digest and the versions of everything it read."""
    request = validate(PlanRequest, data)
    mode = Mode(request.mode)
    snapshot = await problem_for(
        session, request.network, request.date, mode, request.time_limit, seed=request.seed
    )
    plan = await in_thread(solve, snapshot.problem, mode)
    assert isinstance(plan, Plan)
    row = DispatchPlan(
        network_id=snapshot.network.id,
        day=request.date,
        origin=snapshot.origin.astimezone(UTC),  # as it reads back from the store
        mode=mode,
        status=DispatchPlanStatus.DRAFT,
        time_limit_seconds=request.time_limit,
        seed=request.seed,
        digest=snapshot.digest,
        problem=snapshot.problem.model_dump(mode="json", by_alias=True),
        plan=plan.model_dump(mode="json"),
        versions=snapshot.versions(),
        solver_status=plan.kpis.solver_status,
        assigned_count=plan.kpis.assigned,
        unassigned_count=plan.kpis.unassigned,
        created_by=actor,
    )
    session.add(row)
    await session.flush()
    return row


def stale_errors(plan: DispatchPlan, now: Snapshot) -> list[FieldError]:
    """Every work order and technician the plan read that has changed (or gone) since."""
    errors: list[FieldError] = []
    then = plan.versions

    def add(message: str) -> None:
        errors.append(FieldError(("id",), message, ErrorCode.STALE_PLAN))

    current = now.versions()
    for pk, version in then["work_orders"].items():
        order = now.orders.get(int(pk))
        if order is None:
            add(f"WorkOrder {pk} is no longer open on this day")
        elif order.version != version:
            add(f"work order {order.order_no} changed since the plan was made (version {version} → {order.version})")
    for pk, digest in then["technicians"].items():
        technician = now.technicians.get(int(pk))
        if technician is None:
            add(f"Technician {pk} is no longer active in this network")
        elif current["technicians"].get(pk) != digest:
            add(f"technician {technician.code} changed since the plan was made (shift, skills, capacity or route)")
    return errors


async def apply_plan(session: AsyncSession, plan_id: int, actor: str) -> DispatchPlan:
    """Assign the plan's work orders to its technicians, all or nothing: refused (STALE_PLAN,
    every change listed) when any order or technician it read has changed since it was made.
    Each change is a `work_orders.assign` (history row, version bump); locked stops and orders
    already with their planned technician are left as they are, and so is an order the plan
    left unassigned that someone holds (the status machine has no way back to unassigned)."""
    row = await get_or_error(session, DispatchPlan, plan_id)
    if row.status is not DispatchPlanStatus.DRAFT:
        raise DomainError.single(("id",), f"dispatch plan {row.id} is {row.status.value}: only a draft can be applied",
                                 ErrorCode.WRONG_STATUS)
    now = await problem_for(session, row.network_id, row.day, row.mode, row.time_limit_seconds, seed=row.seed)
    raise_if(stale_errors(row, now))
    plan = Plan.model_validate(row.plan)
    note = f"dispatch plan {row.id}"
    for route in plan.routes:
        technician_id = int(route.technician_id)
        for stop in route.stops:
            order = now.orders[int(stop.order_id)]
            if stop.locked or order.technician_id == technician_id:
                continue
            try:
                await work_orders.assign(
                    session, order.id, {"technician_id": technician_id, "expected_version": order.version, "note": note}
                )
            except DomainError as exc:  # the plan's own fault, not an input field's: say which order
                raise DomainError([FieldError(("id",), f"work order {order.order_no}: {e.message}", e.code)
                                   for e in exc.errors]) from exc
    row.status = DispatchPlanStatus.APPLIED
    row.applied_at = clock.now()
    row.applied_by = actor
    await session.flush()
    return row

