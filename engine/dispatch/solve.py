"""The dispatch engine's one entry point: a problem and a mode in, a recommendation or plan out."""

from __future__ import annotations

from typing import Any

from engine.dispatch.assign import assign
from engine.dispatch.compiled import compile_problem
from engine.dispatch.recommend import recommend
from engine.dispatch.route import route
from engine.dispatch.validate import check, parse
from schemas.dispatch import Mode, Plan, Problem, Recommendation


def solve(problem: Problem | dict[str, Any], mode: Mode) -> Plan | Recommendation:
    """Validate (every offender listed in a DomainError), then run the mode."""
    checked = parse(problem)
    if mode is Mode.RECOMMEND:
        check(checked, mode)  # the mode's own requirement: which order to place
    compiled = compile_problem(checked)
    if mode is Mode.RECOMMEND:
        assert checked.recommend_order is not None
        return recommend(compiled, checked.recommend_order)
    if mode is Mode.ASSIGN:
        return assign(compiled)
    return route(compiled)
