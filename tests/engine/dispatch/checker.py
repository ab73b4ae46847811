"""An independent feasibility checker for dispatch plans, written apart from the solver code.

It reads only the problem's own data and the plan, and recomputes travel from the contract's
definitions (haversine km × road factor with minutes rounded up; Euclidean minutes truncated;
a matrix as given), so a bug shared by the engine's modules cannot hide here. It deliberately
imports nothing from `engine.dispatch`. Each message starts with the rule it breaks
(`window: …`), and an empty list means the plan is feasible.

The time rules are those of `engine/dispatch/timeline.py`'s docstring. The plan reports stop
times but not the break, so the break is inferred: some idle gap of at least its duration must
begin within [earliest, latest]; idle time before a drive is allowed only when it holds the break.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from schemas.dispatch import (
    Location,
    Mode,
    OrderIn,
    Plan,
    Problem,
    Route,
    TechnicianIn,
    TravelKind,
    UnassignedReason,
)

EARTH_RADIUS_KM = 6371.0088
EPSILON = 1e-9
KM_TOLERANCE = 2e-3  # plans round km to three decimals per stop and per route
SHARE_TOLERANCE = 1e-4  # shares are rounded to four decimals


def haversine_km(a: Location, b: Location) -> float:
    lat1, lat2 = math.radians(a.y), math.radians(b.y)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin(math.radians(b.x - a.x) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))


def leg(problem: Problem, a: Location, b: Location) -> tuple[int, float]:
    """Minutes and km (distance units for Euclidean) from a to b, as the contract defines them."""
    travel = problem.travel
    if travel.kind is TravelKind.MATRIX:
        assert travel.minutes is not None and a.node is not None and b.node is not None
        minutes = travel.minutes[a.node][b.node]
        km = travel.km[a.node][b.node] if travel.km is not None else float(minutes)
        return int(minutes), float(km)
    if travel.kind is TravelKind.EUCLIDEAN:
        distance = math.hypot(b.x - a.x, b.y - a.y)
        return math.floor(distance / travel.units_per_minute + EPSILON), distance
    km = haversine_km(a, b) * travel.road_factor
    return math.ceil(km / travel.speed_kmh * 60.0 - EPSILON), km


@dataclass
class _Idle:
    """Time the technician is not driving or working: before a drive, or waiting on site."""

    start: int
    end: int
    before_drive: bool
    where: str


def check_plan(problem: Problem, plan: Plan, *, timing: bool = True) -> list[str]:
    """Every rule the plan breaks, one message each; `timing=False` skips the time rules
    (assignment-mode plans order their stops without a schedule)."""
    errors: list[str] = []
    techs = {t.id: t for t in problem.technicians}
    orders = {o.id: o for o in problem.orders}
    placed: dict[str, str] = {}  # order id -> technician id
    seen_techs: Counter[str] = Counter(r.technician_id for r in plan.routes)
    for tech_id, count in seen_techs.items():
        if count > 1:
            errors.append(f"route: technician {tech_id} has {count} routes")
    for route in plan.routes:
        tech = techs.get(route.technician_id)
        if tech is None:
            errors.append(f"unknown: route of unknown technician {route.technician_id}")
            continue
        for stop in route.stops:
            if stop.order_id not in orders:
                errors.append(f"unknown: {tech.id} visits unknown order {stop.order_id}")
            elif stop.order_id in placed:
                errors.append(
                    f"duplicate: order {stop.order_id} is on {placed[stop.order_id]}'s route and"
                    f" on {tech.id}'s"
                )
            else:
                placed[stop.order_id] = tech.id
        known = [s for s in route.stops if s.order_id in orders]
        errors += _eligibility(problem, tech, [orders[s.order_id] for s in known])
        errors += _loads(problem, tech, route, orders)
        if timing and all(s.order_id in orders for s in route.stops):
            errors += _times(problem, tech, route, orders)
    errors += _coverage(problem, plan, placed)
    errors += _locks(problem, plan)
    errors += _kpis(problem, plan)
    return errors


def assert_feasible(problem: Problem, plan: Plan, *, timing: bool | None = None) -> None:
    """For tests: fail listing every broken rule. Time rules apply unless the plan is an
    assignment (whose stops are ordered without a schedule) or `timing` says otherwise."""
    errors = check_plan(
        problem, plan, timing=plan.mode is not Mode.ASSIGN if timing is None else timing
    )
    assert not errors, f"{len(errors)} broken rule(s):\n" + "\n".join(errors[:50])


def _service(problem: Problem, tech: TechnicianIn, order: OrderIn) -> int:
    override = (problem.duration or {}).get(tech.id, {}).get(order.id)
    return order.duration if override is None else override


def _eligibility(problem: Problem, tech: TechnicianIn, visits: Sequence[OrderIn]) -> list[str]:
    errors = []
    for order in visits:
        if order.skill is not None:
            level = tech.skills.get(order.skill)
            if level is None:
                errors.append(f"skill: {tech.id} lacks {order.skill} for order {order.id}")
            elif level < order.min_level:
                errors.append(
                    f"level: {tech.id} has {order.skill} at {level}, order {order.id} needs"
                    f" {order.min_level}"
                )
        if order.pinned_technician is not None and order.pinned_technician != tech.id:
            errors.append(
                f"pin: order {order.id} is pinned to {order.pinned_technician}, not {tech.id}"
            )
        if tech.max_radius_km is not None and problem.travel.kind is TravelKind.HAVERSINE:
            # Straight-line distance from his start: beyond the radius under any reading of it.
            straight = haversine_km(tech.start, order.location)
            if straight > tech.max_radius_km + EPSILON:
                errors.append(
                    f"radius: order {order.id} is {straight:.2f} km from {tech.id}'s start,"
                    f" beyond {tech.max_radius_km} km"
                )
    return errors


def _loads(
    problem: Problem, tech: TechnicianIn, route: Route, orders: dict[str, OrderIn]
) -> list[str]:
    """Capacities and the route's totals against its stops (travel recomputed from the data)."""
    errors = []
    visits = [orders[s.order_id] for s in route.stops if s.order_id in orders]
    service = sum(_service(problem, tech, o) for o in visits)
    if service > tech.capacity_minutes:
        errors.append(
            f"capacity: {tech.id} works {service} minutes, capacity {tech.capacity_minutes}"
        )
    if tech.max_jobs is not None and len(route.stops) > tech.max_jobs:
        errors.append(f"jobs: {tech.id} has {len(route.stops)} visits, max jobs {tech.max_jobs}")
    parts = sum(o.parts_volume for o in visits)
    if tech.parts_capacity is not None and parts > tech.parts_capacity:
        errors.append(f"parts: {tech.id} carries {parts}, parts capacity {tech.parts_capacity}")
    if len(visits) != len(route.stops):
        return errors
    places = [tech.start, *(o.location for o in visits)]
    minutes_total, km_total = 0, 0.0
    for stop, a, b in zip(route.stops, places, places[1:]):
        minutes, km = leg(problem, a, b)
        minutes_total += minutes
        km_total += km
        if stop.travel_minutes != minutes:
            errors.append(
                f"travel: {tech.id} reports {stop.travel_minutes} minutes to order"
                f" {stop.order_id}, the leg takes {minutes}"
            )
        if abs(stop.travel_km - km) > KM_TOLERANCE:
            errors.append(
                f"travel: {tech.id} reports {stop.travel_km} km to order {stop.order_id}, the leg"
                f" is {km:.3f}"
            )
    if visits:
        back_minutes, back_km = leg(problem, visits[-1].location, tech.end or tech.start)
        minutes_total += back_minutes
        km_total += back_km
    if route.travel_minutes != minutes_total:
        errors.append(
            f"totals: {tech.id}'s route reports {route.travel_minutes} travel minutes, its legs"
            f" sum to {minutes_total}"
        )
    if abs(route.travel_km - km_total) > KM_TOLERANCE * (len(visits) + 1):
        errors.append(
            f"totals: {tech.id}'s route reports {route.travel_km} km, its legs sum to"
            f" {km_total:.3f}"
        )
    if route.service_minutes != service:
        errors.append(
            f"totals: {tech.id}'s route reports {route.service_minutes} service minutes, its"
            f" visits need {service}"
        )
    expected = service / tech.capacity_minutes if tech.capacity_minutes else 0.0
    if abs(route.utilisation - expected) > SHARE_TOLERANCE:
        errors.append(
            f"totals: {tech.id}'s utilisation is {route.utilisation}, service / capacity is"
            f" {expected:.4f}"
        )
    return errors


