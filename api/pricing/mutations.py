"""Pricing mutations: place, return and cancel priced orders; issue coupon codes."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.errors import MutationError
from api.inputs import input_data
from api.mutations import run_mutation
from api.permissions import requires
from api.pricing.inputs import CouponCodesIssueInput, PricedOrderPlaceInput, PricedOrderReturnInput
from api.pricing.types import CouponCode, PricedOrder
from api.relay import pk_of
from engine.access.permissions import Permission as P
from engine.services import priced_orders as service


@strawberry.type
class PricedOrderPayload:
    priced_order: PricedOrder | None
    errors: list[MutationError]


@strawberry.type
class CouponCodesPayload:
    coupon_codes: list[CouponCode]
    errors: list[MutationError]


def _actor(info: Info) -> str:
    return info.context.principal.audit_name  # type: ignore[no-any-return]


@strawberry.type
class PricingMutations:
    @strawberry.mutation(permission_classes=requires(P.ORDER_PLACE),
                         description="Place an order at the live rules' price: redeems its coupons (a code that cannot be "
                         "used refuses the order), draws on budgeted promotions and earns the member's points. Idempotent "
                         "per orderRef.")
    async def priced_order_place(self, info: Info, input: PricedOrderPlaceInput) -> PricedOrderPayload:
        actor = _actor(info)
        order, errors = await run_mutation(info, lambda s: service.place_order(s, input_data(input), actor))
        return PricedOrderPayload(priced_order=order, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.ORDER_PLACE),
                         description="Return units of a priced order's sale lines; the member loses the points of the "
                         "returned part. Idempotent per return reference.")
    async def priced_order_return(self, info: Info, id: strawberry.ID, input: PricedOrderReturnInput) -> PricedOrderPayload:
        actor = _actor(info)
        order, errors = await run_mutation(
            info, lambda s: service.return_order(s, pk_of(id, "PricedOrder", ("id",)), input_data(input), actor))
        return PricedOrderPayload(priced_order=order, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.ORDER_PLACE),
                         description="Cancel a placed order: its points are reversed, its coupon uses and budget draws "
                         "given back.")
    async def priced_order_cancel(self, info: Info, id: strawberry.ID) -> PricedOrderPayload:
        actor = _actor(info)
        order, errors = await run_mutation(info, lambda s: service.cancel_order(s, pk_of(id, "PricedOrder", ("id",)), actor))
        return PricedOrderPayload(priced_order=order, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.RULES_WRITE),
                         description="Issue codes of a coupon campaign (named, or generated from an unambiguous alphabet).")
    async def coupon_codes_issue(self, info: Info, input: CouponCodesIssueInput) -> CouponCodesPayload:
        actor = _actor(info)
        codes, errors = await run_mutation(info, lambda s: service.issue_coupon_codes(s, input_data(input), actor))
        return CouponCodesPayload(coupon_codes=codes or [], errors=errors)  # type: ignore[arg-type]
