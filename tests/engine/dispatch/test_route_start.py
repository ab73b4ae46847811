"""The routing warm start: cheapest insertion completes the current routes within timeline's
rules (and the model's stricter one: no driving through a gap between shifts)."""

from __future__ import annotations

import numpy as np

from engine.dispatch.compiled import compile_problem
from engine.dispatch.route import Layout
from engine.dispatch.route_start import complete, drives_in_a_gap
from engine.dispatch.timeline import schedule
from engine.dispatch.validate import parse

SPLIT = [{"start": 480, "end": 600}, {"start": 700, "end": 1000}]


def problem(orders, **tech):
    return compile_problem(parse({
        "travel": {"kind": "euclidean"},
        "technicians": [{"id": "t", "start": {"x": 0, "y": 0}, "skills": {},
                         "shifts": [{"start": 480, "end": 1080}]} | tech,
                        {"id": "u", "start": {"x": 100, "y": 0}, "skills": {},
                         "shifts": [{"start": 480, "end": 1080}]}],
        "orders": [{"id": f"o{k}", "location": {"x": x, "y": 0}, "duration": 60} | extra
                   for k, (x, extra) in enumerate(orders)],
    }))


def test_insertion_places_every_order_that_fits_and_keeps_the_current_route():
    c = problem([(10, {}), (90, {}), (20, {}), (95, {"priority": 1})])
    routes = complete(c, [[0], []], np.ones((2, 4), dtype=bool), range(4), budget_seconds=5)
    assert sorted(o for seq in routes for o in seq) == [0, 1, 2, 3]
    assert set(routes[0]) == {0, 2} and set(routes[1]) == {1, 3}  # each near its technician
    assert all(schedule(c, t, seq).feasible for t, seq in enumerate(routes))


def test_insertion_respects_who_may_take_what():
    c = problem([(95, {}), (96, {})])
    eligible = np.array([[True, True], [False, False]])
    routes = complete(c, [[], []], eligible, range(2), budget_seconds=5)
    assert sorted(routes[0]) == [0, 1] and routes[1] == []


def test_driving_through_a_gap_between_shifts_is_told_apart():
    c = problem([(5, {}), (80, {"windows": [{"start": 700, "end": 900}]})], shifts=SPLIT)
    # o0 ends at 545; the 75-minute drive ends at 620, inside the gap 600–700
    drives = schedule(c, 0, [0, 1])
    assert drives.feasible and drives_in_a_gap(c, drives)
    # from the start straight to o1 at 80: he can arrive by 600 and wait for the second shift
    waits = schedule(c, 0, [1])
    assert waits.feasible and not drives_in_a_gap(c, waits)
    assert Layout(c).orders == [0, 1]