def _times(
    problem: Problem, tech: TechnicianIn, route: Route, orders: dict[str, OrderIn]
) -> list[str]:
    """Windows, shifts, travel and arrivals, the break, and lateness (timeline.py's rules)."""
    errors: list[str] = []
    shifts = tech.shifts
    visits = [orders[s.order_id] for s in route.stops]
    if route.start < shifts[0].start:
        errors.append(
            f"leave: {tech.id} leaves at {route.start}, before his shift starts at"
            f" {shifts[0].start}"
        )
    if not visits:
        return errors
    idle: list[_Idle] = []
    previous_end, previous_place, previous = route.start, tech.start, "his start"
    for stop, order in zip(route.stops, visits):
        minutes, _ = leg(problem, previous_place, order.location)
        where = f"{tech.id} before order {order.id}"
        if stop.arrival < previous_end + minutes:
            errors.append(
                f"travel: {where} arrives at {stop.arrival}, but leaving {previous} at"
                f" {previous_end}"
                f" with {minutes} minutes to drive he is there at {previous_end + minutes} at the"
                f" earliest"
            )
        elif stop.arrival > previous_end + minutes:
            idle.append(_Idle(previous_end, stop.arrival - minutes, True, where))
        if stop.start < stop.arrival:
            errors.append(
                f"travel: {tech.id} starts order {order.id} at {stop.start}, before arriving at"
                f" {stop.arrival}"
            )
        elif stop.start > stop.arrival:
            idle.append(_Idle(stop.arrival, stop.start, False, where))
        service = _service(problem, tech, order)
        if stop.end != stop.start + service:
            errors.append(
                f"service: order {order.id} runs {stop.start}–{stop.end}, its service takes"
                f" {service} minutes"
            )
        if order.windows and not any(w.start <= stop.start <= w.end for w in order.windows):
            spans = ", ".join(f"{w.start}–{w.end}" for w in order.windows)
            errors.append(
                f"window: order {order.id} starts at {stop.start}, outside its windows {spans}"
            )
        if not any(s.start <= stop.start and stop.end <= s.end for s in shifts):
            errors.append(
                f"shift: order {order.id} ({stop.start}–{stop.end}) is not inside one of"
                f" {tech.id}'s shifts"
            )
        late = 0 if order.sla_deadline is None else max(0, stop.end - order.sla_deadline)
        if stop.late_minutes != late:
            errors.append(
                f"lateness: order {order.id} reports {stop.late_minutes} late minutes, it is {late}"
            )
        previous_end, previous_place, previous = stop.end, order.location, f"order {order.id}"
    back_minutes, _ = leg(problem, previous_place, tech.end or tech.start)
    where = f"{tech.id} before driving back"
    if route.end < previous_end + back_minutes:
        errors.append(
            f"return: {tech.id} is back at {route.end}, but leaving order {visits[-1].id} at"
            f" {previous_end}"
            f" with {back_minutes} minutes to drive he is back at {previous_end + back_minutes}"
            f" at the earliest"
        )
    elif route.end > previous_end + back_minutes:
        idle.append(_Idle(previous_end, route.end - back_minutes, True, where))
    if route.end > shifts[-1].end:
        errors.append(
            f"return: {tech.id} is back at {route.end}, after his last shift ends at"
            f" {shifts[-1].end}"
        )
    return errors + _break(tech, idle)


