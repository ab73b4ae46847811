"""The OR-Tools routing model (VRPTW) of one territory, built from plain arrays and solved.

`solve_model` is what runs in the child process (see `route.py`): its input is a picklable
`ModelInput` of integer arrays, so the parent never builds a routing model itself and two
models never share a process (two have segfaulted in one process on Linux).

Model nodes are laid out as vehicle starts [0, T), vehicle ends [T, 2T), then the orders that
someone can serve [2T, N). The time dimension's cumul at an order is the minute its visit
starts; its transit is the vehicle's service minutes at the node plus the travel minutes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

_FSS = routing_enums_pb2.FirstSolutionStrategy
_LSM = routing_enums_pb2.LocalSearchMetaheuristic
_STATUS = routing_enums_pb2.RoutingSearchStatus
LOCKED_PENALTY = 10**11  # a locked stop is kept unless the model cannot hold it at all


@dataclass
class Lunch:
    earliest: int
    latest: int
    duration: int


@dataclass
class ModelInput:
    n_vehicles: int
    travel: np.ndarray  # [N, N] travel minutes between model nodes
    arc_cost: np.ndarray  # [N, N] objective units per arc (travel weight applied)
    service: np.ndarray  # [G, N] service minutes per vehicle group (0 at starts and ends)
    vehicle_group: list[int]  # [T] row of `service` each vehicle uses
    windows: list[list[tuple[int, int]]]  # per order node (index - 2T): allowed visit starts
    leave: list[int]  # [T] the start cumul: he leaves at his first shift's start
    back_by: list[int]  # [T] last shift's end
    gaps: list[list[tuple[int, int]]]  # [T] gaps between shifts: fixed break intervals
    lunch: list[Lunch | None]  # [T] the optional break
    capacity_minutes: list[int] | None  # None: no one's capacity can bind (fewer dimensions)
    max_jobs: list[int] | None  # None: no one's max jobs can bind
    parts_capacity: list[int] | None  # None: no technician has a parts limit
    volume: list[int]  # [N] parts volume at a node
    allowed: list[list[int] | None]  # per order node; None = every vehicle; never empty
    penalty: list[int]  # per order node: cost of leaving it out
    locked: list[tuple[int, list[int]]]  # (vehicle, its locked nodes in order)
    sla: list[tuple[int, int] | None]  # per order node: (latest start on time, cost per minute)
    fixed_cost: list[int]
    balance: tuple[int, int] | None  # (mean service minutes, cost per minute above it)
    disruption: tuple[list[int], int] | None  # (current vehicle per node or -1, cost per move)
    initial: list[list[int]] | None  # warm start: order nodes per vehicle
    strategy: str  # first-solution strategy name
    time_limit: float
    solution_limit: int | None  # deterministic mode bounds the search by solutions found
    horizon: int
    variant: int = 0  # portfolio member: 0 is the default search, others vary it (see VARIANTS)


@dataclass
class ModelOutput:
    routes: list[list[int]]  # order nodes per vehicle, in visit order
    status: str
    objective: int | None
    wall_seconds: float
    search_seconds: float
    timed_out: bool
    warm_started: bool
    strategy: str = ""  # the first-solution strategy used
    variant: int = 0  # the portfolio member that found these routes
    limit_seconds: float = 0.0  # the search's time limit (overshoot = search_seconds − this)
    solutions: int = 0  # the CP solver's solution count (nested searches included)
    notes: list[str] = field(default_factory=list)


def _time_dimension(m: ModelInput, routing: pywrapcp.RoutingModel,
                    manager: pywrapcp.RoutingIndexManager) -> pywrapcp.RoutingDimension:
    evaluators = []
    by_group: dict[int, int] = {}
    for v in range(m.n_vehicles):
        g = m.vehicle_group[v]
        if g not in by_group:
            transit = m.travel + m.service[g][:, None]
            by_group[g] = routing.RegisterTransitMatrix(transit.tolist())
        evaluators.append(by_group[g])
    routing.AddDimensionWithVehicleTransits(evaluators, m.horizon, m.horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    t2 = 2 * m.n_vehicles
    for k, windows in enumerate(m.windows):
        if not windows:
            continue
        cumul = time_dim.CumulVar(manager.NodeToIndex(t2 + k))
        cumul.SetRange(windows[0][0], windows[-1][1])
        for (_, a), (b, _) in zip(windows, windows[1:]):
            if b > a + 1:
                cumul.RemoveInterval(a + 1, b - 1)
    solver = routing.solver()
    for v in range(m.n_vehicles):
        start, end = routing.Start(v), routing.End(v)
        time_dim.CumulVar(start).SetValue(m.leave[v])
        time_dim.CumulVar(end).SetMax(m.back_by[v])
        visits = [int(m.service[m.vehicle_group[v]][manager.IndexToNode(i)])
                  for i in range(routing.Size())]
        breaks = [solver.FixedDurationIntervalVar(a, a, b - a, False, f"gap{v}.{j}")
                  for j, (a, b) in enumerate(m.gaps[v])]
        lunch = m.lunch[v]
        if lunch is not None:
            pause = solver.FixedDurationIntervalVar(lunch.earliest, lunch.latest, lunch.duration,
                                                    False, f"lunch{v}")
            # timeline takes the break before he drives home, never after the day ends
            solver.Add(pause.EndExpr() <= time_dim.CumulVar(end))
            breaks.append(pause)
        if breaks:
            time_dim.SetBreakIntervalsOfVehicle(breaks, v, visits)
    for k, soft in enumerate(m.sla):
        if soft is not None:
            time_dim.SetCumulVarSoftUpperBound(manager.NodeToIndex(t2 + k), soft[0], soft[1])
    return time_dim


def _capacity(routing: pywrapcp.RoutingModel, name: str, per_vehicle: list[list[int]],
              capacities: list[int]) -> pywrapcp.RoutingDimension:
    seen: dict[tuple[int, ...], int] = {}
    evaluators = []
    for vector in per_vehicle:
        key = tuple(vector)
        if key not in seen:
            seen[key] = routing.RegisterUnaryTransitVector(list(vector))
        evaluators.append(seen[key])
    routing.AddDimensionWithVehicleTransitAndCapacity(evaluators, 0, capacities, True, name)
    return routing.GetDimensionOrDie(name)


def _allow(routing: pywrapcp.RoutingModel, index: int, vehicles: list[int]) -> None:
    """Only these vehicles may visit the node (never called with an empty list, which would
    mean every vehicle). OR-Tools 9.15's Python wrapper rejects every argument to
    SetAllowedVehiclesForIndex (its absl::Span typemap), so the vehicle variable's domain is
    restricted instead: -1 stays, since the node may be left out."""
    assert vehicles, "an empty allowed list means every vehicle"
    try:
        routing.SetAllowedVehiclesForIndex(vehicles, index)
    except TypeError:
        routing.VehicleVar(index).SetValues([-1, *vehicles])


def _build(m: ModelInput) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel, list[str]]:
    t, n = m.n_vehicles, len(m.travel)
    manager = pywrapcp.RoutingIndexManager(n, t, list(range(t)), list(range(t, 2 * t)))
    routing = pywrapcp.RoutingModel(manager)
    notes: list[str] = []
    cost = routing.RegisterTransitMatrix(m.arc_cost.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cost)
    time_dim = _time_dimension(m, routing, manager)
    # Each dimension slows every move the search tries: add only those that can bind.
    if m.capacity_minutes is not None or m.balance is not None:
        service = [m.service[g].tolist() for g in m.vehicle_group]
        load = _capacity(routing, "service", service, m.capacity_minutes or [m.horizon] * t)
    if m.max_jobs is not None or m.locked:
        jobs_vector = [0] * (2 * t) + [1] * (n - 2 * t)
        jobs = _capacity(routing, "jobs", [jobs_vector] * t, m.max_jobs or [n] * t)
    if m.parts_capacity is not None:
        _capacity(routing, "parts", [m.volume] * t, m.parts_capacity)
    for v in range(t):
        if m.fixed_cost[v]:
            routing.SetFixedCostOfVehicle(m.fixed_cost[v], v)
        if m.balance is not None:
            load.SetCumulVarSoftUpperBound(routing.End(v), m.balance[0], m.balance[1])
    if m.disruption is not None:
        current, weight = m.disruption
        moved = [[int(c >= 0 and c != v) for c in current] for v in range(t)]
        moves = _capacity(routing, "moves", moved, [n] * t)
        for v in range(t):
            moves.SetSpanCostCoefficientForVehicle(weight, v)
    locked = {node for _, nodes in m.locked for node in nodes}
    for k in range(n - 2 * t):
        node = 2 * t + k
        index = manager.NodeToIndex(node)
        if m.allowed[k] is not None:
            _allow(routing, index, m.allowed[k])
        routing.AddDisjunction([index], LOCKED_PENALTY if node in locked else m.penalty[k])
    solver = routing.solver()
    for v, nodes in m.locked:
        for a, b in zip(nodes, nodes[1:]):  # same relative order: jobs done so far increase
            before, after = manager.NodeToIndex(a), manager.NodeToIndex(b)
            solver.Add(jobs.CumulVar(before) < jobs.CumulVar(after))
    return manager, routing, notes


# Portfolio members beyond the first (several cores, not deterministic): GLS from the same
# first routes but penalising differently, so the runs explore different local optima.
VARIANTS: list[dict[str, float | bool]] = [
    {},
    {"guided_local_search_lambda_coefficient": 0.2,
     "guided_local_search_reset_penalties_on_new_best_solution": True},
    {"guided_local_search_lambda_coefficient": 0.05},
    {"guided_local_search_lambda_coefficient": 0.3},
]


def _parameters(m: ModelInput) -> pywrapcp.DefaultRoutingSearchParameters:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = _FSS.Value.Value(m.strategy)
    params.local_search_metaheuristic = _LSM.Value.GUIDED_LOCAL_SEARCH
    for name, value in VARIANTS[m.variant % len(VARIANTS)].items():
        setattr(params, name, value)
    params.time_limit.FromMilliseconds(max(1, int(m.time_limit * 1000)))
    # The default 100 ms for sub-searches cuts the one that times routes with breaks on a large
    # day (1,000 orders × 100 technicians): loading a feasible warm start is then refused and
    # the search fails outright. A time-cut sub-search is not reproducible either: allow 2 s+.
    params.lns_time_limit.FromMilliseconds(max(2000, int(m.time_limit * 1000)))
    if m.solution_limit is not None:
        params.solution_limit = m.solution_limit
    return params


def solve_model(m: ModelInput) -> ModelOutput:
    """Build the model, warm-start it if routes are given, search, and read the routes back."""
    began = time.perf_counter()
    manager, routing, notes = _build(m)
    params = _parameters(m)
    # Loading routes closes the model with default parameters unless it is closed already,
    # which silently drops ours: close it with ours first, then load, then search with ours.
    routing.CloseModelWithParameters(params)
    initial = None
    if m.initial is not None and any(m.initial):
        routes = [[manager.NodeToIndex(node) for node in nodes] for nodes in m.initial]
        initial = routing.ReadAssignmentFromRoutes(routes, True)
        if initial is None:  # (finding which route it rejects costs ~1 s a route: not done)
            notes.append("the model rejects the warm start; searched from scratch")
    searching = time.perf_counter()
    if m.solution_limit is not None:
        # Deterministic: descend to a local optimum first (it ends by itself, whatever the
        # machine's speed), then guided local search bounded by solutions found. A solution
        # limit alone stopped GLS long before a local optimum on small real days (30 solutions
        # come in 50 ms there), dropping half the orders.
        descent = _parameters(replace(m, solution_limit=None))
        descent.local_search_metaheuristic = _LSM.Value.GREEDY_DESCENT
        if initial is not None:
            solution = routing.SolveFromAssignmentWithParameters(initial, descent)
        else:
            solution = routing.SolveWithParameters(descent)
        left = m.time_limit - (time.perf_counter() - searching)
        if solution is not None and left > 0.05:
            params.time_limit.FromMilliseconds(max(1, int(left * 1000)))
            improved = routing.SolveFromAssignmentWithParameters(solution, params)
            if improved is not None and improved.ObjectiveValue() < solution.ObjectiveValue():
                solution = improved
    elif initial is not None:
        solution = routing.SolveFromAssignmentWithParameters(initial, params)
    else:
        solution = routing.SolveWithParameters(params)
    done = time.perf_counter()
    status = _STATUS.Value.Name(routing.status())
    out = ModelOutput(
        routes=[[] for _ in range(m.n_vehicles)], status=status, objective=None,
        wall_seconds=done - began, search_seconds=done - searching,
        timed_out=done - searching >= m.time_limit * 0.98 or status == "ROUTING_FAIL_TIMEOUT",
        warm_started=initial is not None, notes=notes, strategy=m.strategy, variant=m.variant,
        limit_seconds=m.time_limit,
        solutions=int(routing.solver().Solutions()),
    )
    if solution is None:
        return out
    out.objective = int(solution.ObjectiveValue())
    for v in range(m.n_vehicles):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            out.routes[v].append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
    return out
