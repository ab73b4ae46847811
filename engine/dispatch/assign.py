"""Batch assignment on CP-SAT: which technician takes which order, within minutes, jobs and parts.

One boolean per eligible (technician, order) pair and one per order left out. The objective
is, per pair, the `cost` override in its sense when the problem has one, else the round trip
start → order → end in minutes × the travel weight; plus estimated lateness, disruption (an
order moved off its current technician, or dropped from him) and load balance. Leaving an
order out costs its priority's penalty, scaled so that no saving on every other term together
can pay for it (`penalty_scale`): the plan serves as many, and as urgent, orders as it can.
The visit order of each day is a heuristic afterwards (`engine.dispatch.day_order`); this mode
does not promise time windows, and a day that cannot keep them says so in its route.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import reduce

import numpy as np
from ortools.sat.python import cp_model

from engine.dispatch.assign_start import regret_greedy
from engine.dispatch.compiled import Compiled
from engine.dispatch.day_order import build_days
from engine.dispatch.explain import explain
from engine.dispatch.pairs import PairFacts, pair_facts
from engine.dispatch.plan import build_plan, locked_orders
from engine.dispatch.timeline import Day
from schemas.dispatch import Mode, Plan, ScoreTerms, SolverStatus, Unassigned, Weights, Why

_STATUS = {
    cp_model.OPTIMAL: SolverStatus.OPTIMAL,
    cp_model.FEASIBLE: SolverStatus.FEASIBLE,
    cp_model.INFEASIBLE: SolverStatus.INFEASIBLE,
    cp_model.UNKNOWN: SolverStatus.NO_SOLUTION,
}
_DEFAULT_PENALTY = Weights().unassigned_by_priority
FEASIBILITY_SHARE = 0.2  # of the time limit, at most, to look for a plan that serves everyone


@dataclass
class Terms:
    """The objective's integer coefficients: per eligible pair, and per order left out."""

    pair: np.ndarray  # [T, O] int64, meaningful where eligible
    drop: np.ndarray  # [O] int64, penalty of leaving the order out (scaled) plus disruption
    balance: int  # weight per minute a technician's load is above the mean
    scale: int  # what the priority penalties were multiplied by


def penalty_base(c: Compiled) -> np.ndarray:
    """[O] each order's unassigned penalty by priority, at least 1."""
    table = {**_DEFAULT_PENALTY, **c.problem.weights.unassigned_by_priority}
    return np.array([max(1, table[int(p)]) for p in c.priority], dtype=np.int64)


def penalty_scale(base: np.ndarray, span: int) -> int:
    """The factor that makes any change in total penalty worth more than `span`.

    Totals of penalties differ by multiples of their greatest common divisor g, so once
    g × scale exceeds the span of everything else, fewer (or less urgent) orders left out
    always wins, whatever it costs in travel, cost, lateness, balance or disruption.
    """
    g = reduce(math.gcd, (int(b) for b in np.unique(base)), 0) or 1
    return 1 if g > span else span // g + 1


def objective_terms(c: Compiled, facts: PairFacts) -> Terms:
    weights = c.problem.weights
    eligible = facts.eligible
    if c.costs is not None:
        pair = c.costs * (-1 if c.problem.cost_sense == "max" else 1)
    else:
        pair = facts.round_trip * weights.travel_per_minute
    pair = pair + facts.late * weights.lateness_per_minute
    disruption = np.zeros(c.n_orders, dtype=np.int64)
    for t, tech in enumerate(c.technicians):
        for stop in tech.route:
            o = c.order_index[stop.order_id]
            disruption[o] = weights.disruption
            moved = np.ones(c.n_tech, dtype=bool)
            moved[t] = False
            pair[moved, o] += weights.disruption
    # The span of every term but the penalty: per order, its best and worst outcome (any
    # eligible pair, or dropped with its disruption), plus the most balance could cost.
    low = np.where(eligible, pair, np.iinfo(np.int64).max).min(axis=0, initial=0)
    high = np.where(eligible, pair, np.iinfo(np.int64).min).max(axis=0, initial=0)
    low, high = np.minimum(low, disruption), np.maximum(high, disruption)
    served = eligible.any(axis=0)
    span = int((high - low)[served].sum())
    span += weights.balance * int(facts.capacity.sum())
    base = penalty_base(c)
    scale = penalty_scale(base[served], span) if served.any() else 1
    return Terms(pair.astype(np.int64), base * scale + disruption, weights.balance, scale)


@dataclass
class _Model:
    """The CP-SAT model over the eligible pairs, with a drop variable per order unless every
    servable order must go (`exact`)."""

    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    drop: dict[int, cp_model.IntVar]


