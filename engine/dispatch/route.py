"""Batch routing (VRPTW) with OR-Tools: who visits which orders, in what order, and when.

The model (`route_model`) is solved in a child process, so a server or test process never
holds a routing model (two in one process have segfaulted); not deterministic and with
`workers` > 1, a portfolio of search variants runs one per core. The warm start is the current
routes (completed by cheapest insertion on a large day, `route_start`). The solver's visit
sequences are timed by `timeline.schedule`, the one definition of a day's rules; the model is
built to be at least as strict (it does not let him drive through a gap between shifts, which
timeline allows), a day timeline still rejects is repaired by taking orders off it (counted in
`Routing.repaired`; 0 in every test and benchmark), and the warm start is kept when the search
did not beat it. OR-Tools routing proves no bound, so a routing plan's `bound` and `gap` are
None; `Options.seed` changes nothing (routing has no random seed; determinism comes from the
solution limit).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from engine.dispatch.compiled import Compiled
from engine.dispatch.explain import explain
from engine.dispatch.plan import build_plan
from engine.dispatch.route_model import (
    LOCKED_PENALTY,
    Lunch,
    ModelInput,
    ModelOutput,
    solve_model,
)
from engine.dispatch.route_start import complete, drives_in_a_gap, repair
from engine.dispatch.timeline import Day, schedule
from engine.errors import DomainError, FieldError
from schemas.dispatch import HORIZON_MINUTES, Mode, Plan, SolverStatus
from schemas.errors import ErrorCode

log = logging.getLogger(__name__)

# Deterministic mode stops GLS after this many solutions per second of time limit, scaled down
# for larger models (each costs more there); the time limit stays as a safety net (a run that
# reaches it is not reproducible: `ModelOutput.timed_out`). GLS finds solutions ever more
# rarely (2 shared cores, loaded): C101 took 2.5 s for 60 and 8.2 s for 100; RC101 1.5–6 s for
# 100 and 30 s for 261. So 6 a second keeps a run well inside its limit.
SOLUTIONS_PER_SECOND_100 = 6
LARGE_DAY = 300  # orders above which the warm start is completed by cheapest insertion
START_SHARE = 0.4  # of the time limit, at most, for that insertion
_STATUS = {
    "ROUTING_SUCCESS": SolverStatus.FEASIBLE,
    "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED": SolverStatus.FEASIBLE,
    "ROUTING_OPTIMAL": SolverStatus.OPTIMAL,
    "ROUTING_INFEASIBLE": SolverStatus.INFEASIBLE,
}


class Layout:
    """Which orders enter the model, under which node, and who may serve each."""

    def __init__(self, c: Compiled) -> None:
        t = c.n_tech
        self.usable = np.array([_usable(c, v) for v in range(t)], dtype=bool)
        eligible = c.eligible & self.usable[:, None] if c.n_orders else c.eligible
        radius = np.array([np.inf if x.max_radius_km is None else x.max_radius_km
                           for x in c.technicians])
        if c.n_orders and np.isfinite(radius).any():
            starts = np.repeat(np.arange(t), c.n_orders)
            orders = np.tile(np.arange(c.n_orders), t)
            km = c.travel.legs(c.start_place(starts), c.order_place(orders))[1]
            eligible = eligible & (km.reshape(t, c.n_orders) <= radius[:, None])
        self.locked_on: dict[int, int] = {}
        self.chains: list[tuple[int, list[int]]] = []
        for v, tech in enumerate(c.technicians):
            chain = [c.order_index[s.order_id] for s in tech.route if s.locked]
            for o in chain:
                self.locked_on[o] = v
            if chain:
                self.chains.append((v, chain))
        self.eligible = eligible
        # An order nobody may serve stays out of the model (never an empty allowed list).
        self.orders = [o for o in range(c.n_orders) if o in self.locked_on or eligible[:, o].any()]
        self.node = {o: 2 * t + k for k, o in enumerate(self.orders)}
        self.excluded = [o for o in range(c.n_orders) if o not in self.node]

    def allowed(self, o: int) -> list[int] | None:
        if o in self.locked_on:
            return [self.locked_on[o]]
        techs = np.flatnonzero(self.eligible[:, o])
        return None if len(techs) == len(self.usable) else techs.tolist()


def _usable(c: Compiled, v: int) -> bool:
    """Whether any day of his can hold a visit: the break must fit after leaving, and home."""
    tech = c.technicians[v]
    pause = tech.break_
    if pause is None:
        return True
    home = int(c.travel.legs(np.array([c.start_place(v)]), np.array([c.end_place(v)]))[0][0])
    take = max(tech.shifts[0].start, pause.earliest)
    return take <= pause.latest and take + pause.duration + home <= tech.shifts[-1].end


def _check_locked(c: Compiled, layout: Layout) -> None:
    """A locked route timeline rejects cannot be kept: bad input, listed per technician."""
    errors = []
    for v, chain in layout.chains:
        day = schedule(c, v, chain)
        if not day.feasible:
            errors.append(FieldError(("technicians", v, "route"),
                                     f"the locked stops alone are infeasible: {day.violation}",
                                     ErrorCode.CONFLICT))
    if errors:
        raise DomainError(errors)


def _penalties(c: Compiled, travel: np.ndarray, layout: Layout) -> list[int]:
    """Penalty per order node, raised above the most it could save by being left out."""
    w = c.problem.weights
    t = c.n_tech
    nodes = np.array([layout.node[o] for o in layout.orders], dtype=np.int64)
    longest_in = travel[:, nodes].max(axis=0) if len(nodes) else np.zeros(0, np.int64)
    longest_out = travel[nodes, :].max(axis=1) if len(nodes) else np.zeros(0, np.int64)
    fixed = max((x.fixed_cost for x in c.technicians), default=0)
    late = np.zeros(len(nodes), dtype=np.int64)
    for k, o in enumerate(layout.orders):
        if c.orders[o].sla_deadline is not None:
            late[k] = w.lateness_per_minute * HORIZON_MINUTES
    floor = w.travel_per_minute * (longest_in + longest_out) + fixed + late + w.disruption + 1
    # Keep the priority order when the floor lifts some: add it to every configured penalty.
    return [int(w.unassigned_by_priority.get(int(c.priority[o]), 0) + floor[k])
            for k, o in enumerate(layout.orders)]


def _strategy(c: Compiled, layout: Layout) -> str:
    """Insertion builds good first routes when windows bind; arcs are fastest otherwise."""
    windowed = sum(1 for o in layout.orders if c.orders[o].windows)
    if windowed * 2 >= max(1, len(layout.orders)):
        small = len(layout.orders) <= 400  # parallel insertion's cost grows fast with size
        return "PARALLEL_CHEAPEST_INSERTION" if small else "LOCAL_CHEAPEST_INSERTION"
    return "PATH_CHEAPEST_ARC"


def _warm_start(c: Compiled, layout: Layout) -> list[list[int]] | None:
    """Model nodes per vehicle: each technician's current route, kept to the orders he may
    serve and timeline allows; on a large day completed by cheapest insertion (OR-Tools' own
    first-solution heuristics find nothing in time there). None: let OR-Tools build it."""
    large = len(layout.orders) > LARGE_DAY
    if not large and not any(x.route for x in c.technicians):
        return None
    routes = []
    for v, tech in enumerate(c.technicians):
        seq = [c.order_index[s.order_id] for s in tech.route]
        seq = [o for o in seq
               if o in layout.node and (o in layout.locked_on or layout.eligible[v, o])]
        routes.append(repair(c, v, seq, layout.locked_on, strict=True))
    if large:
        budget = START_SHARE * c.problem.options.time_limit_seconds
        routes = complete(c, routes, layout.eligible, layout.orders, budget,
                          accept=lambda day: not drives_in_a_gap(c, day))
    return [[layout.node[o] for o in seq] for seq in routes]


def model_input(c: Compiled, layout: Layout) -> ModelInput:
    t, w = c.n_tech, c.problem.weights
    places = np.concatenate([np.arange(2 * t), [c.order_place(o) for o in layout.orders]])
    places = places.astype(np.int64)
    travel = c.travel.matrix(places)[0]
    n = len(places)
    durations = c.durations
    groups: dict[tuple[int, ...], int] = {}
    vehicle_group, rows = [], []
    for v in range(t):
        row = np.zeros(n, dtype=np.int64)
        row[2 * t:] = durations[v, layout.orders] if layout.orders else []
        key = tuple(row[2 * t:].tolist())
        if key not in groups:
            groups[key] = len(rows)
            rows.append(row)
        vehicle_group.append(groups[key])
    techs = c.technicians
    any_parts = any(x.parts_capacity is not None for x in techs)
    volume = [0] * (2 * t) + [c.orders[o].parts_volume for o in layout.orders]
    total_service = int(durations[:, layout.orders].max(axis=0).sum()) if layout.orders else 0
    disruption = None
    if w.disruption and any(x.route for x in techs):
        current = [-1] * n
        for v, x in enumerate(techs):
            for s in x.route:
                o = c.order_index[s.order_id]
                if o in layout.node:
                    current[layout.node[o]] = v
        disruption = (current, w.disruption)
    opts = c.problem.options
    limit = None
    if opts.deterministic:
        scale = 100 / max(100, len(layout.orders))
        limit = max(20, int(SOLUTIONS_PER_SECOND_100 * opts.time_limit_seconds * scale))
    warm = _warm_start(c, layout)
    horizon = max([HORIZON_MINUTES, *(x.shifts[-1].end for x in techs)]) + 1
    return ModelInput(
        n_vehicles=t,
        travel=travel,
        arc_cost=travel * w.travel_per_minute,
        service=np.stack(rows) if rows else np.zeros((1, n), dtype=np.int64),
        vehicle_group=vehicle_group,
        windows=[[(x.start, x.end) for x in c.orders[o].windows] for o in layout.orders],
        leave=[x.shifts[0].start for x in techs],
        back_by=[x.shifts[-1].end for x in techs],
        gaps=[[(a.end, b.start) for a, b in zip(x.shifts, x.shifts[1:]) if b.start > a.end]
              for x in techs],
        lunch=[None if (b := x.break_) is None else Lunch(b.earliest, b.latest, b.duration)
               for x in techs],
        capacity_minutes=[x.capacity_minutes for x in techs]
        if any(x.capacity_minutes < total_service for x in techs) else None,
        max_jobs=[n if x.max_jobs is None else x.max_jobs for x in techs]
        if any(x.max_jobs is not None and x.max_jobs < len(layout.orders) for x in techs) else None,
        parts_capacity=[x.parts_capacity if x.parts_capacity is not None else sum(volume) + 1
                        for x in techs] if any_parts else None,
        volume=volume,
        allowed=[layout.allowed(o) for o in layout.orders],
        penalty=_penalties(c, travel, layout),
        locked=[(v, [layout.node[o] for o in chain]) for v, chain in layout.chains],
        sla=[None if c.orders[o].sla_deadline is None or not w.lateness_per_minute
             else (max(0, c.orders[o].sla_deadline - int(c.duration[o])), w.lateness_per_minute)
             for o in layout.orders],
        fixed_cost=[x.fixed_cost for x in techs],
        balance=(total_service // max(1, t), w.balance) if w.balance else None,
        disruption=disruption,
        initial=warm,
        strategy=_strategy(c, layout),
        time_limit=opts.time_limit_seconds,
        solution_limit=limit,
        horizon=horizon,
    )


def start_context() -> multiprocessing.context.BaseContext:
    """forkserver where there is one (a clean, cheap child), else spawn; never a bare fork."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # The server imports the solver once (it builds no model); each child forks from it ready.
    context.set_forkserver_preload(["engine.dispatch.route_model"])
    return context


