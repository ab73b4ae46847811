"""dispatchSolve: a problem sent as JSON is solved as is; a bad one comes back with every
offender as a payload error whose field is its path in the problem (snake_case, as sent)."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.dispatch import Plan, Problem, Recommendation
from tests.conftest import GraphQL, data_of
from tests.engine.dispatch.checker import check_plan

SOLVE = """
query Solve($input: DispatchSolveInput!) {
  dispatchSolve(input: $input) { result errors { field message code } }
}
"""


def technician(id: str, x: float, **extra: Any) -> dict[str, Any]:
    return {"id": id, "start": {"x": x, "y": 0}, "skills": {"washer": 3}, "shifts": [{"start": 0, "end": 600}], **extra}


def order(id: str, x: float, **extra: Any) -> dict[str, Any]:
    return {"id": id, "location": {"x": x, "y": 0}, "skill": "washer", "duration": 30,
            "windows": [{"start": 0, "end": 500}], **extra}


# Planar: two technicians at 0 and 100, an order near each.
PROBLEM = {
    "travel": {"kind": "euclidean"},
    "technicians": [technician("a", 0), technician("b", 100)],
    "orders": [order("near-a", 5), order("near-b", 95)],
    "options": {"time_limit_seconds": 2},
}


def solve(gql: GraphQL, problem: Any, mode: str) -> dict[str, Any]:
    return data_of(gql(SOLVE, {"input": {"problem": problem, "mode": mode}}))["dispatchSolve"]  # type: ignore[no-any-return]


def test_a_recommendation_is_computed_from_the_problem_alone(gql: GraphQL) -> None:
    payload = solve(gql, {**PROBLEM, "recommend_order": "near-b"}, "RECOMMEND")

    assert payload["errors"] == []
    found = Recommendation.model_validate(payload["result"])
    assert found.candidates[0].technician_id == "b"


@pytest.mark.parametrize("mode", ["ASSIGN", "ROUTE"])
def test_a_batch_plan_gives_each_order_its_nearest_technician(gql: GraphQL, mode: str) -> None:
    payload = solve(gql, PROBLEM, mode)

    assert payload["errors"] == []
    plan = Plan.model_validate(payload["result"])
    held = {s.order_id: r.technician_id for r in plan.routes for s in r.stops}
    assert held == {"near-a": "a", "near-b": "b"} and plan.kpis.unassigned == 0
    assert check_plan(Problem.model_validate(PROBLEM), plan, timing=mode == "ROUTE") == []


def test_fields_the_contract_refuses_are_listed_by_their_path(gql: GraphQL) -> None:
    # given an order without duration, one of zero minutes, an inverted window and an unknown travel kind
    problem = {
        **PROBLEM,
        "travel": {"kind": "teleport"},
        "orders": [
            {k: v for k, v in order("o1", 1).items() if k != "duration"},
            order("o2", 2, duration=0),
            order("o3", 3, windows=[{"start": 300, "end": 200}]),
        ],
    }

    payload = solve(gql, problem, "ASSIGN")

    assert payload["result"] is None
    assert sorted((e["field"], e["code"]) for e in payload["errors"]) == [
        ("input.problem.orders.0.duration", "REQUIRED"),
        ("input.problem.orders.1.duration", "OUT_OF_RANGE"),
        ("input.problem.orders.2.windows.0", "INVALID"),
        ("input.problem.travel.kind", "INVALID"),
    ]


def test_a_problem_that_does_not_hang_together_lists_every_offender(gql: GraphQL) -> None:
    # given a technician with no shift, an unknown skill, and an order pinned to someone who lacks its skill
    problem = {
        **PROBLEM,
        "technicians": [technician("a", 0, shifts=[]), technician("b", 100, skills={"washer": 1, "juggling": 2})],
        "orders": [order("o1", 1, pinned_technician="b", min_level=3)],
    }

    payload = solve(gql, problem, "ROUTE")

    assert payload["result"] is None
    assert sorted((e["field"], e["code"]) for e in payload["errors"]) == [
        ("input.problem.orders.0.pinned_technician", "INVALID"),
        ("input.problem.technicians.0.shifts", "REQUIRED"),
        ("input.problem.technicians.1.skills.juggling", "NOT_FOUND"),
    ]


@pytest.mark.parametrize("problem", [[1, 2], "a problem", {}])
def test_something_that_is_not_a_problem_is_refused_as_a_whole_or_by_its_missing_parts(gql: GraphQL,
                                                                                       problem: Any) -> None:
    payload = solve(gql, problem, "ASSIGN")

    assert payload["result"] is None and payload["errors"]
    assert all(e["field"].startswith("input.problem") for e in payload["errors"])


def test_recommend_without_the_order_to_place_says_so(gql: GraphQL) -> None:
    payload = solve(gql, PROBLEM, "RECOMMEND")

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("input.problem.recommend_order", "REQUIRED")]
