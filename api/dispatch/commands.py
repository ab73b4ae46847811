"""`crm-engine dispatch …`: solve a problem file with the engine, and convert the public benchmark
formats (OR-Library GAP, Solomon VRPTW) into the problem JSON. Nothing here touches the database;
a refused problem prints every offender's path and exits non-zero."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel

from api.access.commands import EXIT_REFUSED
from engine.errors import DomainError
from schemas.dispatch import Mode

T = TypeVar("T")

dispatch_app = typer.Typer(help="The dispatch engine: solve problems, import benchmark formats.", no_args_is_help=True)
import_app = typer.Typer(help="Convert a public benchmark file into problem JSON.", no_args_is_help=True)
dispatch_app.add_typer(import_app, name="import")

FileArgument = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="the input file")]


def refused(exc: DomainError) -> typer.Exit:
    for error in exc.errors:
        typer.echo(f"error: {'.'.join(map(str, error.path)) or '-'}: {error.message} ({error.code.value})", err=True)
    return typer.Exit(EXIT_REFUSED)


def checked(work: Callable[[], T]) -> T:
    try:
        return work()
    except DomainError as exc:
        raise refused(exc) from exc


def echo_json(model: BaseModel) -> None:
    typer.echo(model.model_dump_json(indent=2, by_alias=True))


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        typer.echo(f"error: {path}: not valid JSON: {exc}", err=True)
        raise typer.Exit(EXIT_REFUSED) from exc


@dispatch_app.command()
def solve(
    problem: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a problem, JSON (schemas/dispatch.py)")],
    mode: Annotated[Mode, typer.Option(help="recommend one order, assign (CP-SAT) or route (VRPTW)")] = Mode.ROUTE,
    time_limit: Annotated[float | None, typer.Option(help="seconds; default: the problem's options")] = None,
    seed: Annotated[int | None, typer.Option(help="random seed; default: the problem's options")] = None,
    order: Annotated[str | None, typer.Option(help="recommend: the order to place (default: the problem's)")] = None,
) -> None:
    """Solve PROBLEM.json and print the plan (or the recommendation) as JSON."""
    from engine.dispatch.solve import solve as run

    data = read_json(problem)
    # The command line's values win over the file's; anything malformed is left for validation.
    if isinstance(data, dict):
        options = data.get("options") or {}
        if isinstance(options, dict):
            given = {"time_limit_seconds": time_limit, "seed": seed}
            data = {**data, "options": {**options, **{k: v for k, v in given.items() if v is not None}}}
        if order is not None:
            data["recommend_order"] = order
    echo_json(checked(lambda: run(data, mode)))


@import_app.command("gap")
def import_gap(
    path: FileArgument,
    problem: Annotated[int, typer.Option(help="which problem of the file, from 1")] = 1,
) -> None:
    """An OR-Library GAP file's problem K as problem JSON (gap1–12 maximise, the rest minimise)."""
    from engine.dispatch.formats.gap import gap_problem, read_gap

    instances = checked(lambda: read_gap(path))
    if not 1 <= problem <= len(instances):
        typer.echo(f"error: --problem: {path.name} holds problems 1 to {len(instances)}", err=True)
        raise typer.Exit(EXIT_REFUSED)
    echo_json(checked(lambda: gap_problem(instances[problem - 1])))


@import_app.command("solomon")
def import_solomon(path: FileArgument) -> None:
    """A Solomon VRPTW instance as problem JSON (Euclidean travel, one decimal truncation)."""
    from engine.dispatch.formats.solomon import read_solomon, solomon_problem

    echo_json(checked(lambda: solomon_problem(read_solomon(path))))
