"""Explanations: each assigned order against its runner-up, each dropped order's reason."""

import pytest

from engine.dispatch.compiled import compile_problem
from engine.dispatch.explain import explain
from engine.dispatch.timeline import schedule
from engine.dispatch.validate import parse
from schemas.dispatch import UnassignedReason

SHIFT = [{"start": 480, "end": 1080}]


# A planar street: one distance unit = one minute, technicians and orders along x.
def tech(id, x=0, **extra):
    return {"id": id, "start": {"x": x, "y": 0}, "skills": {"washer": 3}, "shifts": SHIFT} | extra


def order(id, x, duration=60, **extra):
    return {"id": id, "location": {"x": x, "y": 0}, "duration": duration, "skill": "washer"} | extra


def compiled(technicians, orders, **extra):
    return compile_problem(parse({"travel": {"kind": "euclidean"}, "technicians": technicians,
                                  "orders": orders} | extra))


def plan_days(c, routes):
    """Days of the given technician id -> order ids routes (each checked feasible)."""
    days = []
    for tech_id, order_ids in routes.items():
        day = schedule(c, c.tech_index[tech_id], [c.order_index[o] for o in order_ids])
        assert day.feasible, day.violation
        days.append(day)
    return days


def explain_dropped(technicians, orders, routes, dropped="x", timed_out=False, **extra):
    c = compiled(technicians, orders, **extra)
    _, unassigned = explain(c, plan_days(c, routes), [c.order_index[dropped]], timed_out=timed_out)
    return unassigned[0]


def test_an_assigned_order_names_the_runner_up_and_both_scores():
    c = compiled([tech("near", 0), tech("far", 40)], [order("a", 10)])
    whys, unassigned = explain(c, plan_days(c, {"near": ["a"]}), [])
    why = whys[0]
    assert (why.technician_id, why.runner_up) == ("near", "far")
    assert why.score.travel == 20 and why.runner_up_score.travel == 60  # there and back
    assert why.eta == 490 and why.load_minutes == 60 and why.skill_level == 3
    assert why.distance_km == 10 and not why.locked and unassigned == []
    assert "far would add 60 travel minutes" in why.runner_up_reason


def test_without_another_skilled_technician_the_reason_says_so():
    c = compiled([tech("w", 0), tech("tv", 5, skills={"tv": 2})], [order("a", 10)])
    why = explain(c, plan_days(c, {"w": ["a"]}), [])[0][0]
    assert why.runner_up is None
    assert why.runner_up_reason == "no other technician has washer at level 1"


def test_without_room_elsewhere_the_reason_counts_the_full_days():
    c = compiled([tech("w", 0), tech("busy", 5, capacity_minutes=60)],
                 [order("a", 10), order("b", 6)])
    why = explain(c, plan_days(c, {"w": ["a"], "busy": ["b"]}), [])[0][0]
    assert why.runner_up is None
    assert why.runner_up_reason == "no other day has room (1 out of service minutes)"


def test_a_locked_stop_says_locked():
    technicians = [tech("w", 0, route=[{"order_id": "a", "locked": True}]), tech("v", 3)]
    c = compiled(technicians, [order("a", 10)])
    assert explain(c, plan_days(c, {"w": ["a"]}), [])[0][0].locked


@pytest.mark.parametrize(
    ("technicians", "orders", "routes", "timed_out", "reason", "words"),
    [
        ([tech("t", max_radius_km=5)], [order("x", 50, pinned_technician="t")], {}, False,
         UnassignedReason.PINNED_UNAVAILABLE, "pinned to t, who cannot take it: 50.0 km"),
        ([tech("t")], [order("x", 5, min_level=4)], {}, False,
         UnassignedReason.NO_SKILLED_TECHNICIAN, "no technician has washer at level 4"),
        ([tech("t", max_radius_km=20), tech("u", 100, max_radius_km=20)], [order("x", 50)], {},
         False, UnassignedReason.OUT_OF_RANGE, "the nearest, t, is 50.0 km away"),
        ([tech("t")], [order("x", 10, windows=[{"start": 400, "end": 450}])], {}, False,
         UnassignedReason.WINDOW_UNREACHABLE, "the earliest arrival is minute 490"),
        ([tech("t", capacity_minutes=100, route=[{"order_id": "a", "locked": True}])],
         [order("a", 5), order("x", 10)], {"t": ["a"]}, False,
         UnassignedReason.CAPACITY_FULL, "1 have fewer than 60 service minutes left"),
        ([tech("t", capacity_minutes=50)], [order("x", 10)], {}, False,
         UnassignedReason.CAPACITY_FULL, "no skilled technician's whole day has room"),
        ([tech("t", capacity_minutes=100)], [order("a", 5, priority=1), order("x", 10)],
         {"t": ["a"]}, False, UnassignedReason.LOST_TO_HIGHER_PRIORITY,
         "only by removing order a (priority 1; this one 3)"),
        ([tech("t")], [order("x", 10)], {}, False, UnassignedReason.NOT_WORTH_IT,
         "left it out: t could still take it at position 0 (+20 travel minutes, cost 400"),
        ([tech("t", x=-200)], [order("x", 10, priority=5)], {}, False,
         UnassignedReason.NOT_WORTH_IT, "its cost outweighs its penalty"),
        ([tech("t")], [order("x", 10)], {}, True, UnassignedReason.TIME_LIMIT,
         "the solver stopped at its time limit; t could still take it"),
        ([tech("t", capacity_minutes=100)], [order("a", 5, priority=5), order("x", 10)],
         {"t": ["a"]}, True, UnassignedReason.TIME_LIMIT, "could take it instead of order a"),
    ],
    ids=["pinned", "no-skill", "radius", "window", "locked-full", "too-long", "displaced",
         "left-out", "not-worth-it", "time-limit", "time-limit-swap"],
)
def test_a_dropped_order_gets_its_most_specific_reason(
    technicians, orders, routes, timed_out, reason, words
):
    # travel at 20 a minute: 420 minutes there and back cost more than a priority-5 penalty
    weights = {"travel_per_minute": 20}
    why = explain_dropped(technicians, orders, routes, timed_out=timed_out, weights=weights)
    assert why.reason is reason
    assert words in why.detail


