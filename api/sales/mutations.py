"""Sales mutations: place, change and move orders along their lifecycle; set sales targets."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import UNSET
from strawberry.types import Info

from api.errors import MutationError
from api.inputs import input_data
from api.mutations import run_mutation
from api.permissions import requires
from api.relay import pk_of
from api.sales.types import SalesOrder, SalesTarget
from api.scalars import Fen
from engine.access.permissions import Permission as P
from engine.services import sales as service
from engine.store import sales as m
from schemas.enums import PeriodKind, SalesOrderStatus

ORDER_IDS = {"dealer_id": "Dealer", "store_id": "Store", "product_id": "Product"}
TARGET_IDS = {"dealer_id": "Dealer", "store_id": "Store"}


@strawberry.input(
    description="One product line; the unit price defaults to the product's list price."
)
class SalesOrderLineInput:
    product_id: strawberry.ID
    quantity: int = strawberry.field(description="1 to 100000.")
    unit_price_fen: Fen | None = UNSET


@strawberry.input(description="A new sales order, placed now.")
class SalesOrderCreateInput:
    dealer_id: strawberry.ID
    store_id: strawberry.ID | None = strawberry.field(
        default=None, description="A store run by the dealer."
    )
    note: str | None = None
    order_no: str | None = strawberry.field(
        default=None,
        description="Generated when omitted: SO + the placing date (brand time zone, YYYYMMDD) "
        "+ a daily sequence of 5 digits, e.g. SO2024030100001. That form is reserved for "
        "generated numbers: a client-chosen one of it is refused (INVALID).",
    )
    lines: list[SalesOrderLineInput] = strawberry.field(description="1 to 200 lines.")


@strawberry.input(description="Changes to a placed order; omitted fields keep their value.")
class SalesOrderUpdateInput:
    note: str | None = UNSET
    store_id: strawberry.ID | None = UNSET
    lines: list[SalesOrderLineInput] | None = strawberry.field(
        default=UNSET, description="Replace every line (omit or null to keep them)."
    )
    expected_version: int | None = strawberry.field(
        default=UNSET,
        description="Refuse the change (CONFLICT) unless the order is still at this version.",
    )


@strawberry.input(
    description="What comes with a status change of a sales order (the order is the `id` argument)."
)
class SalesOrderTransitionInput:
    note: str | None = strawberry.field(
        default=UNSET, description="Recorded in the order's history; 1 to 500 characters."
    )
    expected_version: int | None = strawberry.field(
        default=UNSET,
        description="Refuse the change (CONFLICT) unless the order is still at this version.",
    )


@strawberry.type
class SalesOrderPayload:
    sales_order: SalesOrder | None
    errors: list[MutationError]


@strawberry.input(description="A new sales target: exactly one of dealerId or storeId.")
class SalesTargetCreateInput:
    dealer_id: strawberry.ID | None = None
    store_id: strawberry.ID | None = None
    period_kind: PeriodKind
    period_start: date = strawberry.field(
        description="First day of the period: the 1st of a month; Jan/Apr/Jul/Oct 1 for a quarter; "
        "Jan 1 for a year."
    )
    amount_fen: Fen


@strawberry.input(description="Changes to a sales target's period or amount; the owner stays.")
class SalesTargetUpdateInput:
    period_kind: PeriodKind | None = UNSET
    period_start: date | None = UNSET
    amount_fen: Fen | None = UNSET


@strawberry.type
class SalesTargetPayload:
    sales_target: SalesTarget | None
    errors: list[MutationError]


async def _change_status(
    info: Info,
    id: strawberry.ID,
    input: SalesOrderTransitionInput | None,
    target: SalesOrderStatus,
) -> SalesOrderPayload:
    """Move the order `id` to `target`; errors about the order itself (bad or unknown id, a
    transition its status does not allow) are reported on `id`."""

    async def use_case(session: AsyncSession) -> m.SalesOrder:
        return await service.change_sales_order_status(
            session,
            pk_of(id, "SalesOrder", ("id",)),
            target,
            {} if input is None else input_data(input),
        )

    order, errors = await run_mutation(info, use_case)
    return SalesOrderPayload(sales_order=order, errors=errors)  # type: ignore[arg-type]


@strawberry.type
class SalesMutations:
    @strawberry.mutation(permission_classes=requires(P.SALES_ORDER_WRITE), description="Place a sales order (status placed).")
    async def sales_order_create(
        self, info: Info, input: SalesOrderCreateInput
    ) -> SalesOrderPayload:
        order, errors = await run_mutation(
            info, lambda s: service.create_sales_order(s, input_data(input, ORDER_IDS))
        )
        return SalesOrderPayload(sales_order=order, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.SALES_ORDER_WRITE), description="Change a sales order while it is placed.")
    async def sales_order_update(
        self, info: Info, id: strawberry.ID, input: SalesOrderUpdateInput
    ) -> SalesOrderPayload:
        order, errors = await run_mutation(
            info,
            lambda s: service.update_sales_order(
                s, pk_of(id, "SalesOrder", ("id",)), input_data(input, ORDER_IDS)
            ),
        )
        return SalesOrderPayload(sales_order=order, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.SALES_ORDER_APPROVE), description="Approve a placed order.")
    async def sales_order_approve(
        self, info: Info, id: strawberry.ID, input: SalesOrderTransitionInput | None = None
    ) -> SalesOrderPayload:
        return await _change_status(info, id, input, SalesOrderStatus.APPROVED)

    @strawberry.mutation(permission_classes=requires(P.SALES_ORDER_APPROVE), description="Reject a placed order.")
    async def sales_order_reject(
        self, info: Info, id: strawberry.ID, input: SalesOrderTransitionInput | None = None
    ) -> SalesOrderPayload:
        return await _change_status(info, id, input, SalesOrderStatus.REJECTED)

    @strawberry.mutation(permission_classes=requires(P.SALES_ORDER_APPROVE), description="Ship an approved order.")
    async def sales_order_ship(
        self, info: Info, id: strawberry.ID, input: SalesOrderTransitionInput | None = None
    ) -> SalesOrderPayload:
        return await _change_status(info, id, input, SalesOrderStatus.SHIPPED)

    @strawberry.mutation(permission_classes=requires(P.SALES_ORDER_APPROVE), description="Record a shipped order as delivered.")
    async def sales_order_deliver(
        self, info: Info, id: strawberry.ID, input: SalesOrderTransitionInput | None = None
    ) -> SalesOrderPayload:
        return await _change_status(info, id, input, SalesOrderStatus.DELIVERED)

    @strawberry.mutation(permission_classes=requires(P.SALES_ORDER_WRITE), description="Record that the dealer signed for a delivered order.")
    async def sales_order_sign(
        self, info: Info, id: strawberry.ID, input: SalesOrderTransitionInput | None = None
    ) -> SalesOrderPayload:
        return await _change_status(info, id, input, SalesOrderStatus.SIGNED)

    @strawberry.mutation(permission_classes=requires(P.SALES_ORDER_WRITE), description="Cancel a placed or approved order.")
    async def sales_order_cancel(
        self, info: Info, id: strawberry.ID, input: SalesOrderTransitionInput | None = None
    ) -> SalesOrderPayload:
        return await _change_status(info, id, input, SalesOrderStatus.CANCELLED)

    @strawberry.mutation(permission_classes=requires(P.TARGET_WRITE), description="Set a dealer's or a store's sales target for a period.")
    async def sales_target_create(
        self, info: Info, input: SalesTargetCreateInput
    ) -> SalesTargetPayload:
        target, errors = await run_mutation(
            info, lambda s: service.create_sales_target(s, input_data(input, TARGET_IDS))
        )
        return SalesTargetPayload(sales_target=target, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.TARGET_WRITE), description="Change a sales target's period or amount.")
    async def sales_target_update(
        self, info: Info, id: strawberry.ID, input: SalesTargetUpdateInput
    ) -> SalesTargetPayload:
        target, errors = await run_mutation(
            info,
            lambda s: service.update_sales_target(
                s, pk_of(id, "SalesTarget", ("id",)), input_data(input)
            ),
        )
        return SalesTargetPayload(sales_target=target, errors=errors)  # type: ignore[arg-type]
