"""Several territories routed in parallel, each in its own process: plans come back in order,
identical to routing each alone (deterministic mode), and bad territories are all listed."""

from __future__ import annotations

from typing import Any

import pytest

from engine.dispatch.compiled import compile_problem
from engine.dispatch.route import route
from engine.dispatch.territories import route_territories
from engine.dispatch.validate import parse
from engine.errors import DomainError
from schemas.dispatch import Problem
from tests.engine.dispatch.checker import check_plan


def territory(name: str, shift: int, count: int) -> Problem:
    techs = [{"id": f"{name}-t{k}", "start": {"x": 10 * k, "y": 0}, "skills": {},
              "shifts": [{"start": 480, "end": 480 + shift}]} for k in range(2)]
    orders = [{"id": f"{name}-o{k}", "location": {"x": (31 * k) % 40, "y": (17 * k) % 25},
               "duration": 30,
               "windows": [{"start": 480 + 20 * (k % 5), "end": 700 + 30 * (k % 4)}]}
              for k in range(count)]
    return parse({"name": name, "travel": {"kind": "euclidean"}, "technicians": techs,
                  "orders": orders, "options": {"time_limit_seconds": 2, "deterministic": True}})


def test_each_territory_gets_its_plan_in_order_and_as_if_routed_alone():
    problems = [territory("north", 400, 12), territory("south", 300, 9), territory("east", 500, 6)]
    plans = route_territories(problems)
    assert [p.routes[0].technician_id for p in plans] == ["north-t0", "south-t0", "east-t0"]
    for problem, plan in zip(problems, plans):
        assert check_plan(problem, plan) == []
        alone = route(compile_problem(problem))
        assert [r.stops for r in plan.routes] == [r.stops for r in alone.routes]


def test_every_bad_territory_is_listed_under_its_index():
    good = territory("good", 400, 3)
    bad: dict[str, Any] = good.model_dump(by_alias=True)
    bad["orders"][0]["pinned_technician"] = "nobody"
    with pytest.raises(DomainError) as error:
        route_territories([good, bad, bad])
    assert [e.path[:2] for e in error.value.errors] == [("territories", 1), ("territories", 2)]


def test_no_territories_no_plans():
    assert route_territories([]) == []