def test_a_shift_with_no_time_left_is_a_full_day():
    # the only technician's day is full of a locked visit until the shift ends
    technicians = [tech("t", shifts=[{"start": 480, "end": 600}],
                        route=[{"order_id": "a", "locked": True}])]
    why = explain_dropped(technicians, [order("a", 5, duration=100), order("x", 5)], {"t": ["a"]})
    assert why.reason is UnassignedReason.CAPACITY_FULL
    assert "1 have no time left in the shift" in why.detail


def test_a_day_that_breaks_a_rule_still_explains_every_stop():
    # the second window has closed by the time he gets there: a relaxed day keeps both stops
    c = compiled([tech("t", 0)], [order("a", 10), order("b", 20, windows=[
        {"start": 480, "end": 500}])])
    day = schedule(c, 0, [c.order_index["a"], c.order_index["b"]], relaxed=True)
    assert not day.feasible
    whys, _ = explain(c, [day], [])
    assert [w.order_id for w in whys] == ["a", "b"]


def test_a_runner_up_with_a_lower_score_is_called_out():
    # the plan put a with the far technician (say, to keep the near one free): explained as is
    c = compiled([tech("near", 0), tech("far", 40)], [order("a", 10)])
    why = explain(c, plan_days(c, {"far": ["a"]}), [])[0][0]
    assert why.runner_up == "near" and why.runner_up_score.total < why.score.total
    assert "lower, but not the better plan as a whole" in why.runner_up_reason


def test_the_same_plan_is_explained_the_same_way():
    technicians = [tech(f"t{i}", i * 9, capacity_minutes=120) for i in range(4)]
    orders = [order(f"o{j}", j * 5, priority=1 + j % 5) for j in range(12)]
    c = compiled(technicians, orders)
    routes = {f"t{i}": [f"o{j}" for j in (2 * i, 2 * i + 1)] for i in range(4)}
    dropped = [c.order_index[f"o{j}"] for j in range(8, 12)]
    first, second = (explain(c, plan_days(c, routes), dropped) for _ in range(2))
    assert first == second and len(first[0]) == 8 and len(first[1]) == 4


def test_a_break_that_closes_the_only_window_makes_it_unreachable():
    # break-free he would arrive at 490, inside the window; the break (480–540) comes first or
    # cannot come after the visit at all, so no day of his keeps it
    brk = {"earliest": 480, "latest": 480, "duration": 60}
    why = explain_dropped([tech("t", **{"break": brk})],
                          [order("x", 10, windows=[{"start": 490, "end": 500}])], {})
    assert why.reason is UnassignedReason.WINDOW_UNREACHABLE


def test_a_technician_with_a_break_can_be_the_one_whose_order_displaced_it():
    brk = {"earliest": 480, "latest": 600, "duration": 30}
    technicians = [tech("near", 0, capacity_minutes=100),
                   tech("brk", 5, capacity_minutes=100, **{"break": brk})]
    orders = [order("a", 10, priority=5), order("b", 6, priority=2), order("x", 7)]
    c = compiled(technicians, orders)
    whys, unassigned = explain(c, plan_days(c, {"near": ["a"], "brk": ["b"]}),
                               [c.order_index["x"]])
    assert [w.runner_up for w in whys] == [None, None]  # both days are full
    # x fits without a (priority 5, lower) or without b (priority 2, higher): b is named
    assert unassigned[0].reason is UnassignedReason.LOST_TO_HIGHER_PRIORITY
    assert "brk's day only by removing order b (priority 2" in unassigned[0].detail


def test_a_technician_with_a_break_can_be_the_runner_up():
    brk = {"earliest": 480, "latest": 600, "duration": 30}
    c = compiled([tech("near", 0), tech("brk", 20, **{"break": brk})], [order("a", 10)])
    why = explain(c, plan_days(c, {"near": ["a"]}), [])[0][0]
    assert why.runner_up == "brk" and why.runner_up_score.travel == 20
