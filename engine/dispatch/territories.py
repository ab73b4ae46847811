"""A plan for several territories: each territory's routing solved in its own process, in parallel.

OR-Tools routing is single-threaded and one routing model per process is the rule, so each
territory gets a fresh process (`max_tasks_per_child=1`) and as many run at once as there are
cores. Errors come back as values: an exception's own pickling would lose a DomainError's list.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from engine.dispatch.compiled import compile_problem
from engine.dispatch.route import start_context
from engine.dispatch.validate import check, parse
from engine.errors import DomainError, FieldError
from schemas.dispatch import Mode, Plan, Problem


def _under(i: int, errors: list[FieldError]) -> list[FieldError]:
    return [FieldError(("territories", i, *e.path), e.message, e.code) for e in errors]


def _route_one(problem: Problem) -> Plan | list[FieldError]:
    from engine.dispatch.route import route

    try:
        return route(compile_problem(problem), in_process=True)  # this process is its own
    except DomainError as error:
        return error.errors


def route_territories(problems: Sequence[Problem], workers: int | None = None) -> list[Plan]:
    """One routing plan per territory, in the order given; every bad territory is listed at once
    (paths start with `territories`, its index)."""
    errors: list[FieldError] = []
    checked: list[Problem] = []
    for i, problem in enumerate(problems):
        try:
            p = parse(problem)
            check(p, Mode.ROUTE)
            checked.append(p)
        except DomainError as error:
            errors += _under(i, error.errors)
    if errors:
        raise DomainError(errors)
    if not checked:
        return []
    count = min(len(checked), workers or os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=count, mp_context=start_context(),
                             max_tasks_per_child=1) as pool:
        results = list(pool.map(_route_one, checked))
    for i, result in enumerate(results):
        if isinstance(result, list):
            errors += _under(i, result)
    if errors:
        raise DomainError(errors)
    return [r for r in results if isinstance(r, Plan)]
