"""`crm-engine dispatch`: solve a problem file and print the plan as JSON (time limit and seed
from the command line), refuse a bad one with every offender's path, and convert the public GAP
and Solomon files into problem JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from engine.settings import PROJECT_ROOT
from schemas.dispatch import Plan, Problem, Recommendation
from tests.api.dispatch.test_dispatch_solve import PROBLEM, order

BENCH = PROJECT_ROOT.parent / "shared" / "bench-data"
runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, ["dispatch", *args])


@pytest.fixture
def problem_file(tmp_path: Path) -> Path:
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(PROBLEM), encoding="utf-8")
    return path


def test_solve_recommend_prints_the_recommendation(problem_file: Path) -> None:
    result = run("solve", str(problem_file), "--mode", "recommend", "--order", "near-a")

    assert result.exit_code == 0, result.output
    assert Recommendation.model_validate_json(result.stdout).candidates[0].technician_id == "a"


@pytest.mark.parametrize("mode", ["assign", "route"])
def test_solve_prints_the_plan_with_the_seed_it_was_given(problem_file: Path, mode: str) -> None:
    result = run("solve", str(problem_file), "--mode", mode, "--time-limit", "1", "--seed", "42")

    assert result.exit_code == 0, result.output
    plan = Plan.model_validate_json(result.stdout)
    assert plan.seed == 42 and plan.kpis.assigned == 2


def test_solve_is_the_same_plan_for_the_same_file_and_seed(problem_file: Path) -> None:
    first, second = (run("solve", str(problem_file), "--mode", "assign", "--seed", "3") for _ in range(2))

    assert first.exit_code == second.exit_code == 0, first.output
    plans = [json.loads(r.stdout) for r in (first, second)]
    for plan in plans:
        plan["kpis"].pop("wall_seconds")
    assert plans[0] == plans[1]


def test_a_bad_problem_file_prints_every_offender_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**PROBLEM, "orders": [order("o1", 1, duration=0), order("o2", 2, skill="juggling")]}))

    result = run("solve", str(path), "--mode", "route")

    assert result.exit_code == 1
    assert "orders.0.duration" in result.stderr and "OUT_OF_RANGE" in result.stderr


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json")

    result = run("solve", str(path))

    assert result.exit_code == 1 and "not valid JSON" in result.stderr


def test_a_time_limit_out_of_range_is_reported_by_its_path(problem_file: Path) -> None:
    result = run("solve", str(problem_file), "--time-limit", "0")

    assert result.exit_code == 1 and "options.time_limit_seconds" in result.stderr


needs_bench = pytest.mark.skipif(not BENCH.is_dir(), reason=f"the public benchmark files are not at {BENCH}")


@needs_bench
def test_import_gap_prints_the_chosen_problem_of_the_file() -> None:
    result = run("import", "gap", str(BENCH / "gap" / "gap1.txt"), "--problem", "2")

    assert result.exit_code == 0, result.output
    problem = Problem.model_validate_json(result.stdout)
    assert (len(problem.technicians), len(problem.orders), problem.cost_sense) == (5, 15, "max")


@needs_bench
def test_import_gap_refuses_a_problem_the_file_does_not_hold() -> None:
    result = run("import", "gap", str(BENCH / "gap" / "gap1.txt"), "--problem", "6")

    assert result.exit_code == 1 and "problems 1 to 5" in result.stderr


@needs_bench
def test_import_solomon_prints_the_instance_as_a_problem() -> None:
    result = run("import", "solomon", str(BENCH / "solomon" / "C101.txt"))

    assert result.exit_code == 0, result.output
    problem = Problem.model_validate_json(result.stdout)
    assert len(problem.orders) == 100 and problem.travel.kind.value == "euclidean"


@needs_bench
def test_an_imported_gap_problem_solves_to_its_published_optimum(tmp_path: Path) -> None:
    # given gap1's first problem (a maximisation; its optimum is 336, OR-Library) converted to JSON
    imported = run("import", "gap", str(BENCH / "gap" / "gap1.txt"), "--problem", "1")
    assert imported.exit_code == 0, imported.output
    path = tmp_path / "gap1-1.json"
    path.write_text(imported.stdout, encoding="utf-8")

    # when it is solved in assign mode
    result = run("solve", str(path), "--mode", "assign", "--time-limit", "5")

    # then the plan reports the objective in the instance's own sense, proven optimal
    assert result.exit_code == 0, result.output
    plan = Plan.model_validate_json(result.stdout)
    assert plan.objective_value == 336 and plan.kpis.solver_status.value == "optimal"


@pytest.mark.parametrize("content", [[1, 2], {"technicians": [], "orders": [], "options": 5}])
def test_a_file_that_is_not_a_problem_is_refused_by_its_paths(tmp_path: Path, content: Any) -> None:
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(content))

    result = run("solve", str(path), "--seed", "1")

    assert result.exit_code == 1 and result.stderr.startswith("error: ")
