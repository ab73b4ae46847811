"""Per-pair facts of the batch assignment: who can take what at all, and what it would cost."""

from __future__ import annotations

from typing import Any

from engine.dispatch.compiled import compile_problem
from engine.dispatch.pairs import pair_facts
from engine.dispatch.validate import parse


def facts_of(orders: list[dict[str, Any]], **technician: Any):
    problem = parse(
        {
            "travel": {"kind": "euclidean"},
            "technicians": [
                {
                    "id": "t",
                    "start": {"x": 0, "y": 0},
                    "skills": {},
                    "shifts": [{"start": 480, "end": 720}],
                }
                | technician
            ],
            "orders": [
                {"id": f"o{k}", "location": {"x": 10, "y": 0}, "duration": 30} | o
                for k, o in enumerate(orders)
            ],
        }
    )
    return pair_facts(compile_problem(problem))


def test_an_order_is_eligible_only_where_a_window_meets_a_shift_with_the_drives():
    facts = facts_of(
        [
            {"windows": [{"start": 600, "end": 650}]},  # inside the shift
            {"windows": [{"start": 800, "end": 900}]},  # after the shift
            {"windows": [{"start": 300, "end": 485}]},  # closes before he can arrive (490)
            {"windows": [{"start": 685, "end": 700}]},  # ends at 715, home at 725: too late
        ]
    )
    assert facts.eligible[0].tolist() == [True, False, False, False]


def test_the_second_shift_can_hold_what_the_first_cannot():
    facts = facts_of(
        [{"windows": [{"start": 800, "end": 900}]}],
        shifts=[{"start": 480, "end": 600}, {"start": 780, "end": 960}],
    )
    assert facts.eligible[0, 0]


def test_radius_minutes_and_parts_limit_the_pairs():
    assert not facts_of([{}], max_radius_km=5).eligible[0, 0]
    assert not facts_of([{"duration": 200}], capacity_minutes=100).eligible[0, 0]
    assert not facts_of([{"parts_volume": 3}], parts_capacity=2).eligible[0, 0]
    assert facts_of([{"parts_volume": 2}], parts_capacity=2).eligible[0, 0]


def test_round_trip_and_earliest_lateness_are_estimated_per_pair():
    facts = facts_of([{"sla_deadline": 500}, {"location": {"x": 30, "y": 40}}])
    assert facts.round_trip[0].tolist() == [20, 100]
    assert facts.late[0].tolist() == [490 + 30 - 500, 0]


def test_each_visit_takes_its_service_and_the_shortest_drive_in_of_the_day():
    facts = facts_of([{"location": {"x": 100, "y": 0}}, {"location": {"x": 104, "y": 0}}])
    assert facts.day_minutes[0].tolist() == [30 + 4, 30 + 4]
    assert facts.day_length.tolist() == [240]


def test_a_locked_stop_is_eligible_where_it_is_locked_and_widens_his_limits():
    facts = facts_of(
        [{"skill": "washer", "duration": 300}], route=[{"order_id": "o0", "locked": True}]
    )
    assert facts.eligible[0, 0] and facts.locked_on == {0: 0}
    assert facts.capacity[0] >= 300 and facts.fits({0: 0}) and not facts.fits({})
