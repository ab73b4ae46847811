"""A realistic generated day (1,000 orders × 100 technicians in Shanghai, skills, windows,
breaks, split shifts, parts, pins, locked stops: `engine.dispatch.synthetic`): the routing
mode against the greedy nearest-feasible-technician baseline (`benchmarks/dispatch_baseline.py`)
in the same run, at a short time limit (time to the first feasible plan, goal under 5 s) and at
30 s (quality). Every plan is checked by the independent checker before its figures count.

Quality figures go into `benchmark.extra_info`: assigned, travel km and minutes, km per
assigned order, on-time share, the wall time, and the baseline's figures beside them.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from benchmarks.dispatch_baseline import greedy_plan
from engine.dispatch import solve
from engine.dispatch.synthetic import realistic_day
from schemas.dispatch import Mode, Plan, Problem
from tests.engine.dispatch.checker import check_plan

ORDERS, TECHNICIANS, SEED = 1_000, 100, 7
# Time to a first plan: routing with these short limits in turn, until the solver returns one
# (OR-Tools reports no first-solution time; the wall time of the first run that finds a plan
# bounds it from above, model building and the solver's own process included).
FIRST_LIMITS_SECONDS = (1.0, 2.0, 4.0, 8.0)
QUALITY_LIMIT_SECONDS = 30.0
FIRST_PLAN_GOAL_SECONDS = 5.0


@pytest.fixture(scope="module")
def day() -> Problem:
    return realistic_day(ORDERS, TECHNICIANS, SEED)


@pytest.fixture(scope="module")
def baseline(day: Problem) -> Plan:
    plan = greedy_plan(day)
    assert check_plan(day, plan) == []
    return plan


def with_limit(problem: Problem, seconds: float) -> Problem:
    return problem.model_copy(
        update={"options": problem.options.model_copy(update={"time_limit_seconds": seconds})}
    )


def figures(plan: Plan, wall: float) -> dict[str, Any]:
    k = plan.kpis
    return {
        "assigned": k.assigned,
        "unassigned": k.unassigned,
        "travel_km": round(k.total_travel_km, 1),
        "travel_minutes": k.total_travel_minutes,
        "km_per_assigned": round(k.total_travel_km / max(1, k.assigned), 2),
        "on_time_share": k.on_time_share,
        "wall_seconds": round(wall, 2),
        "status": k.solver_status.value,
    }


def timed_route(problem: Problem, seconds: float, record: dict[str, Any]) -> Plan:
    began = time.perf_counter()
    plan = solve(with_limit(problem, seconds), Mode.ROUTE)
    record["wall"] = time.perf_counter() - began
    assert isinstance(plan, Plan)
    return plan


def test_day_greedy_baseline(benchmark: Any, day: Problem) -> None:
    record: dict[str, Any] = {}

    def run() -> Plan:
        began = time.perf_counter()
        plan = greedy_plan(day)
        record["wall"] = time.perf_counter() - began
        return plan

    plan = benchmark.pedantic(run, rounds=1, iterations=1)
    assert check_plan(day, plan) == []
    benchmark.extra_info.update(
        {
            "orders": ORDERS,
            "technicians": TECHNICIANS,
            "seed": SEED,
            **figures(plan, record["wall"]),
        }
    )


def comparison(plan: Plan, wall: float, baseline: Plan) -> dict[str, Any]:
    ours, greedy = figures(plan, wall), figures(baseline, baseline.kpis.wall_seconds)
    return {
        "orders": ORDERS,
        "technicians": TECHNICIANS,
        "seed": SEED,
        **ours,
        "baseline": greedy,
        "assigned_over_baseline": ours["assigned"] - greedy["assigned"],
        "travel_km_per_assigned_vs_baseline": round(
            ours["km_per_assigned"] / max(greedy["km_per_assigned"], 1e-9) - 1, 4
        ),
    }


def solver_found(plan: Plan) -> bool:
    """The routing solver returned routes (else the plan is the current routes, kept)."""
    return plan.kpis.objective is not None


def test_day_route_first_plan(benchmark: Any, day: Problem, baseline: Plan) -> None:
    attempts: list[dict[str, Any]] = []

    def ladder() -> Plan:
        for limit in FIRST_LIMITS_SECONDS:
            record: dict[str, Any] = {}
            plan = timed_route(day, limit, record)
            attempts.append(
                {
                    "time_limit": limit,
                    "wall_seconds": round(record["wall"], 2),
                    "found": solver_found(plan),
                }
            )
            if solver_found(plan):
                return plan
        return plan

    plan = benchmark.pedantic(ladder, rounds=1, iterations=1)
    assert check_plan(day, plan) == []
    first = attempts[-1]
    benchmark.extra_info.update(
        {
            **comparison(plan, first["wall_seconds"], baseline),
            "attempts": attempts,
            "seconds_to_first_plan": first["wall_seconds"] if first["found"] else None,
            "first_plan_goal_seconds": FIRST_PLAN_GOAL_SECONDS,
            "first_plan_goal_met": first["found"]
            and first["wall_seconds"] < FIRST_PLAN_GOAL_SECONDS,
        }
    )
    assert first["found"], f"no routing plan within {FIRST_LIMITS_SECONDS[-1]} s"


def test_day_route_30s(benchmark: Any, day: Problem, baseline: Plan) -> None:
    record: dict[str, Any] = {}
    plan = benchmark.pedantic(
        timed_route, args=(day, QUALITY_LIMIT_SECONDS, record), rounds=1, iterations=1
    )
    assert check_plan(day, plan) == []
    benchmark.extra_info.update(
        {**comparison(plan, record["wall"], baseline), "time_limit": QUALITY_LIMIT_SECONDS}
    )
    assert solver_found(plan), "the routing solver found no plan within its time limit"
