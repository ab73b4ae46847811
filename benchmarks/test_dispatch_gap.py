"""Batch assignment (CP-SAT) on the OR-Library generalized assignment problems against their
published optima: gap1–gap12 (maximise; goal: every problem proven optimal in under 1 s, run
deterministic, one worker) and gapa/gapb (minimise; goal: optimal or within 0.5% in 10 s,
run with 2 workers, not deterministic). One benchmark per file solves each of its problems
once; its rows (found, optimum, gap, proven, wall and CPU seconds) go to `extra_info` and the
whole table is printed at the end of the run."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import pytest

from engine.dispatch import solve
from engine.dispatch.formats.gap import gap_problem, read_gap
from schemas.dispatch import Mode, Plan, SolverStatus
from tests.engine.dispatch.checker import check_plan
from tests.engine.dispatch.gap_data import LARGE_SETS, OPTIMA, SMALL_SETS, gap_file

SETTINGS: dict[str, dict[str, Any]] = {
    **{stem: {"time_limit_seconds": 10.0, "deterministic": True, "seed": 0} for stem in SMALL_SETS},
    **{
        stem: {"time_limit_seconds": 10.0, "deterministic": False, "workers": 2, "seed": 0}
        for stem in LARGE_SETS
    },
}
HEADER = (
    "| problem | sense | found | optimum | gap % | proven | wall s | CPU s | settings |\n"
    "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- |"
)
_ROWS: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def table(pytestconfig: pytest.Config) -> Iterator[None]:
    """Warm the imports up (the first solve loads OR-Tools and the explainer), then at the end
    print every file's rows as one table."""
    solve(gap_problem(read_gap(gap_file(SMALL_SETS[0]))[0]), Mode.ASSIGN)
    yield
    if _ROWS:
        capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            print(
                "\n".join(
                    [
                        "",
                        "GAP: found vs published optimum (gap % = shortfall from the optimum)",
                        HEADER,
                        *_ROWS,
                    ]
                )
            )


def _solve_file(stem: str) -> list[dict[str, Any]]:
    results = []
    for instance in read_gap(gap_file(stem)):
        problem = gap_problem(instance)
        problem = problem.model_copy(
            update={"options": problem.options.model_copy(update=SETTINGS[stem])}
        )
        wall, cpu = time.perf_counter(), time.process_time()
        plan = solve(problem, Mode.ASSIGN)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert isinstance(plan, Plan)
        assert check_plan(problem, plan, timing=False) == []  # outside the figures: correctness
        found, optimum = plan.objective_value, OPTIMA[instance.name]
        assert found is not None and plan.kpis.unassigned == 0
        shortfall = (optimum - found if problem.cost_sense == "max" else found - optimum) / optimum
        results.append(
            {
                "problem": instance.name,
                "sense": problem.cost_sense,
                "found": found,
                "optimum": optimum,
                "gap_pct": round(100 * shortfall, 3),
                "proven": plan.kpis.solver_status is SolverStatus.OPTIMAL,
                "bound": plan.kpis.bound,
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
            }
        )
    return results


@pytest.mark.parametrize("stem", SMALL_SETS + LARGE_SETS)
def test_gap_file_against_published_optima(benchmark: Any, stem: str) -> None:
    gap_file(stem)  # skip early when the data is absent
    results = benchmark.pedantic(_solve_file, args=(stem,), rounds=1, iterations=1)
    settings = ", ".join(f"{k}={v}" for k, v in SETTINGS[stem].items() if k != "seed")
    rows = [
        f"| {r['problem']} | {r['sense']} | {r['found']:.0f} | {r['optimum']} | "
        f"{r['gap_pct']:.2f} | {'yes' if r['proven'] else 'no'} | {r['wall_s']:.3f} | "
        f"{r['cpu_s']:.3f} | {settings} |"
        for r in results
    ]
    _ROWS.extend(rows)
    benchmark.extra_info.update(
        {
            "problems": results,
            "table": "\n".join([HEADER, *rows]),
            "all_optimal_found": all(r["gap_pct"] == 0 for r in results),
            "all_proven": all(r["proven"] for r in results),
            "worst_wall_s": max(r["wall_s"] for r in results),
            "worst_gap_pct": max(r["gap_pct"] for r in results),
            "settings": SETTINGS[stem],
        }
    )
    print("\n".join(rows))
