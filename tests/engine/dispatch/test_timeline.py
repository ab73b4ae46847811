"""The day's time rules: waiting for windows, shifts, the break, capacity, lateness."""

from engine.dispatch.compiled import compile_problem
from engine.dispatch.timeline import schedule
from engine.dispatch.validate import parse


# A planar street: one distance unit = one minute, technician at 0, orders along x.
def day_of(orders, **technician):
    problem = parse({
        "travel": {"kind": "euclidean"},
        "technicians": [{"id": "t", "start": {"x": 0, "y": 0}, "skills": {},
                         "shifts": [{"start": 480, "end": 1080}]} | technician],
        "orders": [{"id": f"o{i}", "location": {"x": x, "y": 0}, "duration": d} | extra
                   for i, (x, d, extra) in enumerate(orders)],
    })
    c = compile_problem(problem)
    return schedule(c, 0, list(range(len(orders))))


def test_an_early_arrival_waits_for_the_window():
    day = day_of([(10, 60, {"windows": [{"start": 540, "end": 600}]})])
    visit = day.visits[0]
    assert (visit.arrival, visit.start, visit.end) == (490, 540, 600)
    assert day.back == 610 and day.travel_minutes == 20 and day.feasible


def test_a_window_that_closed_makes_the_day_infeasible():
    day = day_of([(10, 60, {"windows": [{"start": 400, "end": 450}]})])
    assert not day.feasible and "windows" in day.violation


def test_a_visit_that_does_not_fit_the_first_shift_waits_for_the_second():
    day = day_of([(10, 120, {})], shifts=[{"start": 480, "end": 540}, {"start": 600, "end": 900}])
    assert day.visits[0].start == 600 and day.feasible


def test_the_break_comes_between_visits_and_by_its_latest_start():
    day = day_of([(10, 240, {}), (20, 60, {})],
                 **{"break": {"earliest": 700, "latest": 760, "duration": 30}})
    assert day.break_start == 730  # first visit ends at 730
    assert day.visits[1].start == 730 + 30 + 10


def test_lateness_is_reported_not_refused():
    day = day_of([(10, 60, {"sla_deadline": 520})])
    assert day.feasible and day.visits[0].late_minutes == 30


def test_capacity_minutes_and_max_jobs_bound_the_day():
    assert "capacity" in day_of([(1, 60, {}), (2, 60, {})], capacity_minutes=100).violation
    assert "max jobs" in day_of([(1, 10, {}), (2, 10, {})], max_jobs=1).violation


def test_the_day_must_end_at_home_by_the_shift_end():
    day = day_of([(100, 480, {})])
    assert not day.feasible and "after the shift ends" in day.violation


def test_the_break_comes_before_a_visit_that_would_end_after_its_latest_start():
    # the first visit ends at 590, before the earliest start; the next would end at 692 > 650
    day = day_of([(10, 100, {}), (11, 100, {})],
                 **{"break": {"earliest": 600, "latest": 650, "duration": 30}})
    assert day.feasible and day.break_start == 600
    assert day.visits[1].start == 600 + 30 + 1


def test_the_break_waits_past_a_visit_whose_window_it_would_close():
    # at 730 the break is due, but taken there it closes b's window (735–745): b comes first
    day = day_of([(10, 240, {"windows": [{"start": 490, "end": 490}]}),
                  (15, 30, {"windows": [{"start": 735, "end": 745}]})],
                 **{"break": {"earliest": 720, "latest": 900, "duration": 30}})
    assert day.feasible and day.visits[1].start == 735 and day.break_start == 765
