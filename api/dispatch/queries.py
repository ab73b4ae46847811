"""Dispatch queries: a recommendation for one work order, stored plans, and stateless solving
(none of them changes anything)."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement
from strawberry.scalars import JSON
from strawberry.types import Info

from api.dispatch.inputs import DispatchSolveInput
from api.dispatch.types import DispatchPlan, DispatchRecommendation
from api.errors import MutationError, from_domain
from api.inputs import input_data
from api.permissions import requires
from api.relay import Connection, OrderDirection, filter_ids, paginate_sorted, pk_of
from engine.access.permissions import Permission as P
from engine.errors import DomainError, FieldError
from engine.services import dispatch as service
from engine.store import dispatch as m
from schemas.dispatch import Mode


@strawberry.input(description="Dispatch plans matching every given condition.")
class DispatchPlanWhereInput:
    network: list[strawberry.ID] | None = None
    date: date | None = None
    status: list[m.DispatchPlanStatus] | None = None


@strawberry.enum
class DispatchPlanOrderField(Enum):
    CREATED_AT = "created_at"
    DAY = "day"


@strawberry.input
class DispatchPlanOrder:
    field: DispatchPlanOrderField
    direction: OrderDirection = OrderDirection.DESC


@strawberry.type
class DispatchRecommendationPayload:
    recommendation: DispatchRecommendation | None
    errors: list[MutationError]


@strawberry.type
class DispatchSolvePayload:
    result: JSON | None = strawberry.field(  # type: ignore[valid-type]
        description="The engine's answer as JSON: a Plan (assign, route) or a Recommendation (recommend)."
    )
    errors: list[MutationError] = strawberry.field(description="Every offender in the problem, by its path.")


def _conditions(where: DispatchPlanWhereInput | None) -> list[ColumnElement[bool]]:
    c: list[Any] = []
    if where is None:
        return c
    networks = filter_ids(where.network, "ServiceNetwork", "where.network")
    if networks is not None:
        c.append(m.DispatchPlan.network_id.in_(networks))
    if where.date is not None:
        c.append(m.DispatchPlan.day == where.date)
    if where.status:
        c.append(m.DispatchPlan.status.in_(where.status))
    return c


@strawberry.type
class DispatchQueries:
    @strawberry.field(permission_classes=requires(P.DISPATCH_READ, P.WORK_ORDER_READ, P.SERVICE_READ),
                      description="The best technicians for a work order against the current routes of its network's "
                      "day: insertion position, ETA, added travel and score, and why every other technician cannot "
                      "take it. No solver call: milliseconds. Changes nothing.")
    async def dispatch_recommend(self, info: Info, work_order_id: strawberry.ID) -> DispatchRecommendationPayload:
        try:
            pk = pk_of(work_order_id, "WorkOrder", ("work_order_id",))
            async with info.context.sessions() as session:
                result, snapshot = await service.recommend(session, pk)
        except DomainError as exc:
            # Every refusal here is about the one argument.
            errors = [MutationError(field="workOrderId", message=e.message, code=e.code) for e in exc.errors]
            return DispatchRecommendationPayload(recommendation=None, errors=errors)
        return DispatchRecommendationPayload(recommendation=DispatchRecommendation.of(result, snapshot.origin), errors=[])

    @strawberry.field(permission_classes=requires(P.DISPATCH_READ), description="Stored dispatch plans, newest first.")
    async def dispatch_plans(self, info: Info, first: int = 20, after: str | None = None,
                             where: DispatchPlanWhereInput | None = None,
                             sort_by: DispatchPlanOrder | None = None) -> Connection[DispatchPlan]:
        return await paginate_sorted(info, m.DispatchPlan, _conditions(where), sort_by,
                                     DispatchPlanOrderField.CREATED_AT, first, after, OrderDirection.DESC)

    @strawberry.field(permission_classes=requires(P.DISPATCH_SOLVE),
                      description="Solve a problem sent as is (for other services): validated first, every offender "
                      "reported with its path; nothing is read from or written to the store.")
    async def dispatch_solve(self, info: Info, input: DispatchSolveInput) -> DispatchSolvePayload:
        try:
            data = input_data(input)
            result = await service.solve_problem(data["problem"], Mode(data["mode"]))
        except DomainError as exc:
            paths = [FieldError(("problem", *e.path), e.message, e.code) for e in exc.errors]
            return DispatchSolvePayload(result=None, errors=from_domain(DomainError(paths)))
        return DispatchSolvePayload(result=result.model_dump(mode="json"), errors=[])