def _build(c: Compiled, facts: PairFacts, terms: Terms, *, exact: bool, optimise: bool) -> _Model:
    model = cp_model.CpModel()
    pairs = np.argwhere(facts.eligible)  # (t, o) rows, by technician then order
    x = {(int(t), int(o)): model.new_bool_var(f"x_{t}_{o}") for t, o in pairs}
    by_order: dict[int, list[cp_model.IntVar]] = {}
    by_tech: dict[int, list[int]] = {t: [] for t in range(c.n_tech)}
    for (t, o), var in x.items():
        by_order.setdefault(o, []).append(var)
        by_tech[t].append(o)
    objective: list[cp_model.LinearExprT] = []
    drop: dict[int, cp_model.IntVar] = {}
    for o, choices in by_order.items():
        if o in facts.locked_on:
            model.add(x[facts.locked_on[o], o] == 1)
        if exact:
            model.add_exactly_one(choices)
        else:
            drop[o] = model.new_bool_var(f"drop_{o}")
            model.add_exactly_one([*choices, drop[o]])
            objective.append(int(terms.drop[o]) * drop[o])
    loads = {}
    for t, mine in by_tech.items():
        for need, limit in (
            (facts.minutes[t], facts.capacity[t]),
            (facts.jobs, facts.max_jobs[t]),
            (facts.parts, facts.parts_capacity[t]),
        ):
            if int(need[mine].sum()) > limit:
                model.add(sum(int(need[o]) * x[t, o] for o in mine) <= int(limit))
        if int(facts.day_minutes[t, mine].sum()) > facts.day_length[t]:
            # service and the drives in fit the shifts: no day is planned that cannot be driven
            model.add(
                sum(int(facts.day_minutes[t, o]) * x[t, o] for o in mine)
                <= int(facts.day_length[t])
            )
        loads[t] = sum(int(facts.minutes[t, o]) * x[t, o] for o in mine)
    if optimise:
        objective += [int(terms.pair[t, o]) * var for (t, o), var in x.items() if terms.pair[t, o]]
        if terms.balance and c.n_tech > 1:
            # T × excess_t ≥ T × load_t − total load: the minutes above the mean, in integers.
            total = sum(loads.values())
            for t, load in loads.items():
                excess = model.new_int_var(0, int(facts.capacity[t]), f"excess_{t}")
                model.add(c.n_tech * excess >= c.n_tech * load - total)
                objective.append(terms.balance * excess)
        model.minimize(sum(objective))
    return _Model(model, x, drop)


def _solver(c: Compiled, seconds: float, work: float) -> cp_model.CpSolver:
    """A solver stopping after `seconds` of wall clock, or in deterministic mode after `work`
    deterministic seconds (a fixed budget, so the same input stops at the same point)."""
    options = c.problem.options
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)
    solver.parameters.random_seed = options.seed
    solver.parameters.num_workers = 1 if options.deterministic else options.workers
    if options.deterministic:
        # A wall-clock limit cuts the search at a load-dependent point: stop on CP-SAT's
        # deterministic time instead, half the time limit's seconds, which an unloaded machine
        # does within the limit; the wall-clock net is three times the limit so that a busy
        # machine (2–3× slower measured on shared cores) does not cut it first.
        solver.parameters.max_deterministic_time = max(work / 2, 0.01)
        solver.parameters.max_time_in_seconds = max(3 * seconds, 0.03)
    if solver.parameters.num_workers == 1:
        # Measured on gap1–12 (CPU seconds, two runs): bound-first search without probing
        # proves those optima ~20% sooner than the defaults. With several workers CP-SAT's
        # own portfolio did best on gapb (linearization level 2 was tried: worse incumbents).
        solver.parameters.use_objective_lb_search = True
        solver.parameters.cp_model_probing_level = 0
    return solver


