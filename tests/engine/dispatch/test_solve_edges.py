"""Degenerate problems through every mode: an answer with its reason, or a listed refusal,
never a crash."""

import pytest

from engine.dispatch.formats.solomon import read_solomon, solomon_problem
from engine.dispatch.solve import solve
from engine.errors import DomainError
from schemas.dispatch import Mode, Plan, Problem, Recommendation
from tests.engine.dispatch.checker import assert_feasible
from tests.engine.dispatch.solomon_data import solomon_file


def tech(**fields):
    return {"id": "t1", "start": {"x": 121.4, "y": 31.2}, "skills": {},
            "shifts": [{"start": 480, "end": 1080}]} | fields


def order(**fields):
    return {"id": "o1", "location": {"x": 121.41, "y": 31.21}, "duration": 30} | fields


# name, problem, the reason an unassigned o1 gets in the batch modes (None: it is assigned)
CASES = [
    ("no technicians", {"technicians": [], "orders": [order()]}, "no_skilled_technician"),
    ("empty skill catalogue", {"technicians": [tech()], "orders": [order()], "skills": []}, None),
    ("zero capacity", {"technicians": [tech(capacity_minutes=0)], "orders": [order()]},
     "capacity_full"),
    ("no jobs allowed", {"technicians": [tech(max_jobs=0)], "orders": [order()]}, "capacity_full"),
    ("zero-length shift", {"technicians": [tech(shifts=[{"start": 600, "end": 600}])],
                           "orders": [order()]}, "window_unreachable"),
    ("zero-width window", {"technicians": [tech()],
                           "orders": [order(windows=[{"start": 600, "end": 600}])]}, None),
    ("order at the depot", {"technicians": [tech()],
                            "orders": [order(location={"x": 121.4, "y": 31.2})]}, None),
    ("other hemisphere", {"technicians": [tech()],
                          "orders": [order(location={"x": -70, "y": -40})]}, "window_unreachable"),
    ("outside the radius", {"technicians": [tech(max_radius_km=0.001)], "orders": [order()]},
     "out_of_range"),
    ("parts over capacity", {"technicians": [tech(parts_capacity=0)],
                             "orders": [order(parts_volume=5)]}, "capacity_full"),
    ("break fills the day", {"technicians": [tech(**{"break": {"earliest": 480, "latest": 480,
                                                               "duration": 600}})],
                             "orders": [order()]}, "window_unreachable"),
    ("matrix travel", {"technicians": [tech(start={"node": 0})],
                       "orders": [order(location={"node": 1})],
                       "travel": {"kind": "matrix", "minutes": [[0, 5], [5, 0]]}}, None),
]


@pytest.mark.parametrize("mode", [Mode.ASSIGN, Mode.ROUTE])
@pytest.mark.parametrize(("name", "problem", "reason"), CASES, ids=[c[0] for c in CASES])
def test_batch_modes_answer_degenerate_problems(name, problem, reason, mode):
    data = problem | {"options": {"time_limit_seconds": 1}}
    plan = solve(data, mode)
    assert isinstance(plan, Plan)
    assert [u.reason.value for u in plan.unassigned] == ([] if reason is None else [reason])
    assert_feasible(Problem.model_validate(data), plan)


@pytest.mark.parametrize(("name", "problem", "reason"), CASES, ids=[c[0] for c in CASES])
def test_recommend_answers_degenerate_problems(name, problem, reason):
    found = solve(problem | {"recommend_order": "o1"}, Mode.RECOMMEND)
    assert isinstance(found, Recommendation)
    assert bool(found.candidates) == (reason is None)


def test_an_empty_problem_is_an_empty_plan_and_recommend_needs_its_order():
    assert solve({"technicians": [], "orders": []}, Mode.ROUTE).kpis.assigned == 0
    with pytest.raises(DomainError) as caught:
        solve({"technicians": [tech()], "orders": []}, Mode.RECOMMEND)
    assert [e.path for e in caught.value.errors] == [("recommend_order",)]



def test_a_plan_says_when_the_clock_cut_its_search():
    data = solomon_problem(read_solomon(solomon_file("C101"))).model_dump(by_alias=True)
    cut = solve(data | {"options": {"time_limit_seconds": 0.5}}, Mode.ROUTE)
    assert cut.kpis.cut_by_clock  # 100 orders: no local optimum in half a second
    small = solve(CASES[1][1] | {"options": {"time_limit_seconds": 5}}, Mode.ASSIGN)
    assert small.kpis.solver_status.value == "optimal" and not small.kpis.cut_by_clock
