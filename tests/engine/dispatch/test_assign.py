"""Batch assignment on CP-SAT: limits, skills, pins, locks, penalties that dominate, the warm
start, determinism, and GAP instances reaching their published optima. Every plan passes the
independent checker."""

from __future__ import annotations

import itertools
import os
from typing import Any

import numpy as np
import pytest

from engine.dispatch import solve
from engine.dispatch.assign import objective_terms, penalty_scale
from engine.dispatch.compiled import compile_problem
from engine.dispatch.formats.gap import gap_problem, read_gap
from engine.dispatch.pairs import pair_facts
from engine.dispatch.validate import parse
from schemas.dispatch import Mode, Plan, Problem, SolverStatus
from tests.engine.dispatch.checker import check_plan
from tests.engine.dispatch.gap_data import OPTIMA, SMALL_SETS, gap_file

LONG = pytest.mark.skipif(
    not os.environ.get("CRM_LONG_TESTS"), reason="long solver run: set CRM_LONG_TESTS=1"
)


def street(
    orders: list[dict[str, Any]], technicians: list[dict[str, Any]] | None = None, **extra: Any
) -> Problem:
    """A planar street, one unit a minute: t1 at x=0 and t2 at x=100 unless told otherwise."""
    techs = technicians or [
        {"id": "t1", "start": {"x": 0, "y": 0}, "skills": {"washer": 1}},
        {"id": "t2", "start": {"x": 100, "y": 0}, "skills": {"washer": 2}},
    ]
    return parse(
        {
            "travel": {"kind": "euclidean"},
            "technicians": [{"shifts": [{"start": 480, "end": 1080}]} | t for t in techs],
            "orders": [{"location": {"x": 10, "y": 0}, "duration": 30} | o for o in orders],
            **extra,
        }
    )


def assigned(problem: Problem) -> tuple[Plan, dict[str, str]]:
    """The plan, checked: with the time rules too when no day says it breaks one."""
    plan = solve(problem, Mode.ASSIGN)
    assert isinstance(plan, Plan)
    timing = all(r.violation is None for r in plan.routes)
    assert check_plan(problem, plan, timing=timing) == []
    where = {s.order_id: r.technician_id for r in plan.routes for s in r.stops}
    assert {(w.order_id, w.technician_id) for w in plan.assignments} == set(where.items())
    return plan, where


def test_the_nearest_technician_takes_an_order_and_the_optimum_is_proven():
    plan, where = assigned(street([{"id": "o1"}, {"id": "o2", "location": {"x": 95, "y": 0}}]))
    assert where == {"o1": "t1", "o2": "t2"}
    assert plan.kpis.solver_status is SolverStatus.OPTIMAL and plan.kpis.gap == 0.0
    assert plan.kpis.objective == plan.kpis.bound == 2 * 10 + 2 * 5  # round trips, 1 a minute


def test_minutes_capacity_sends_the_overflow_to_the_next_technician():
    orders = [{"id": f"o{k}", "duration": 60} for k in range(3)]
    techs = [
        {"id": "t1", "start": {"x": 0, "y": 0}, "skills": {}, "capacity_minutes": 130},
        {"id": "t2", "start": {"x": 100, "y": 0}, "skills": {}},
    ]
    _, where = assigned(street(orders, techs))
    assert sorted(where.values()) == ["t1", "t1", "t2"]


@pytest.mark.parametrize(
    ("limit", "order_extra"),
    [({"max_jobs": 1}, {}), ({"parts_capacity": 5}, {"parts_volume": 4})],
)
def test_jobs_and_parts_limits_hold(limit, order_extra):
    orders = [{"id": f"o{k}"} | order_extra for k in range(2)]
    techs = [{"id": "t1", "start": {"x": 0, "y": 0}, "skills": {}} | limit]
    plan, where = assigned(street(orders, techs))
    assert len(where) == 1 and len(plan.unassigned) == 1


def test_an_order_goes_to_a_technician_with_its_skill_at_its_level_however_far():
    _, where = assigned(street([{"id": "o1", "skill": "washer", "min_level": 2}]))
    assert where == {"o1": "t2"}


def test_a_pinned_order_goes_to_its_technician():
    _, where = assigned(street([{"id": "o1", "pinned_technician": "t2"}]))
    assert where == {"o1": "t2"}


def test_nobody_able_leaves_the_order_unassigned_with_a_reason_and_out_of_the_model():
    problem = street(
        [
            {"id": "o1", "skill": "refrigerator"},
            {"id": "o2", "windows": [{"start": 1200, "end": 1300}]},
            {"id": "o3"},
        ]
    )
    assert not pair_facts(compile_problem(problem)).eligible[:, :2].any()
    plan, where = assigned(problem)
    assert where == {"o3": "t1"}
    assert {u.order_id for u in plan.unassigned} == {"o1", "o2"}
    assert all(u.detail for u in plan.unassigned)


