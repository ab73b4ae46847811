"""The realistic-day generator: its shape, its determinism, and that its days are valid and
plannable (locked routes keepable, a greedy plan passes the independent checker)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from benchmarks.dispatch_baseline import greedy_plan
from engine.dispatch.compiled import compile_problem
from engine.dispatch.synthetic import DISTRICTS, realistic_day
from engine.dispatch.timeline import schedule
from engine.dispatch.travel import haversine_km
from engine.dispatch.validate import check
from engine.errors import DomainError
from schemas.dispatch import Mode, Problem, TravelKind
from tests.engine.dispatch.checker import check_plan

MORNING, AFTERNOON = (480, 720), (780, 1080)
SLOTS = {(480, 600), (600, 720), (780, 900), (900, 1020), (1020, 1140)}


@pytest.fixture(scope="module")
def day() -> Problem:
    return realistic_day(600, 60, seed=11)


def test_a_day_has_the_asked_size_and_unique_ids(day: Problem) -> None:
    assert len(day.orders) == 600 and len(day.technicians) == 60
    assert len({o.id for o in day.orders}) == 600 and len({t.id for t in day.technicians}) == 60
    assert day.travel.kind is TravelKind.HAVERSINE and day.origin is not None
    assert day.origin.utcoffset().total_seconds() == 8 * 3600  # Shanghai time


def test_technicians_hold_one_to_three_skills_and_work_varied_shifts(day: Problem) -> None:
    assert all(
        1 <= len(t.skills) <= 3 and all(1 <= v <= 5 for v in t.skills.values())
        for t in day.technicians
    )
    assert {len(t.shifts) for t in day.technicians} == {1, 2}  # some split shifts
    with_break = [t for t in day.technicians if t.break_ is not None]
    assert 0 < len(with_break) < len(day.technicians)
    assert all(
        t.capacity_minutes <= sum(s.end - s.start for s in t.shifts) for t in day.technicians
    )
    assert any(t.parts_capacity is not None for t in day.technicians)
    assert any(t.max_jobs is not None for t in day.technicians)


def test_orders_have_durations_windows_priorities_and_deadlines_of_their_kind(day: Problem) -> None:
    assert all(30 <= o.duration <= 150 for o in day.orders)
    assert any(o.duration > 90 for o in day.orders) and any(o.duration < 60 for o in day.orders)
    for o in day.orders:
        spans = [(w.start, w.end) for w in o.windows]
        assert 1 <= len(spans) <= 2
        assert all(s in SLOTS or s in (MORNING, AFTERNOON) for s in spans), spans
    assert set(Counter(o.priority for o in day.orders)) == {1, 2, 3, 4, 5}
    assert 0.6 < sum(o.sla_deadline is not None for o in day.orders) / len(day.orders) < 0.95
    assert any(o.parts_volume > 0 for o in day.orders) and any(
        o.parts_volume == 0 for o in day.orders
    )
    assert sum(len(o.windows) == 2 for o in day.orders) > 0


def test_demand_is_clustered_inside_the_city(day: Problem) -> None:
    x = np.array([o.location.x for o in day.orders])
    y = np.array([o.location.y for o in day.orders])
    assert (121.2 < x).all() and (x < 121.8).all() and (30.9 < y).all() and (y < 31.5).all()
    distance = haversine_km(x[:, None], y[:, None], x[None, :], y[None, :])
    np.fill_diagonal(distance, np.inf)
    # Uniform over the city (~40 × 40 km) would put the nearest neighbour ~0.8 km away on average.
    assert np.median(distance.min(axis=1)) < 0.4
    nearest_district = np.argmin(
        [(x - d.longitude) ** 2 + (y - d.latitude) ** 2 for d in DISTRICTS], axis=0
    )
    assert len(set(nearest_district.tolist())) >= len(DISTRICTS) - 1


def test_some_orders_are_pinned_and_some_technicians_have_locked_routes(day: Problem) -> None:
    assert any(o.pinned_technician for o in day.orders)
    routed = [t for t in day.technicians if t.route]
    assert routed and all(t.route[0].locked for t in routed)


def test_a_day_is_valid_and_its_current_routes_are_feasible(day: Problem) -> None:
    check(day, Mode.ROUTE)  # raises on any offender
    c = compile_problem(day)
    for t, tech in enumerate(day.technicians):
        if tech.route:
            assert schedule(c, t, [c.order_index[s.order_id] for s in tech.route]).feasible, tech.id


def test_the_same_seed_gives_the_same_day_and_another_seed_another() -> None:
    assert realistic_day(200, 20, seed=3) == realistic_day(200, 20, seed=3)
    assert realistic_day(200, 20, seed=3) != realistic_day(200, 20, seed=4)


def test_a_greedy_plan_of_a_day_passes_the_independent_checker() -> None:
    problem = realistic_day(200, 20, seed=5)
    plan = greedy_plan(problem)
    assert plan.kpis.assigned > 50
    assert check_plan(problem, plan) == []


@pytest.mark.parametrize(
    ("orders", "technicians", "seed", "field"),
    [
        (-1, 10, 0, "n_orders"),
        (10, 0, 0, "n_technicians"),
        (10, 10, -5, "seed"),
    ],
)
def test_bad_sizes_are_refused_with_their_field(
    orders: int, technicians: int, seed: int, field: str
) -> None:
    with pytest.raises(DomainError) as raised:
        realistic_day(orders, technicians, seed)
    assert [e.path for e in raised.value.errors] == [(field,)]
