"""Dispatch mutations: make a network's day plan (a draft) and apply it."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.dispatch.inputs import DispatchPlanCreateInput
from api.dispatch.types import DispatchPlan
from api.errors import MutationError
from api.inputs import input_data
from api.mutations import run_mutation
from api.permissions import requires
from api.relay import pk_of
from engine.access.permissions import Permission as P
from engine.services import dispatch as service


@strawberry.type
class DispatchPlanPayload:
    dispatch_plan: DispatchPlan | None
    errors: list[MutationError]


def _actor(info: Info) -> str:
    return info.context.principal.audit_name  # type: ignore[no-any-return]


@strawberry.type
class DispatchMutations:
    @strawberry.mutation(permission_classes=requires(P.DISPATCH_PLAN),
                         description="Plan a service network's day (its open work orders over its active technicians' "
                         "current routes) in ASSIGN or ROUTE mode and store it as a draft with its KPIs, explanations, "
                         "the problem's digest and the versions of everything it read. Assigns nothing.")
    async def dispatch_plan_create(self, info: Info, input: DispatchPlanCreateInput) -> DispatchPlanPayload:
        actor = _actor(info)
        plan, errors = await run_mutation(
            info, lambda s: service.create_plan(s, input_data(input, {"network": "ServiceNetwork"}), actor))
        return DispatchPlanPayload(dispatch_plan=plan, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.DISPATCH_APPLY),
                         description="Assign a draft plan's work orders to its technicians in one transaction (each "
                         "change in the order's history). Refused with STALE_PLAN, changing nothing, if any work order "
                         "or technician it read has changed since it was made.")
    async def dispatch_plan_apply(self, info: Info, id: strawberry.ID) -> DispatchPlanPayload:
        actor = _actor(info)
        plan, errors = await run_mutation(
            info, lambda s: service.apply_plan(s, pk_of(id, "DispatchPlan", ("id",)), actor))
        return DispatchPlanPayload(dispatch_plan=plan, errors=errors)  # type: ignore[arg-type]
