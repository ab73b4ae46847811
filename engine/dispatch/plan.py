"""A plan from the technicians' days: routes with their stops, KPIs and the objective value."""

from __future__ import annotations

from collections.abc import Sequence

from engine.dispatch.compiled import Compiled
from engine.dispatch.timeline import Day
from engine.dispatch.travel import truncated_distance
from schemas.dispatch import (
    Kpis,
    Mode,
    Plan,
    Route,
    SolverStatus,
    Stop,
    TravelKind,
    Unassigned,
    Why,
)


def locked_orders(c: Compiled) -> set[int]:
    return {
        c.order_index[s.order_id] for tech in c.technicians for s in tech.route if s.locked
    }


def to_route(c: Compiled, day: Day, locked: set[int]) -> Route:
    tech = c.technicians[day.technician]
    return Route(
        technician_id=tech.id,
        stops=[
            Stop(
                order_id=c.orders[v.order].id,
                arrival=v.arrival,
                start=v.start,
                end=v.end,
                travel_minutes=v.travel_minutes,
                travel_km=round(v.travel_km, 3),
                late_minutes=v.late_minutes,
                locked=v.order in locked,
            )
            for v in day.visits
        ],
        start=day.leave,
        end=day.back,
        travel_minutes=day.travel_minutes,
        travel_km=round(day.travel_km, 3),
        service_minutes=day.service_minutes,
        utilisation=round(day.service_minutes / tech.capacity_minutes, 4)
        if tech.capacity_minutes
        else 0.0,
        violation=day.violation,
    )


def objective_value(c: Compiled, days: Sequence[Day]) -> float | None:
    """Sum of the `cost` override over the assignments, in the problem's own sense."""
    costs = c.costs
    if costs is None:
        return None
    return float(sum(int(costs[d.technician, v.order]) for d in days for v in d.visits))


def total_distance(c: Compiled, days: Sequence[Day]) -> float | None:
    """Euclidean problems: the routes' length with legs truncated to one decimal."""
    if c.problem.travel.kind is not TravelKind.EUCLIDEAN:
        return None
    x, y = c.travel.places.x, c.travel.places.y
    total = 0.0
    for d in days:
        if d.visits:
            path = [c.start_place(d.technician), *(c.order_place(v.order) for v in d.visits),
                    c.end_place(d.technician)]
            total += truncated_distance(x, y, path)
    return round(total, 1)


def build_plan(
    c: Compiled,
    mode: Mode,
    days: Sequence[Day],
    unassigned: Sequence[Unassigned],
    assignments: Sequence[Why],
    *,
    status: SolverStatus,
    objective: float | None,
    bound: float | None,
    wall_seconds: float,
    cut_by_clock: bool = False,
) -> Plan:
    locked = locked_orders(c)
    routes = [to_route(c, d, locked) for d in days]
    visits = [v for d in days for v in d.visits]
    on_time = sum(1 for v in visits if v.late_minutes == 0)
    gap = None
    if objective is not None and bound is not None:
        gap = 0.0 if objective == bound else round(abs(objective - bound) / max(abs(objective), 1e-9), 6)
    return Plan(
        mode=mode,
        routes=routes,
        assignments=list(assignments),
        unassigned=list(unassigned),
        kpis=Kpis(
            assigned=len(visits),
            unassigned=len(unassigned),
            total_travel_km=round(sum(r.travel_km for r in routes), 3),
            total_travel_minutes=sum(r.travel_minutes for r in routes),
            on_time_share=round(on_time / len(visits), 4) if visits else 1.0,
            utilisation={r.technician_id: r.utilisation for r in routes},
            solver_status=status,
            objective=objective,
            bound=bound,
            gap=gap,
            wall_seconds=round(wall_seconds, 3),
            cut_by_clock=cut_by_clock,
        ),
        seed=c.problem.options.seed,
        objective_value=objective_value(c, days),
        total_distance=total_distance(c, days),
    )