def _break(tech: TechnicianIn, idle: list[_Idle]) -> list[str]:
    pause = tech.break_

    def holds(gap: _Idle) -> bool:
        assert pause is not None
        latest_start = min(pause.latest, gap.end - pause.duration)
        return max(gap.start, pause.earliest) <= latest_start

    before_drive = [g for g in idle if g.before_drive]
    if pause is None:
        return [
            f"arrival: {g.where} idles {g.start}–{g.end} before driving, and he has no break"
            for g in before_drive
        ]
    errors = []
    if len(before_drive) > 1:
        errors += [
            f"arrival: {g.where} idles {g.start}–{g.end} before driving; only one break is allowed"
            for g in before_drive
        ]
    elif before_drive and not holds(before_drive[0]):
        g = before_drive[0]
        errors.append(
            f"break: {g.where} idles {g.start}–{g.end} before driving, which is not a break of"
            f" {pause.duration} minutes starting within {pause.earliest}–{pause.latest}"
        )
    if not any(holds(g) for g in idle):
        errors.append(
            f"break: {tech.id} has no gap of {pause.duration} minutes starting within"
            f" {pause.earliest}–{pause.latest}"
        )
    return errors


def _coverage(problem: Problem, plan: Plan, placed: dict[str, str]) -> list[str]:
    """Every order routed or unassigned, never both; explanations name the right technician."""
    errors = []
    orders = {o.id for o in problem.orders}
    left_out: Counter[str] = Counter(u.order_id for u in plan.unassigned)
    for order_id, count in left_out.items():
        if order_id not in orders:
            errors.append(f"unknown: unassigned order {order_id} is not in the problem")
        elif count > 1:
            errors.append(f"duplicate: order {order_id} is reported unassigned {count} times")
        if order_id in placed:
            errors.append(
                f"duplicate: order {order_id} is on {placed[order_id]}'s route and unassigned"
            )
    for order_id in sorted(orders - placed.keys() - left_out.keys()):
        errors.append(f"coverage: order {order_id} is neither routed nor reported unassigned")
    errors += _reasons(problem, plan)
    explained: dict[str, str] = {}
    for why in plan.assignments:
        if why.order_id in explained:
            errors.append(f"why: order {why.order_id} is explained twice")
        explained[why.order_id] = why.technician_id
        if why.order_id in placed and placed[why.order_id] != why.technician_id:
            errors.append(
                f"why: order {why.order_id} is explained on {why.technician_id} but routed on"
                f" {placed[why.order_id]}"
            )
        elif why.order_id not in placed:
            errors.append(f"why: order {why.order_id} is explained but not routed")
    for order_id in sorted(placed.keys() - explained.keys()):
        errors.append(f"why: routed order {order_id} has no explanation")
    return errors


