"""Batch routing on small crafted days: windows, skills, locks, breaks, shifts, capacities,
penalties, determinism. Every plan passes the independent checker, and timeline accepts the
solver's sequences as they are (no stop taken off by the repair)."""

from __future__ import annotations

from typing import Any

import pytest

from engine.dispatch.compiled import compile_problem
from engine.dispatch.route import plan_of, route_days
from engine.dispatch.validate import parse
from engine.errors import DomainError
from schemas.dispatch import Plan, Problem, SolverStatus, UnassignedReason
from tests.engine.dispatch.checker import check_plan

SHIFT = [{"start": 480, "end": 1080}]


def tech(id: str, x: float = 0, y: float = 0, **extra: Any) -> dict[str, Any]:
    return {"id": id, "start": {"x": x, "y": y}, "skills": {}, "shifts": SHIFT} | extra


def order(id: str, x: float, y: float = 0, duration: int = 30, **extra: Any) -> dict[str, Any]:
    return {"id": id, "location": {"x": x, "y": y}, "duration": duration} | extra


def solve(techs: list[dict], orders: list[dict], **extra: Any) -> tuple[Problem, Plan]:
    """Route a planar day (one distance unit = one minute) and check the plan independently."""
    problem = parse({"travel": {"kind": "euclidean"}, "skills": ["ac", "fridge"],
                     "technicians": techs, "orders": orders,
                     "options": {"time_limit_seconds": 2}} | extra)
    c = compile_problem(problem)
    routing = route_days(c)
    plan = plan_of(c, routing)
    assert routing.repaired == 0, "timeline rejected a stop of the routing model"
    assert check_plan(problem, plan) == []
    assert plan.kpis.bound is None and plan.kpis.gap is None  # routing proves no bound
    return problem, plan


def stops(plan: Plan, technician: str) -> list[str]:
    return [s.order_id for r in plan.routes if r.technician_id == technician for s in r.stops]


def reason(plan: Plan, order_id: str) -> UnassignedReason:
    return next(u.reason for u in plan.unassigned if u.order_id == order_id)


def test_windows_set_the_visit_order_against_the_map():
    # b is nearer but its window opens late: a must come first
    _, plan = solve([tech("t")], [order("a", 50, windows=[{"start": 500, "end": 560}]),
                                  order("b", 10, windows=[{"start": 700, "end": 760}])])
    assert stops(plan, "t") == ["a", "b"]
    assert plan.kpis.solver_status is SolverStatus.FEASIBLE and plan.kpis.unassigned == 0


def test_a_visit_starts_in_a_later_window_when_the_first_cannot_be_reached():
    _, plan = solve([tech("t")], [order("a", 100, windows=[{"start": 480, "end": 500},
                                                            {"start": 800, "end": 820}])])
    assert 800 <= plan.routes[0].stops[0].start <= 820


def test_skills_send_each_order_to_a_qualified_technician_however_far():
    techs = [tech("near", skills={"ac": 1}), tech("far", x=200, skills={"ac": 3, "fridge": 2})]
    _, plan = solve(techs, [order("a", 5, skill="ac", min_level=2), order("f", 5, skill="fridge")])
    assert sorted(stops(plan, "far")) == ["a", "f"] and stops(plan, "near") == []


def test_an_order_nobody_can_serve_is_reported_and_the_rest_still_routed():
    _, plan = solve([tech("t", skills={"ac": 1})],
                    [order("a", 5, skill="ac"), order("x", 5, skill="fridge")])
    assert stops(plan, "t") == ["a"]
    assert reason(plan, "x") is UnassignedReason.NO_SKILLED_TECHNICIAN


def test_locked_stops_keep_their_technician_and_their_order():
    # z then a is the long way round for "t", and "u" sits right by them: locks still win
    route = [{"order_id": "z", "locked": True}, {"order_id": "a", "locked": True}]
    _, plan = solve([tech("t", route=route), tech("u", x=40)],
                    [order("a", 10), order("z", 50), order("m", 30)])
    on_t = stops(plan, "t")
    assert on_t.index("z") < on_t.index("a")
    assert all(s.locked for r in plan.routes for s in r.stops if s.order_id in "za")


def test_an_infeasible_locked_route_is_refused_with_its_path():
    route = [{"order_id": "a", "locked": True}]
    with pytest.raises(DomainError) as error:
        solve([tech("t", route=route)], [order("a", 10, windows=[{"start": 100, "end": 200}])])
    assert error.value.errors[0].path == ("technicians", 0, "route")


def test_the_break_fits_between_visits_of_a_full_day():
    pause = {"earliest": 720, "latest": 750, "duration": 30}
    orders = [order(f"o{k}", 10 + k, duration=100) for k in range(5)]
    _, plan = solve([tech("t", capacity_minutes=600, **{"break": pause})], orders)
    assert plan.kpis.assigned == 5  # 500 service minutes + break + travel fit in 600


def test_the_break_does_not_stop_a_tight_window_after_it():
    # a ends at 730 and b must start by 745: the break waits until after b
    pause = {"earliest": 720, "latest": 900, "duration": 30}
    _, plan = solve([tech("t", **{"break": pause})],
                    [order("a", 10, duration=240, windows=[{"start": 490, "end": 490}]),
                     order("b", 15, windows=[{"start": 735, "end": 745}])])
    assert stops(plan, "t") == ["a", "b"]