def test_a_locked_stop_never_moves_and_keeps_its_minutes_from_nearer_orders():
    techs = [
        {
            "id": "t1",
            "start": {"x": 0, "y": 0},
            "skills": {},
            "capacity_minutes": 60,
            "route": [{"order_id": "far", "locked": True}, {"order_id": "near"}],
        },
        {"id": "t2", "start": {"x": 200, "y": 0}, "skills": {}},
    ]
    orders = [
        {"id": "near", "duration": 30},
        {"id": "far", "location": {"x": 200, "y": 0}, "duration": 60},
    ]
    plan, where = assigned(street(orders, techs))
    assert where == {"far": "t1", "near": "t2"}  # t1's minutes go to his locked stop
    stops = {s.order_id: s for r in plan.routes for s in r.stops}
    assert stops["far"].locked and not stops["near"].locked


def test_locked_stops_come_first_in_their_route_order():
    techs = [
        {
            "id": "t1",
            "start": {"x": 0, "y": 0},
            "skills": {},
            "route": [{"order_id": "b", "locked": True}, {"order_id": "a", "locked": True}],
        }
    ]
    orders = [
        {"id": "a", "location": {"x": 50, "y": 0}},
        {"id": "b", "location": {"x": 90, "y": 0}},
        {"id": "c", "location": {"x": 5, "y": 0}},
    ]
    plan, _ = assigned(street(orders, techs))
    assert [s.order_id for s in plan.routes[0].stops] == ["b", "a", "c"]


def test_leaving_an_order_out_costs_more_than_any_travel_it_saves():
    # A priority-5 order worth a penalty of 1, 500 minutes a round trip at 1000 a minute.
    problem = street(
        [{"id": "far", "priority": 5, "location": {"x": 250, "y": 0}}],
        weights={"travel_per_minute": 1000, "unassigned_by_priority": {5: 1}},
    )
    _, where = assigned(problem)
    assert set(where) == {"far"}


def test_when_not_all_fit_the_urgent_order_stays_and_two_cheap_ones_go():
    orders = [
        {"id": "urgent", "priority": 1, "duration": 100, "location": {"x": 150, "y": 0}},
        {"id": "low1", "priority": 5, "duration": 50},
        {"id": "low2", "priority": 5, "duration": 50},
    ]
    techs = [{"id": "t1", "start": {"x": 0, "y": 0}, "skills": {}, "capacity_minutes": 100}]
    plan, where = assigned(street(orders, techs))
    assert where == {"urgent": "t1"}
    assert {u.order_id for u in plan.unassigned} == {"low1", "low2"}


@pytest.mark.parametrize(
    ("base", "span"),
    [((5000, 20000), 4999), ((5000, 20000), 5000), ((3, 7), 10**6), ((1,), 0), ((6, 9, 12), 2)],
)
def test_the_penalty_scale_makes_any_change_of_penalty_outweigh_the_span(base, span):
    scale = penalty_scale(np.array(base), span)
    smallest_change = (
        min(abs(a - b) for a, b in itertools.product(base, repeat=2) if a != b)
        if len(set(base)) > 1
        else base[0]
    )
    assert min(min(base), np.gcd.reduce(np.array(base))) * scale > span
    assert smallest_change * scale > span


def test_the_solver_reaches_the_lexicographic_optimum_of_a_brute_force_search():
    # Given 2 technicians and 6 orders of mixed priority that cannot all fit, with travel
    # weighted so that dropping an order would save more than its raw penalty,
    rng = np.random.default_rng(3)
    orders = [
        {
            "id": f"o{k}",
            "duration": int(rng.integers(20, 60)),
            "priority": int(rng.integers(1, 6)),
            "location": {"x": int(rng.integers(0, 200)), "y": 0},
        }
        for k in range(6)
    ]
    techs = [
        {"id": "t1", "start": {"x": 0, "y": 0}, "skills": {}, "capacity_minutes": 90},
        {"id": "t2", "start": {"x": 200, "y": 0}, "skills": {}, "capacity_minutes": 80},
    ]
    weights = {
        "travel_per_minute": 50,
        "unassigned_by_priority": {p: 10 * (6 - p) for p in range(1, 6)},
    }
    problem = street(orders, techs, weights=weights)
    c = compile_problem(problem)
    facts = pair_facts(c)
    assert facts.eligible.all()  # every pair fits a day: capacity alone decides
    terms = objective_terms(c, facts)
    # when every assignment is enumerated, the best penalty first and travel second
    best = None
    for choice in itertools.product((None, 0, 1), repeat=6):
        load = [
            sum(o["duration"] for o, t in zip(orders, choice, strict=True) if t == k)
            for k in range(2)
        ]
        if load[0] > 90 or load[1] > 80:
            continue
        penalty = sum(
            weights["unassigned_by_priority"][o["priority"]]
            for o, t in zip(orders, choice, strict=True)
            if t is None
        )
        travel = sum(int(terms.pair[t, k]) for k, t in enumerate(choice) if t is not None)
        best = min(best or (penalty, travel), (penalty, travel))
    # then the solver's plan leaves out exactly that penalty, and travels exactly that much.
    plan, where = assigned(problem)
    left = sum(
        weights["unassigned_by_priority"][o["priority"]] for o in orders if o["id"] not in where
    )
    travel = sum(int(terms.pair[c.tech_index[t], c.order_index[o]]) for o, t in where.items())
    assert (left, travel) == best


