"""Reading Solomon VRPTW files: the scale that makes truncated-to-one-decimal distances exact,
vehicles and capacities, and the best-known routes feasible and costed as published."""

from __future__ import annotations

import pytest

from engine.dispatch.compiled import compile_problem
from engine.dispatch.formats.solomon import (
    parse_solomon,
    read_solomon,
    read_solution,
    solomon_problem,
    solution_days,
)
from engine.dispatch.plan import total_distance
from engine.errors import DomainError
from tests.engine.dispatch.solomon_data import BEST_KNOWN, solomon_file

TINY = """T1

VEHICLE
NUMBER     CAPACITY
  2         50

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0          0          0          0        100          0
    1      3          4         10          5         20          2
    2      1          1         60          0         50          0
"""


def test_a_file_becomes_vehicles_at_the_depot_and_customers_with_windows_in_tenths():
    problem = solomon_problem(parse_solomon(TINY, "T1"))
    assert [t.id for t in problem.technicians] == ["v1", "v2"]
    v1 = problem.technicians[0]
    assert (v1.start.x, v1.start.y, v1.parts_capacity) == (0, 0, 50)
    assert (v1.shifts[0].start, v1.shifts[0].end) == (0, 1000)
    c1 = problem.orders[0]
    assert (c1.id, c1.parts_volume, c1.duration) == ("c1", 10, 20)
    assert (c1.windows[0].start, c1.windows[0].end) == (50, 200)
    assert problem.orders[1].duration == 1  # a zero service time is still a one-minute visit
    assert problem.travel.units_per_minute == pytest.approx(0.1)


def test_travel_minutes_are_the_distance_truncated_to_one_decimal():
    c = compile_problem(solomon_problem(parse_solomon(TINY, "T1")))
    minutes, _ = c.travel.legs(c.start_place(0), c.order_place(c.order_index["c1"]))
    assert int(minutes) == 50  # 5.0 exactly
    minutes, _ = c.travel.legs(c.start_place(0), c.order_place(c.order_index["c2"]))
    assert int(minutes) == 14  # √2 = 1.414… → 1.4


@pytest.mark.parametrize("text, where", [
    ("T\nCUSTOMER\n0 0 0 0 0 1 0\n", "VEHICLE"),
    ("T\nVEHICLE\n2 50\nCUSTOMER\n0 0 0 0 0 100 0\n1 3 4 x 5 20 2\n", "line"),
    ("T\nVEHICLE\n2 50\nCUSTOMER\n1 0 0 0 0 100 0\n", "depot"),
])
def test_a_malformed_file_is_refused_with_where(text: str, where: str):
    with pytest.raises(DomainError) as error:
        parse_solomon(text, "T")
    assert where in str(error.value)


@pytest.mark.parametrize("name", sorted(BEST_KNOWN))
def test_the_best_known_routes_are_feasible_and_cost_what_was_published(name: str):
    instance = read_solomon(solomon_file(name))
    solution = read_solution(solomon_file(name, ".sol"))
    best, routes = BEST_KNOWN[name]
    assert (instance.vehicles, len(instance.customers)) == (25, 100)
    assert len(solution.routes) == routes and solution.cost == best
    c = compile_problem(solomon_problem(instance))
    days = solution_days(c, solution)
    assert [d.violation for d in days if not d.feasible] == []
    assert sorted(v.order for d in days for v in d.visits) == list(range(100))
    assert total_distance(c, days) == best