def test_no_visit_straddles_the_gap_between_two_shifts():
    shifts = [{"start": 480, "end": 600}, {"start": 720, "end": 1000}]
    orders = [order(f"o{k}", 5 * k + 5, duration=50) for k in range(4)]
    _, plan = solve([tech("t", shifts=shifts)], orders)
    assert plan.kpis.assigned == 4
    for s in plan.routes[0].stops:
        assert s.end <= 600 or s.start >= 720


@pytest.mark.parametrize("limit, fits", [
    ({"capacity_minutes": 90}, 3),
    ({"max_jobs": 2}, 2),
    ({"parts_capacity": 5}, 2),
])
def test_a_technician_takes_no_more_than_his_limits(limit: dict, fits: int):
    orders = [order(f"o{k}", 10 + k, parts_volume=2) for k in range(5)]
    _, plan = solve([tech("t", **limit)], orders)
    assert plan.kpis.assigned == fits and plan.kpis.unassigned == 5 - fits


def test_the_unassigned_penalty_always_outweighs_travel():
    # a penalty of 1 is far below the 1,000-minute round trip: the engine raises it
    weights = {"unassigned_by_priority": {p: 1 for p in range(1, 6)}}
    whole_day = [{"start": 0, "end": 1440}]
    _, plan = solve([tech("t", shifts=whole_day)], [order("far", 500)], weights=weights)
    assert stops(plan, "t") == ["far"]


def test_the_higher_priority_order_wins_the_only_slot():
    orders = [order("low", 10, duration=400, priority=5),
              order("high", 50, duration=400, priority=1)]
    _, plan = solve([tech("t")], orders)
    assert stops(plan, "t") == ["high"]
    assert reason(plan, "low") in (UnassignedReason.LOST_TO_HIGHER_PRIORITY,
                                   UnassignedReason.CAPACITY_FULL)


def test_a_fixed_cost_per_technician_pools_the_orders_on_fewer_days():
    techs = [tech("t", fixed_cost=1000), tech("u", y=20, fixed_cost=1000)]
    _, plan = solve(techs, [order("a", 5), order("b", 5, 20)])
    assert sum(1 for r in plan.routes if r.stops) == 1


def test_lateness_against_the_sla_reorders_the_day():
    # b is farther, but only b has a deadline it would miss if visited second
    _, plan = solve([tech("t")], [order("a", 10, duration=120), order("b", -30, sla_deadline=540)])
    assert stops(plan, "t")[0] == "b" and plan.kpis.on_time_share == 1.0


def test_the_current_routes_warm_start_the_search():
    route = [{"order_id": "b"}, {"order_id": "a"}]
    problem = parse({"travel": {"kind": "euclidean"},
                     "technicians": [tech("t", route=route)],
                     "orders": [order("a", 10), order("b", 20)]})
    routing = route_days(compile_problem(problem))
    assert routing.out.warm_started and routing.out.notes == []
    assert [len(d.visits) for d in routing.days] == [2]


def test_the_same_input_and_seed_give_the_same_plan_in_deterministic_mode():
    techs = [tech(f"t{k}", x=10 * k, skills={"ac": 2}) for k in range(3)]
    orders = [order(f"o{k}", (37 * k) % 90, (53 * k) % 70, duration=20 + k % 3 * 10,
                    skill="ac" if k % 2 else None, priority=1 + k % 5,
                    windows=[{"start": 480 + 40 * (k % 6), "end": 700 + 40 * (k % 6)}])
              for k in range(24)]
    options = {"time_limit_seconds": 3, "deterministic": True, "seed": 7}
    plans = [solve(techs, orders, options=options)[1] for _ in range(2)]
    assert [r.stops for r in plans[0].routes] == [r.stops for r in plans[1].routes]
    assert plans[0].kpis.objective == plans[1].kpis.objective


def test_a_day_with_nothing_servable_builds_no_model_and_reports_every_order():
    _, plan = solve([tech("t")], [order("x", 5, skill="fridge")])
    assert plan.kpis.solver_status is SolverStatus.OPTIMAL and plan.kpis.assigned == 0
    assert reason(plan, "x") is UnassignedReason.NO_SKILLED_TECHNICIAN


@pytest.mark.parametrize("disruption, keeper", [(0, "u"), (5000, "t")])
def test_the_disruption_weight_keeps_an_order_with_its_current_technician(
    disruption: int, keeper: str
):
    # u sits right by the order; t has it on his route (unlocked) and must drive 60 minutes
    _, plan = solve([tech("t", x=-30, route=[{"order_id": "a"}]), tech("u", x=25)],
                    [order("a", 30)], weights={"disruption": disruption})
    assert stops(plan, keeper) == ["a"]


@pytest.mark.parametrize("balance, busiest", [(0, 4), (50, 2)])
def test_the_balance_weight_spreads_the_service_minutes(balance: int, busiest: int):
    # both start at 0; "u" is one minute further from every order, so alone travel favours "t"
    techs = [tech("t"), tech("u", y=1)]
    orders = [order(f"o{k}", 10 + k, duration=60) for k in range(4)]
    _, plan = solve(techs, orders, weights={"balance": balance})
    assert max(len(r.stops) for r in plan.routes) == busiest


def test_a_portfolio_on_two_cores_returns_the_better_of_its_searches():
    orders = [order(f"o{k}", (29 * k) % 60, (41 * k) % 50, duration=20) for k in range(15)]
    options = {"time_limit_seconds": 1, "deterministic": False, "workers": 2}
    problem, plan = solve([tech("t"), tech("u", x=30, y=30)], orders, options=options)
    assert plan.kpis.assigned == 15
