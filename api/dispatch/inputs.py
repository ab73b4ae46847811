"""GraphQL inputs of dispatch: a plan for a network's day, and a problem sent as is."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry
from strawberry.scalars import JSON

import api.dispatch.enums  # noqa: F401  (registers the enums)
from schemas import dispatch as d


@strawberry.enum(description="The batch modes a stored plan can be made in.")
class DispatchPlanMode(Enum):
    ASSIGN = "assign"  # CP-SAT: who takes which order, with the solver's bound
    ROUTE = "route"  # OR-Tools routing: who, and in which order, within windows


@strawberry.input(description="Make a plan for a service network's day and store it as a draft.")
class DispatchPlanCreateInput:
    network: strawberry.ID = strawberry.field(description="The service network.")
    date: date = strawberry.field(description="The day, in the network's time zone.")
    mode: DispatchPlanMode = DispatchPlanMode.ROUTE
    time_limit: float = strawberry.field(default=10.0, description="Seconds the solver may use, up to 600.")
    seed: int = strawberry.field(default=0, description="Same problem and seed, same plan.")


@strawberry.input(description="A dispatch problem (the engine's JSON contract) and the mode to run.")
class DispatchSolveInput:
    problem: JSON = strawberry.field(  # type: ignore[valid-type]
        description="The problem as JSON, snake_case keys (see the dispatch contract, schemas/dispatch.py)."
    )
    mode: d.Mode