def solve_in_child(m: ModelInput, members: int = 1) -> ModelOutput:
    """Solve the model in a fresh process of its own (one routing model per process); with
    several members, a portfolio of search variants in parallel, the best one kept (ties to
    the lowest member, so a portfolio of solution-limited runs stays deterministic)."""
    context = start_context()
    variants = [replace(m, variant=k) for k in range(members)]
    with ProcessPoolExecutor(max_workers=members, mp_context=context,
                             max_tasks_per_child=1) as pool:
        outs = list(pool.map(solve_model, variants))
    found = [o for o in outs if o.objective is not None]
    return min(found, key=lambda o: o.objective or 0) if found else outs[0]


@dataclass
class Routing:
    """The solver's days, timed by timeline, and how the search went (for plans and reports)."""

    days: list[Day]
    dropped: list[int]
    out: ModelOutput
    repaired: int  # stops timeline rejected and the repair took off (0 when model and rules agree)
    build_seconds: float
    kept_start: bool = False  # the warm start was better than anything the search found
    objective: float | None = None  # of these days (the solver's, or the kept start's)


def route_days(c: Compiled, *, in_process: bool = False) -> Routing:
    """The solver's routes as days. `in_process`: solve here (a process holding no other model)."""
    began = time.perf_counter()
    layout = Layout(c)
    _check_locked(c, layout)
    m = model_input(c, layout)
    built = time.perf_counter() - began
    # the time limit is the whole call's: the search gets what building left (at least a fifth)
    limit = c.problem.options.time_limit_seconds
    m.time_limit = max(limit / 5, limit - built)
    opts = c.problem.options
    members = 1 if opts.deterministic else min(opts.workers, os.cpu_count() or 1)
    if not layout.orders:  # nothing anyone can serve: no model to build
        out = ModelOutput([[] for _ in range(c.n_tech)], "ROUTING_OPTIMAL", 0, 0.0, 0.0,
                          False, False, strategy=m.strategy)
    elif in_process:
        out = solve_model(m)
    else:
        out = solve_in_child(m, members)
    order_at = {node: o for o, node in layout.node.items()}
    days, repaired = _timed(c, layout, out.routes, order_at)
    kept = False
    if m.initial is not None:
        # the warm start is timeline-feasible: keep it when the search did not beat it
        start, _ = _timed(c, layout, m.initial, order_at)
        if _cost(c, m, layout, start) < _cost(c, m, layout, days):
            days, repaired, kept = start, 0, True
            out.notes.append("the search did not improve on its warm start; kept the start")
    if repaired:
        log.warning("timeline rejected %d stop(s) of the routing model's plan; taken off", repaired)
    served = {vis.order for d in days for vis in d.visits}
    dropped = [o for o in range(c.n_orders) if o not in served]
    objective = None if out.objective is None else float(out.objective)
    if kept:  # travel, fixed costs and penalties: the start's soft terms are not counted
        objective = float(_cost(c, m, layout, days))
    return Routing(days, dropped, out, repaired, built, kept, objective)