def _full_assignment(
    c: Compiled, facts: PairFacts, terms: Terms, seconds: float
) -> dict[int, int] | None:
    """Some assignment that serves every servable order (a quick feasibility search)."""
    built = _build(c, facts, terms, exact=True, optimise=False)
    solver = _solver(c, seconds, seconds)
    solver.parameters.stop_after_first_solution = True
    if solver.solve(built.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {o: t for (t, o), var in built.x.items() if solver.boolean_value(var)}
    return None


def assign(c: Compiled) -> Plan:
    """Assign the orders to technicians with CP-SAT, then order each technician's day."""
    clock = time.perf_counter()
    limit = c.problem.options.time_limit_seconds
    facts = pair_facts(c)
    terms = objective_terms(c, facts)
    current = {
        c.order_index[s.order_id]: t for t, tech in enumerate(c.technicians) for s in tech.route
    }
    hint = regret_greedy(c, facts, terms.pair, terms.drop, current)
    if not facts.fits(hint):  # a hint presolve finds infeasible only slows the search down
        hint = dict(facts.locked_on)
    servable = int(facts.eligible.any(axis=0).sum())
    # An assignment that serves every servable order proves that the optimum leaves none out
    # (the penalty dominates), so each order takes exactly one technician: a tighter model.
    searched = len(hint) < servable
    full = _full_assignment(c, facts, terms, limit * FEASIBILITY_SHARE) if searched else hint
    exact = full is not None and len(full) == servable and facts.fits(full)
    built = _build(c, facts, terms, exact=exact, optimise=True)
    # Only the greedy's hint guides the search: the feasibility search's first find is
    # arbitrary, and hinting it made gapb's incumbents worse (measured). In the exact model
    # the orders the greedy could not place are left unhinted (a partial hint).
    for (t, o), var in built.x.items():
        if o in hint or not exact:
            built.model.add_hint(var, hint.get(o) == t)
    for o, var in built.drop.items():
        built.model.add_hint(var, o not in hint)
    if exact and full is not None:
        hint = full  # the fallback should nothing be found in time
    work = limit * (1 - FEASIBILITY_SHARE) if searched else limit
    solver = _solver(c, limit - (time.perf_counter() - clock), work)
    code = solver.solve(built.model)
    # the work limit (deterministic) or the search's own end, unless the clock stopped it first
    clock_limit = solver.parameters.max_time_in_seconds
    cut_by_clock = code != cp_model.OPTIMAL and solver.wall_time >= 0.98 * clock_limit
    status = _STATUS.get(code, SolverStatus.NO_SOLUTION)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = {o: t for (t, o), var in built.x.items() if solver.boolean_value(var)}
        sign = -1 if c.costs is not None and c.problem.cost_sense == "max" else 1
        objective_value, bound = sign * solver.objective_value, sign * solver.best_objective_bound
    else:  # nothing found in time: the hint's assignment (it respects every limit) is still a
        # feasible plan; no objective or bound marks it as the solver's fallback
        chosen, objective_value, bound = hint, None, None
    timed_out = status is SolverStatus.NO_SOLUTION
    if timed_out and chosen:
        status = SolverStatus.FEASIBLE
    days = build_days(c, chosen, locked_orders(c))
    dropped = [o for o in range(c.n_orders) if o not in chosen]
    whys, unassigned = _explained(c, days, dropped, timed_out=timed_out)
    return build_plan(
        c,
        Mode.ASSIGN,
        days,
        unassigned,
        whys,
        status=status,
        objective=objective_value,
        bound=bound,
        wall_seconds=time.perf_counter() - clock,
        cut_by_clock=cut_by_clock,
    )


def _explained(
    c: Compiled, days: list[Day], dropped: list[int], *, timed_out: bool
) -> tuple[list[Why], list[Unassigned]]:
    """`explain` on the days that keep their time rules; a day kept relaxed (its visit order
    breaks a rule) explains its stops by his assignment alone, naming the broken rule."""
    kept = [d for d in days if d.feasible]
    whys, unassigned = explain(c, kept, dropped, timed_out=timed_out)
    by_order = {w.order_id: w for w in whys}
    weights, locked = c.problem.weights, locked_orders(c)
    for day in days:
        if day.feasible:
            continue
        for v in day.visits:
            travel = float(weights.travel_per_minute * v.travel_minutes)
            late = float(weights.lateness_per_minute * v.late_minutes)
            by_order[c.orders[v.order].id] = Why(
                order_id=c.orders[v.order].id,
                technician_id=c.technicians[day.technician].id,
                skill_level=_level(c, day.technician, v.order),
                distance_km=round(v.travel_km, 3),
                eta=v.arrival,
                load_minutes=day.service_minutes,
                score=ScoreTerms(
                    travel=travel, lateness=late, balance=0.0, disruption=0.0, total=travel + late
                ),
                runner_up_reason="assigned by the batch plan; his visit order breaks a rule: "
                f"{day.violation}",
                locked=v.order in locked,
            )
    return [by_order[c.orders[v.order].id] for d in days for v in d.visits], unassigned


def _level(c: Compiled, t: int, o: int) -> int:
    skill = c.order_skill[o]
    return 0 if skill < 0 else int(c.levels[t, skill])