def _reasons(problem: Problem, plan: Plan) -> list[str]:
    """The reasons that the problem's data alone can confirm: nobody skilled, a pin."""
    errors = []
    orders = {o.id: o for o in problem.orders}
    for u in plan.unassigned:
        order = orders.get(u.order_id)
        if order is None:
            continue
        if u.reason is UnassignedReason.NO_SKILLED_TECHNICIAN and order.skill is not None:
            skilled = [
                t.id for t in problem.technicians if t.skills.get(order.skill, 0) >= order.min_level
            ]
            if skilled:
                errors.append(
                    f"reason: order {order.id} is said to have no skilled technician, but"
                    f" {skilled[0]} has"
                    f" {order.skill} at level {order.min_level} or more"
                )
        if (u.reason is UnassignedReason.NO_SKILLED_TECHNICIAN and order.skill is None
                and problem.technicians):  # with nobody at all, nobody is skilled
            errors.append(
                f"reason: order {order.id} needs no skill, yet is said to have no skilled"
                f" technician"
            )
        if u.reason is UnassignedReason.PINNED_UNAVAILABLE and order.pinned_technician is None:
            errors.append(f"reason: order {order.id} is said to be pinned, but it is not")
    return errors


def _locks(problem: Problem, plan: Plan) -> list[str]:
    """Locked stops stay on their technician, in their relative order."""
    errors = []
    routes = {r.technician_id: [s.order_id for s in r.stops] for r in plan.routes}
    for tech in problem.technicians:
        locked = [s.order_id for s in tech.route if s.locked]
        if not locked:
            continue
        visited = routes.get(tech.id, [])
        missing = [o for o in locked if o not in visited]
        for order_id in missing:
            errors.append(f"lock: locked order {order_id} is no longer on {tech.id}'s route")
        kept = [o for o in visited if o in set(locked)]
        if not missing and kept != locked:
            errors.append(
                f"lock: {tech.id}'s locked orders are visited as {kept}, locked as {locked}"
            )
        flags = {
            s.order_id: s.locked for r in plan.routes if r.technician_id == tech.id for s in r.stops
        }
        for order_id in locked:
            if order_id in flags and not flags[order_id]:
                errors.append(
                    f"lock: order {order_id} is locked on {tech.id} but its stop is not marked"
                    f" locked"
                )
    locked_anywhere = {s.order_id for t in problem.technicians for s in t.route if s.locked}
    for route in plan.routes:
        for stop in route.stops:
            if stop.locked and stop.order_id not in locked_anywhere:
                errors.append(
                    f"lock: order {stop.order_id} is marked locked on {route.technician_id}, but"
                    f" no route locks it"
                )
    return errors


def _kpis(problem: Problem, plan: Plan) -> list[str]:
    errors = []
    kpis = plan.kpis
    stops = [s for r in plan.routes for s in r.stops]
    if kpis.assigned != len(stops):
        errors.append(f"kpi: assigned is {kpis.assigned}, the routes hold {len(stops)} visits")
    if kpis.unassigned != len(plan.unassigned):
        errors.append(f"kpi: unassigned is {kpis.unassigned}, {len(plan.unassigned)} are listed")
    if kpis.assigned + kpis.unassigned != len(problem.orders):
        errors.append(
            f"kpi: assigned {kpis.assigned} + unassigned {kpis.unassigned} is not the"
            f" {len(problem.orders)} orders"
        )
    on_time = sum(1 for s in stops if s.late_minutes == 0) / len(stops) if stops else 1.0
    if abs(kpis.on_time_share - on_time) > SHARE_TOLERANCE:
        errors.append(f"kpi: on-time share is {kpis.on_time_share}, the stops give {on_time:.4f}")
    minutes = sum(r.travel_minutes for r in plan.routes)
    if kpis.total_travel_minutes != minutes:
        errors.append(
            f"kpi: total travel minutes is {kpis.total_travel_minutes}, the routes sum to {minutes}"
        )
    km = sum(r.travel_km for r in plan.routes)
    if abs(kpis.total_travel_km - km) > KM_TOLERANCE * max(1, len(plan.routes)):
        errors.append(f"kpi: total travel km is {kpis.total_travel_km}, the routes sum to {km:.3f}")
    return errors