def _timed(c: Compiled, layout: Layout, routes: Sequence[Sequence[int]],
           order_at: dict[int, int]) -> tuple[list[Day], int]:
    """Model routes as timeline days, repaired where timeline rejects a stop (and how many)."""
    days, repaired = [], 0
    for v in range(c.n_tech):
        seq = [order_at[node] for node in routes[v]]
        fixed = repair(c, v, seq, layout.locked_on)
        repaired += len(seq) - len(fixed)
        days.append(schedule(c, v, fixed))
    return days, repaired


def _cost(c: Compiled, m: ModelInput, layout: Layout, days: Sequence[Day]) -> int:
    """The model's objective of timed days: travel, fixed costs, dropped orders' penalties."""
    served = {v.order for d in days for v in d.visits}
    penalty = sum(LOCKED_PENALTY if o in layout.locked_on else m.penalty[k]
                  for k, o in enumerate(layout.orders) if o not in served)
    travel = sum(d.travel_minutes for d in days) * c.problem.weights.travel_per_minute
    return penalty + travel + sum(m.fixed_cost[d.technician] for d in days if d.visits)


def plan_of(c: Compiled, r: Routing, began: float | None = None) -> Plan:
    """The plan of routed days: explanations, KPIs, status; routing proves no bound (None)."""
    whys, unassigned = explain(c, r.days, r.dropped, timed_out=r.out.timed_out)
    status = _STATUS.get(r.out.status, SolverStatus.NO_SOLUTION)
    if r.kept_start and status is not SolverStatus.OPTIMAL:
        status = SolverStatus.FEASIBLE  # the warm start is a timeline-feasible plan
    wall = r.build_seconds + r.out.wall_seconds if began is None else time.perf_counter() - began
    return build_plan(
        c, Mode.ROUTE, r.days, unassigned, whys, status=status,
        objective=r.objective, bound=None,
        wall_seconds=wall, cut_by_clock=r.out.timed_out,
    )


def route(c: Compiled, *, in_process: bool = False) -> Plan:
    """A routing plan. `in_process`: solve here (only in a process that holds no other model)."""
    began = time.perf_counter()
    return plan_of(c, route_days(c, in_process=in_process), began)


__all__ = ["Layout", "Routing", "model_input", "plan_of", "route", "route_days", "solve_in_child"]
