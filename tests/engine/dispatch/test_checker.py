"""The independent checker: a hand-made feasible plan passes, and breaking any one rule fails
it with a message naming that rule."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.dispatch.compiled import compile_problem
from engine.dispatch.plan import build_plan
from engine.dispatch.timeline import schedule
from engine.dispatch.validate import parse
from schemas.dispatch import (
    Kpis,
    Mode,
    Plan,
    Problem,
    Route,
    ScoreTerms,
    SolverStatus,
    Stop,
    Unassigned,
    UnassignedReason,
    Why,
)
from tests.engine.dispatch.checker import assert_feasible, check_plan

# A planar street, one unit a minute, legs of whole units (3-4-5 triangles):
# t1 at (0,0) visits o1 (30,40) → o2 (30,0) → o3 (30,-40) and drives back; his break comes
# after o3. t2 at (100,0), ending at (100,30), visits o4 (100,40) → o5 (100,70) across a
# split shift. Nobody can do o6 (refrigerator).
PROBLEM: dict[str, Any] = {
    "travel": {"kind": "euclidean"},
    "technicians": [
        {"id": "t1", "start": {"x": 0, "y": 0}, "skills": {"washer": 2, "air_conditioner": 1},
         "shifts": [{"start": 480, "end": 1020}],
         "break": {"earliest": 720, "latest": 780, "duration": 30},
         "capacity_minutes": 300, "max_jobs": 3, "parts_capacity": 10,
         "route": [{"order_id": "o1", "locked": True}, {"order_id": "o2"},
                   {"order_id": "o3", "locked": True}]},
        {"id": "t2", "start": {"x": 100, "y": 0}, "end": {"x": 100, "y": 30}, "skills": {"tv": 1},
         "shifts": [{"start": 480, "end": 720}, {"start": 780, "end": 1080}]},
    ],
    "orders": [
        {"id": "o1", "location": {"x": 30, "y": 40}, "skill": "washer", "min_level": 2, "duration": 60,
         "windows": [{"start": 480, "end": 600}], "sla_deadline": 700, "parts_volume": 4},
        {"id": "o2", "location": {"x": 30, "y": 0}, "skill": "air_conditioner", "duration": 45,
         "windows": [{"start": 600, "end": 660}, {"start": 840, "end": 900}], "priority": 1,
         "parts_volume": 3},
        {"id": "o3", "location": {"x": 30, "y": -40}, "skill": "washer", "duration": 70,
         "sla_deadline": 760, "parts_volume": 2},
        {"id": "o4", "location": {"x": 100, "y": 40}, "skill": "tv", "duration": 200,
         "pinned_technician": "t2"},
        {"id": "o5", "location": {"x": 100, "y": 70}, "duration": 60,
         "windows": [{"start": 700, "end": 800}]},
        {"id": "o6", "location": {"x": 50, "y": 50}, "skill": "refrigerator", "duration": 30},
    ],
    "duration": {"t1": {"o3": 50}},  # t1 is quicker than the order's default 70 minutes
}

ROUTES = {  # (order, arrival, start, end, travel minutes, late minutes), worked out by hand
    "t1": [("o1", 530, 530, 590, 50, 0), ("o2", 630, 630, 675, 40, 0), ("o3", 715, 715, 765, 40, 5)],
    "t2": [("o4", 520, 520, 720, 40, 0), ("o5", 750, 780, 840, 30, 0)],
}
DAYS = {"t1": (480, 845, 180, 155, 0.5167), "t2": (480, 880, 110, 260, 0.5417)}  # leave, back, …
LOCKED = {"o1", "o3"}


def score(travel: float) -> ScoreTerms:
    return ScoreTerms(travel=travel, lateness=0, balance=0, disruption=0, total=travel)


def hand_made_plan() -> Plan:
    routes = []
    for tech, stops in ROUTES.items():
        leave, back, travel, service, utilisation = DAYS[tech]
        routes.append(Route(
            technician_id=tech,
            stops=[Stop(order_id=o, arrival=a, start=s, end=e, travel_minutes=m, travel_km=m,
                        late_minutes=late, locked=o in LOCKED) for o, a, s, e, m, late in stops],
            start=leave, end=back, travel_minutes=travel, travel_km=travel, service_minutes=service,
            utilisation=utilisation,
        ))
    whys = [Why(order_id=o, technician_id=tech, skill_level=1, distance_km=m, eta=a, load_minutes=0,
                score=score(m)) for tech, stops in ROUTES.items() for o, a, _, _, m, _ in stops]
    return Plan(
        mode=Mode.ROUTE, routes=routes, assignments=whys,
        unassigned=[Unassigned(order_id="o6", reason=UnassignedReason.NO_SKILLED_TECHNICIAN,
                               detail="nobody repairs refrigerators")],
        kpis=Kpis(assigned=5, unassigned=1, total_travel_km=290, total_travel_minutes=290,
                  on_time_share=0.8, utilisation={"t1": 0.5167, "t2": 0.5417},
                  solver_status=SolverStatus.FEASIBLE, wall_seconds=0.0),
        seed=0,
    )


# --- mutations: each breaks one rule --------------------------------------------------------


def problem_with(change: Callable[[dict[str, Any]], None]) -> Problem:
    data = _copy(PROBLEM)
    change(data)
    return parse(data)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def tech(data: dict[str, Any], tech_id: str) -> dict[str, Any]:
    return next(t for t in data["technicians"] if t["id"] == tech_id)


def order(data: dict[str, Any], order_id: str) -> dict[str, Any]:
    return next(o for o in data["orders"] if o["id"] == order_id)


def route_of(plan: Plan, tech_id: str, /, **changes: Any) -> Plan:
    routes = [r.model_copy(update=changes) if r.technician_id == tech_id else r for r in plan.routes]
    return plan.model_copy(update={"routes": routes})


def stop_of(plan: Plan, which: str, /, **changes: Any) -> Plan:
    routes = [r.model_copy(update={"stops": [s.model_copy(update=changes) if s.order_id == which else s
                                             for s in r.stops]}) for r in plan.routes]
    return plan.model_copy(update={"routes": routes})


def kpis_of(plan: Plan, **changes: Any) -> Plan:
    return plan.model_copy(update={"kpis": plan.kpis.model_copy(update=changes)})


def move_stop(plan: Plan, order_id: str, to: str) -> Plan:
    moved = next(s for r in plan.routes for s in r.stops if s.order_id == order_id)
    routes = [r.model_copy(update={"stops": [s for s in r.stops if s.order_id != order_id]
                                   + ([moved] if r.technician_id == to else [])}) for r in plan.routes]
    return plan.model_copy(update={"routes": routes})


Mutation = Callable[[Problem, Plan], tuple[Problem, Plan]]


def on_problem(change: Callable[[dict[str, Any]], None]) -> Mutation:
    return lambda _, plan: (problem_with(change), plan)


def on_plan(change: Callable[[Plan], Plan]) -> Mutation:
    return lambda problem, plan: (problem, change(plan))


MUTATIONS: list[tuple[str, str, Mutation]] = [
    ("an order on two routes", "duplicate",
     on_plan(lambda p: route_of(p, "t2", stops=[*p.routes[1].stops, p.routes[0].stops[0]]))),
    ("an order routed and unassigned", "duplicate",
     on_plan(lambda p: p.model_copy(update={"unassigned": [*p.unassigned, Unassigned(
         order_id="o5", reason=UnassignedReason.CAPACITY_FULL, detail="")]}))),
    ("an unknown order", "unknown", on_plan(lambda p: stop_of(p, "o5", order_id="o99"))),
    ("an unknown technician", "unknown", on_plan(lambda p: route_of(p, "t2", technician_id="t9"))),
    ("a missing skill", "skill", on_problem(lambda d: tech(d, "t1")["skills"].pop("air_conditioner"))),
    ("a level too low", "level", on_problem(lambda d: order(d, "o1").update(min_level=3))),
    ("a pin elsewhere", "pin", on_problem(lambda d: order(d, "o5").update(pinned_technician="t1"))),
    ("a locked stop moved away", "lock",
     on_problem(lambda d: tech(d, "t2").update(route=[{"order_id": "o2", "locked": True}]) or
                tech(d, "t1").update(route=[]))),
    ("locked stops reordered", "lock",
     on_problem(lambda d: tech(d, "t1").update(route=[{"order_id": "o3", "locked": True},
                                                      {"order_id": "o1", "locked": True}]))),
    ("a locked stop not marked", "lock", on_plan(lambda p: stop_of(p, "o1", locked=False))),
    ("a free stop marked locked", "lock", on_plan(lambda p: stop_of(p, "o5", locked=True))),
    ("a start outside the windows", "window",
     on_problem(lambda d: order(d, "o2").update(windows=[{"start": 600, "end": 620}]))),
    ("a visit across a shift's end", "shift",
     on_problem(lambda d: tech(d, "t2").update(shifts=[{"start": 480, "end": 700}, {"start": 780, "end": 1080}]))),
    ("leaving before the shift", "leave",
     on_problem(lambda d: tech(d, "t2").update(shifts=[{"start": 500, "end": 720}, {"start": 780, "end": 1080}]))),
    ("back after the shift", "return",
     on_problem(lambda d: tech(d, "t1")["shifts"][0].update(end=840))),
    ("back too soon", "return", on_plan(lambda p: route_of(p, "t2", end=870))),
    ("arriving faster than the drive", "travel", on_plan(lambda p: stop_of(p, "o2", arrival=620))),
    ("starting before arriving", "travel", on_plan(lambda p: stop_of(p, "o5", start=740, end=800))),
    ("a leg's minutes misreported", "travel", on_plan(lambda p: stop_of(p, "o4", travel_minutes=41))),
    ("idling before a drive without a break", "arrival",
     on_plan(lambda p: stop_of(p, "o5", arrival=760))),
    ("a second idle gap beside the break", "arrival",
     on_plan(lambda p: route_of(stop_of(p, "o3", arrival=716, start=716, end=766, late_minutes=6), "t1", end=846))),
    ("a break starting too late", "break", on_problem(lambda d: tech(d, "t1")["break"].update(latest=740))),
    ("a break too long for the gap", "break", on_problem(lambda d: tech(d, "t1")["break"].update(duration=40))),
    ("service shorter than the order", "service", on_plan(lambda p: stop_of(p, "o4", end=700))),
    ("the override ignored", "service", on_problem(lambda d: d.pop("duration"))),
    ("capacity minutes exceeded", "capacity", on_problem(lambda d: tech(d, "t1").update(capacity_minutes=150))),
    ("too many jobs", "jobs", on_problem(lambda d: tech(d, "t1").update(max_jobs=2))),
    ("parts over capacity", "parts", on_problem(lambda d: tech(d, "t1").update(parts_capacity=8))),
    ("route travel misreported", "totals", on_plan(lambda p: route_of(p, "t1", travel_minutes=181))),
    ("route km misreported", "totals", on_plan(lambda p: route_of(p, "t1", travel_km=170.0))),
    ("route service misreported", "totals", on_plan(lambda p: route_of(p, "t2", service_minutes=200))),
    ("lateness hidden", "lateness", on_plan(lambda p: stop_of(p, "o3", late_minutes=0))),
    ("assigned count wrong", "kpi", on_plan(lambda p: kpis_of(p, assigned=4))),
    ("unassigned count wrong", "kpi", on_plan(lambda p: kpis_of(p, unassigned=0))),
    ("on-time share wrong", "kpi", on_plan(lambda p: kpis_of(p, on_time_share=1.0))),
    ("total travel wrong", "kpi", on_plan(lambda p: kpis_of(p, total_travel_minutes=280))),
    ("an order dropped silently", "coverage",
     on_plan(lambda p: kpis_of(p.model_copy(update={"unassigned": []}), unassigned=0))),
    ("nobody skilled, though someone is", "reason",
     on_problem(lambda d: tech(d, "t2")["skills"].update(refrigerator=1))),
    ("pinned, though it is not", "reason",
     on_plan(lambda p: p.model_copy(update={"unassigned": [
         p.unassigned[0].model_copy(update={"reason": UnassignedReason.PINNED_UNAVAILABLE})]}))),
    ("an explanation missing", "why", on_plan(lambda p: p.model_copy(update={"assignments": p.assignments[1:]}))),
    ("an explanation on the wrong technician", "why",
     on_plan(lambda p: p.model_copy(update={"assignments": [
         p.assignments[0].model_copy(update={"technician_id": "t2"}), *p.assignments[1:]]}))),
]


def test_the_hand_made_plan_is_feasible() -> None:
    assert check_plan(parse(PROBLEM), hand_made_plan()) == []


def test_the_hand_made_plan_is_the_timeline_of_its_visit_orders() -> None:
    # Given the shared timeline (the engine's one definition of a day)
    c = compile_problem(parse(PROBLEM))
    days = [schedule(c, c.tech_index[t], [c.order_index[o] for o, *_ in stops]) for t, stops in ROUTES.items()]
    plan = build_plan(c, Mode.ROUTE, days, hand_made_plan().unassigned, hand_made_plan().assignments,
                      status=SolverStatus.FEASIBLE, objective=None, bound=None, wall_seconds=0)
    # then it schedules the visits exactly as worked out by hand, and the checker agrees
    assert all(d.feasible for d in days)
    assert plan.routes == hand_made_plan().routes
    assert check_plan(c.problem, plan) == []


@pytest.mark.parametrize(("case", "rule", "mutate"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_breaking_one_rule_is_named(case: str, rule: str, mutate: Mutation) -> None:
    problem, plan = mutate(parse(PROBLEM), hand_made_plan())
    errors = check_plan(problem, plan)
    assert any(e.startswith(f"{rule}: ") for e in errors), errors


def test_every_rule_is_covered_by_a_mutation() -> None:
    source = Path(__file__).with_name("checker.py").read_text(encoding="utf-8")
    named = set(re.findall(r'f"([a-z]+): ', source))
    assert len(named) > 20
    assert named - {rule for _, rule, _ in MUTATIONS} <= {"route", "radius"}  # tested below


def test_two_routes_for_one_technician_and_an_order_beyond_his_radius_fail() -> None:
    plan = hand_made_plan()
    doubled = plan.model_copy(update={"routes": [*plan.routes, plan.routes[1].model_copy(update={"stops": []})]})
    assert any(e.startswith("route: ") for e in check_plan(parse(PROBLEM), doubled))
    # Haversine: o1 is about 11 km from t1's start, beyond a 5 km radius.
    data = {
        "technicians": [{"id": "t1", "start": {"x": 121.40, "y": 31.20}, "skills": {},
                         "shifts": [{"start": 480, "end": 1080}], "max_radius_km": 5}],
        "orders": [{"id": "o1", "location": {"x": 121.50, "y": 31.25}, "duration": 30}],
    }
    c = compile_problem(parse(data))
    day = schedule(c, 0, [0])
    far = build_plan(c, Mode.ROUTE, [day], [], [Why(order_id="o1", technician_id="t1", skill_level=0,
                                                  distance_km=11, eta=0, load_minutes=0, score=score(0))],
                     status=SolverStatus.FEASIBLE, objective=None, bound=None, wall_seconds=0)
    errors = check_plan(c.problem, far)
    assert [e.split(":")[0] for e in errors] == ["radius"], errors


def test_assignment_plans_may_skip_the_time_rules() -> None:
    problem = problem_with(lambda d: order(d, "o2").update(windows=[{"start": 600, "end": 620}]))
    plan = hand_made_plan().model_copy(update={"mode": Mode.ASSIGN})
    assert any(e.startswith("window: ") for e in check_plan(problem, plan))
    assert check_plan(problem, plan, timing=False) == []
    assert_feasible(problem, plan)  # an assignment plan: time rules skipped by default
    with pytest.raises(AssertionError, match="window: "):
        assert_feasible(problem, plan.model_copy(update={"mode": Mode.ROUTE}))
    broken = problem_with(lambda d: tech(d, "t1").update(capacity_minutes=150))
    assert any(e.startswith("capacity: ") for e in check_plan(broken, plan, timing=False))


def test_the_checker_imports_nothing_of_the_engine() -> None:
    tree = ast.parse(Path(__file__).with_name("checker.py").read_text(encoding="utf-8"))
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any(m.startswith("engine") for m in modules), modules
