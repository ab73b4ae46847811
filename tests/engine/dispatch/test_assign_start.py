"""The solver's starting assignment: the current routes kept where they fit, then by regret."""

from __future__ import annotations

from engine.dispatch.assign import objective_terms
from engine.dispatch.assign_start import regret_greedy
from engine.dispatch.compiled import compile_problem
from engine.dispatch.pairs import pair_facts
from engine.dispatch.validate import parse


def start_of(technicians, orders, current=None):
    problem = parse(
        {
            "travel": {"kind": "euclidean"},
            "technicians": [
                {"skills": {}, "shifts": [{"start": 480, "end": 1080}]} | t for t in technicians
            ],
            "orders": [{"duration": 60, "location": {"x": 1, "y": 0}} | o for o in orders],
        }
    )
    c = compile_problem(problem)
    facts = pair_facts(c)
    terms = objective_terms(c, facts)
    current = {
        c.order_index[s.order_id]: t for t, tech in enumerate(c.technicians) for s in tech.route
    }
    chosen = regret_greedy(c, facts, terms.pair, terms.drop, current)
    assert facts.fits(chosen)
    return {c.orders[o].id: c.technicians[t].id for o, t in chosen.items()}


def test_the_current_routes_are_kept_where_they_still_fit():
    techs = [
        {
            "id": "a",
            "start": {"x": 0, "y": 0},
            "capacity_minutes": 60,
            "route": [{"order_id": "o1"}, {"order_id": "o2"}],
        },
        {"id": "b", "start": {"x": 50, "y": 0}},
    ]
    orders = [
        {"id": "o1", "location": {"x": 40, "y": 0}},
        {"id": "o2", "location": {"x": 1, "y": 0}},
    ]
    assert start_of(techs, orders) == {"o1": "a", "o2": "b"}  # o2 no longer fits a's minutes


def test_the_order_with_most_to_lose_goes_first():
    # o1 is cheap only on a; o2 is almost as cheap on b as on a: regret puts o1 on a first.
    techs = [
        {"id": "a", "start": {"x": 0, "y": 0}, "capacity_minutes": 60},
        {"id": "b", "start": {"x": 100, "y": 0}},
    ]
    orders = [
        {"id": "o2", "location": {"x": 49, "y": 0}},
        {"id": "o1", "location": {"x": 5, "y": 0}},
    ]
    assert start_of(techs, orders) == {"o1": "a", "o2": "b"}


def test_what_fits_nowhere_is_left_out():
    techs = [{"id": "a", "start": {"x": 0, "y": 0}, "capacity_minutes": 100}]
    assert len(start_of(techs, [{"id": "o1"}, {"id": "o2"}])) == 1
