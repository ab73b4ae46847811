"""Visit order of an assigned day: locked stops first, then the soonest start; a day that
cannot keep its time rules keeps every stop, relaxed, and names the broken rule."""

from __future__ import annotations

from engine.dispatch.compiled import compile_problem
from engine.dispatch.day_order import _soonest_first, build_days, day_of
from engine.dispatch.timeline import schedule
from engine.dispatch.validate import parse


def compiled(orders, **technician):
    return compile_problem(
        parse(
            {
                "travel": {"kind": "euclidean"},
                "technicians": [
                    {
                        "id": "t",
                        "start": {"x": 0, "y": 0},
                        "skills": {},
                        "shifts": [{"start": 480, "end": 1080}],
                    }
                    | technician
                ],
                "orders": [{"id": f"o{k}", "duration": 30} | o for k, o in enumerate(orders)],
            }
        )
    )


def test_windows_decide_first_and_the_drive_breaks_ties():
    c = compiled(
        [
            {"location": {"x": 50, "y": 0}, "windows": [{"start": 700, "end": 800}]},
            {"location": {"x": 80, "y": 0}},
            {"location": {"x": 20, "y": 0}},
        ]
    )
    day = day_of(c, 0, [0, 1, 2], [])
    assert [v.order for v in day.visits] == [2, 1, 0] and day.feasible


def test_locked_stops_lead_in_their_given_order():
    c = compiled(
        [
            {"location": {"x": 5, "y": 0}},
            {"location": {"x": 90, "y": 0}},
            {"location": {"x": 50, "y": 0}},
        ]
    )
    assert [v.order for v in day_of(c, 0, [0, 1, 2], [1, 2]).visits] == [1, 2, 0]


def test_an_impossible_day_keeps_every_stop_and_says_which_rule_breaks():
    c = compiled(
        [
            {"location": {"x": 10, "y": 0}, "windows": [{"start": 500, "end": 500}]},
            {"location": {"x": 10, "y": 0}, "windows": [{"start": 500, "end": 500}]},
        ]
    )
    day = day_of(c, 0, [0, 1], [])
    assert len(day.visits) == 2 and "windows" in day.violation


def test_the_relaxed_timeline_goes_on_where_the_strict_one_stops():
    c = compiled(
        [
            {"location": {"x": 10, "y": 0}, "windows": [{"start": 400, "end": 450}]},
            {"location": {"x": 20, "y": 0}},
        ]
    )
    strict, relaxed = schedule(c, 0, [0, 1]), schedule(c, 0, [0, 1], relaxed=True)
    assert strict.visits == [] and "windows" in strict.violation
    assert [v.start for v in relaxed.visits] == [490, 530] and relaxed.violation == strict.violation


def test_every_technician_gets_a_day_even_an_empty_one():
    c = compiled([{"location": {"x": 10, "y": 0}}])
    days = build_days(c, {}, set())
    assert len(days) == 1 and days[0].visits == [] and days[0].feasible


def test_insertion_finds_a_feasible_order_where_soonest_and_deadline_first_do_not():
    # (x, window start, window end); a 480–900 shift, 30-minute visits, one unit a minute.
    stops = [(68, 609, 808), (23, 782, 809), (74, 665, 845), (35, 768, 905)]
    c = compiled(
        [{"location": {"x": x, "y": 0}, "windows": [{"start": a, "end": b}]} for x, a, b in stops],
        shifts=[{"start": 480, "end": 900}],
    )
    assert not schedule(c, 0, _soonest_first(c, 0, [], list(range(4)))).feasible
    by_deadline = sorted(range(4), key=lambda o: (stops[o][2], o))
    assert not schedule(c, 0, by_deadline).feasible
    day = day_of(c, 0, range(4), [])
    assert day.feasible and sorted(v.order for v in day.visits) == [0, 1, 2, 3]