def test_an_order_stays_with_its_current_technician_when_disruption_outweighs_the_saving():
    techs = [
        {"id": "t1", "start": {"x": 0, "y": 0}, "skills": {}},
        {"id": "t2", "start": {"x": 30, "y": 0}, "skills": {}, "route": [{"order_id": "o1"}]},
    ]
    order = [{"id": "o1", "location": {"x": 10, "y": 0}}]  # t1: 20 min round trip, t2: 40
    assert assigned(street(order, techs))[1] == {"o1": "t1"}
    assert assigned(street(order, techs, weights={"disruption": 25}))[1] == {"o1": "t2"}


def test_load_balance_spreads_the_minutes():
    techs = [
        {"id": "t1", "start": {"x": 0, "y": 0}, "skills": {}},
        {"id": "t2", "start": {"x": 4, "y": 0}, "skills": {}},
    ]
    orders = [{"id": f"o{k}", "location": {"x": 0, "y": 0}, "duration": 60} for k in range(4)]
    assert sorted(assigned(street(orders, techs))[1].values()) == ["t1"] * 4
    balanced = assigned(street(orders, techs, weights={"balance": 1}))[1]
    assert sorted(balanced.values()) == ["t1", "t1", "t2", "t2"]


def test_a_current_route_over_the_limits_is_no_hint_and_still_gives_a_feasible_plan():
    techs = [
        {
            "id": "t1",
            "start": {"x": 0, "y": 0},
            "skills": {},
            "capacity_minutes": 60,
            "route": [{"order_id": f"o{k}"} for k in range(4)],
        },
        {"id": "t2", "start": {"x": 50, "y": 0}, "skills": {}},
    ]
    plan, where = assigned(street([{"id": f"o{k}"} for k in range(4)], techs))
    assert len(where) == 4 and plan.kpis.solver_status is SolverStatus.OPTIMAL


def test_a_day_that_cannot_keep_its_windows_keeps_every_stop_and_says_so():
    orders = [
        {"id": f"o{k}", "duration": 60, "windows": [{"start": 500, "end": 510}]} for k in range(2)
    ]
    techs = [{"id": "t1", "start": {"x": 0, "y": 0}, "skills": {}}]
    plan, where = assigned(street(orders, techs))
    assert set(where) == {"o0", "o1"}
    assert plan.routes[0].violation and "windows" in plan.routes[0].violation


def test_the_same_problem_and_seed_give_the_same_plan_in_deterministic_mode():
    rng = np.random.default_rng(11)
    orders = [
        {
            "id": f"o{k}",
            "duration": int(rng.integers(20, 90)),
            "location": {"x": int(rng.integers(0, 200)), "y": int(rng.integers(0, 200))},
        }
        for k in range(40)
    ]
    techs = [
        {"id": f"t{k}", "start": {"x": 50 * k, "y": 100}, "skills": {}, "capacity_minutes": 300}
        for k in range(5)
    ]
    problem = street(orders, techs, options={"seed": 5, "time_limit_seconds": 1})
    first, second = (solve(problem, Mode.ASSIGN) for _ in range(2))
    assert first.kpis.solver_status is SolverStatus.FEASIBLE  # cut by its limit, not finished
    strip = {"kpis": {"wall_seconds"}}
    assert first.model_dump(exclude=strip) == second.model_dump(exclude=strip)


def _gap_plan(name: str) -> tuple[Plan, float]:
    stem, k = name.split("#")
    instance = read_gap(gap_file(stem))[int(k) - 1]
    problem = gap_problem(instance)
    plan, where = assigned(problem)
    # the instance's own objective, recomputed from the file's numbers
    value = sum(instance.cost[int(t[1:]) - 1][int(o[1:]) - 1] for o, t in where.items())
    assert len(where) == instance.jobs and plan.objective_value == value
    return plan, value


@pytest.mark.parametrize("name", [f"gap1#{k}" for k in range(1, 6)])
def test_gap1_problems_reach_their_published_optima_proven(name):
    plan, value = _gap_plan(name)
    assert value == OPTIMA[name]
    assert plan.kpis.solver_status is SolverStatus.OPTIMAL and plan.kpis.bound == value


@LONG
@pytest.mark.parametrize("name", [f"{s}#{k}" for s in SMALL_SETS[1:] for k in range(1, 6)])
def test_every_small_gap_problem_reaches_its_published_optimum_proven(name):
    plan, value = _gap_plan(name)
    assert value == OPTIMA[name] and plan.kpis.solver_status is SolverStatus.OPTIMAL
