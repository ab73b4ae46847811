"""Reading OR-Library GAP files, and a GAP instance as a dispatch problem."""

from __future__ import annotations

import numpy as np
import pytest

from engine.dispatch.compiled import compile_problem
from engine.dispatch.formats.gap import gap_problem, parse_gap, read_gap, sense_of
from engine.errors import DomainError
from schemas.dispatch import HORIZON_MINUTES
from tests.engine.dispatch.gap_data import LARGE_SETS, MAXIMISED, OPTIMA, SMALL_SETS, gap_file

# Two problems: 2 agents × 3 jobs, then 1 agent × 1 job.
TWO_PROBLEMS = """2
 2 3
 10 11 12
 20 21 22
 5 6 7
 8 9 10
 13 14
 1 1
 30
 4
 9
"""


def test_a_file_gives_every_problem_with_costs_uses_and_capacities_by_agent():
    first, second = parse_gap(TWO_PROBLEMS, "toy")
    assert (first.name, first.agents, first.jobs) == ("toy#1", 2, 3)
    assert first.cost == [[10, 11, 12], [20, 21, 22]]
    assert first.use == [[5, 6, 7], [8, 9, 10]]
    assert first.capacity == [13, 14]
    assert (second.name, second.cost, second.use, second.capacity) == ("toy#2", [[30]], [[4]], [9])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2\n 1 1\n 3\n 4\n 5\n", "ends where problem 2's agent count"),
        ("1\n 2 2\n 1 2 3 4\n 1 2\n", "ends where problem 1's resource uses"),
        ("1\n 1 1\n 3\n 4\n 5\n 6\n", "numbers follow the last of 1 problems"),
        ("1\n 1 x\n", "expected an integer"),
        ("1\n 0 3\n", "0 agents and 3 jobs"),
    ],
)
def test_a_broken_file_is_a_domain_error_saying_what_is_wrong(text, message):
    with pytest.raises(DomainError) as error:
        parse_gap(text, "bad")
    assert message in str(error.value)


@pytest.mark.parametrize("stem", SMALL_SETS + LARGE_SETS)
def test_every_published_file_reads_whole_and_matches_its_optimum_table(stem):
    instances = read_gap(gap_file(stem))
    assert [i.name for i in instances] == [f"{stem}#{k}" for k in range(1, len(instances) + 1)]
    assert all(i.name in OPTIMA for i in instances)
    assert all(len(i.cost) == len(i.use) == i.agents and len(i.use[0]) == i.jobs for i in instances)
    assert sense_of(instances[0].name) == ("max" if stem in MAXIMISED else "min")


def test_an_instance_becomes_technicians_with_its_minutes_and_orders_with_its_pair_overrides():
    instance = parse_gap(TWO_PROBLEMS, "gapa")[0]
    problem = gap_problem(instance)
    assert (problem.name, problem.cost_sense) == ("gapa#1", "min")
    assert [t.capacity_minutes for t in problem.technicians] == [13, 14]
    assert all(
        t.shifts[0].start == 0 and t.shifts[0].end == HORIZON_MINUTES and not t.skills
        for t in problem.technicians
    )
    assert all(o.skill is None and not o.windows for o in problem.orders)
    c = compile_problem(problem)
    assert c.durations.tolist() == instance.use
    assert c.costs is not None and c.costs.tolist() == instance.cost
    minutes, km = c.travel.matrix()
    assert not minutes.any() and not np.asarray(km).any()  # travel contributes nothing


def test_the_sense_can_be_forced_and_defaults_to_the_sets_published_sense():
    instance = parse_gap(TWO_PROBLEMS, "gap3")[0]
    assert gap_problem(instance).cost_sense == "max"
    assert gap_problem(instance, "min").cost_sense == "min"


def test_numbers_outside_the_contract_are_reported_with_their_path():
    (instance,) = parse_gap("1\n 2 1\n 5\n 5\n 2000\n 1500\n 3000 3000\n", "gapb")
    with pytest.raises(DomainError) as error:
        gap_problem(instance)
    assert [e.path for e in error.value.errors] == [("orders", 0, "duration")]  # over a day
