"""The greedy baseline a routing plan must beat: each order, most urgent first (then by its
first window), goes to the nearest technician (by travel from his last stop) who can still
take it when it is appended to the end of his day. No look-ahead, no reordering, no solver.

Locked current-route stops stay where they are, first in their technician's day; the rest of
the current routes is planned afresh like any other order. The day's time rules are the
engine's own (`engine.dispatch.timeline.schedule`), so the plan is comparable with the
solver's and checked by the same independent checker.
"""

from __future__ import annotations

import time

import numpy as np

from engine.dispatch.compiled import Compiled, compile_problem
from engine.dispatch.plan import build_plan, locked_orders
from engine.dispatch.timeline import Day, schedule
from engine.dispatch.travel import haversine_km
from engine.dispatch.validate import check
from schemas.dispatch import (
    Mode,
    Plan,
    Problem,
    ScoreTerms,
    SolverStatus,
    TravelKind,
    Unassigned,
    UnassignedReason,
    Why,
)


def greedy_plan(problem: Problem) -> Plan:
    """The greedy nearest-feasible-technician plan of a problem, with its KPIs."""
    check(problem, Mode.ROUTE)
    began = time.perf_counter()
    c = compile_problem(problem)
    locked = locked_orders(c)
    sequences = {
        t: [c.order_index[s.order_id] for s in tech.route if s.locked]
        for t, tech in enumerate(c.technicians)
    }
    days = {t: schedule(c, t, seq) for t, seq in sequences.items()}
    pool = sorted(
        (o for o in range(c.n_orders) if o not in locked),
        key=lambda o: (
            int(c.priority[o]),
            c.orders[o].windows[0].start if c.orders[o].windows else 0,
            o,
        ),
    )
    within = _within_radius(c)
    unassigned: list[Unassigned] = []
    for o in pool:
        eligible = np.flatnonzero(c.eligible_for(o) & within[:, o])
        if len(eligible) == 0:
            unassigned.append(_no_one(c, o))
            continue
        last = np.array(
            [
                c.order_place(sequences[t][-1]) if sequences[t] else c.start_place(t)
                for t in eligible
            ]
        )
        minutes, _ = c.travel.legs(last, np.full(len(eligible), c.order_place(o)))
        full = 0
        for t in eligible[np.argsort(minutes, kind="stable")]:
            t = int(t)
            if not _room(c, days[t], t, o):
                full += 1
                continue
            day = schedule(c, t, [*sequences[t], o])
            if day.feasible:
                sequences[t].append(o)
                days[t] = day
                break
        else:
            reason = (
                UnassignedReason.CAPACITY_FULL
                if full == len(eligible)
                else UnassignedReason.WINDOW_UNREACHABLE
            )
            unassigned.append(
                Unassigned(
                    order_id=c.orders[o].id,
                    reason=reason,
                    detail=f"no technician of {len(eligible)} could append it feasibly",
                )
            )
    ordered = [days[t] for t in range(c.n_tech)]
    return build_plan(
        c,
        Mode.ROUTE,
        ordered,
        unassigned,
        _explanations(c, ordered, locked),
        status=SolverStatus.FEASIBLE,
        objective=None,
        bound=None,
        wall_seconds=time.perf_counter() - began,
    )


def _within_radius(c: Compiled) -> np.ndarray:
    """[T, O] bool: the order lies within the technician's radius (straight line from his start)."""
    mask = np.ones((c.n_tech, c.n_orders), dtype=bool)
    if c.problem.travel.kind is not TravelKind.HAVERSINE:
        return mask
    x, y = c.travel.places.x, c.travel.places.y
    orders = c.order_place(np.arange(c.n_orders))
    for t, tech in enumerate(c.technicians):
        if tech.max_radius_km is not None:
            mask[t] = haversine_km(x[t], y[t], x[orders], y[orders]) <= tech.max_radius_km
    return mask


def _room(c: Compiled, day: Day, t: int, o: int) -> bool:
    """Minutes, jobs and parts left for one more order (cheap, before simulating the day)."""
    tech = c.technicians[t]
    if day.service_minutes + c.service_minutes(t, o) > tech.capacity_minutes:
        return False
    if tech.max_jobs is not None and len(day.visits) >= tech.max_jobs:
        return False
    if tech.parts_capacity is not None:
        parts = sum(c.orders[v.order].parts_volume for v in day.visits) + c.orders[o].parts_volume
        return parts <= tech.parts_capacity
    return True


def _no_one(c: Compiled, o: int) -> Unassigned:
    order = c.orders[o]
    if c.pinned[o] >= 0:
        return Unassigned(
            order_id=order.id,
            reason=UnassignedReason.PINNED_UNAVAILABLE,
            detail=f"pinned to {order.pinned_technician}, who cannot take it",
        )
    if c.skilled_for(o).any():
        return Unassigned(
            order_id=order.id,
            reason=UnassignedReason.OUT_OF_RANGE,
            detail="every skilled technician is out of range",
        )
    return Unassigned(
        order_id=order.id,
        reason=UnassignedReason.NO_SKILLED_TECHNICIAN,
        detail=f"nobody has {order.skill} at level {order.min_level}",
    )


def _explanations(c: Compiled, days: list[Day], locked: set[int]) -> list[Why]:
    whys = []
    for day in days:
        t = day.technician
        for v in day.visits:
            skill = c.order_skill[v.order]
            terms = ScoreTerms(
                travel=float(v.travel_minutes),
                lateness=float(v.late_minutes),
                balance=0.0,
                disruption=0.0,
                total=float(v.travel_minutes + v.late_minutes),
            )
            whys.append(
                Why(
                    order_id=c.orders[v.order].id,
                    technician_id=c.technicians[t].id,
                    skill_level=int(c.levels[t, skill]) if skill >= 0 else 0,
                    distance_km=round(v.travel_km, 3),
                    eta=v.arrival,
                    load_minutes=day.service_minutes,
                    score=terms,
                    runner_up_reason="greedy: the nearest technician who could take it",
                    locked=v.order in locked,
                )
            )
    return whys
