"""Pricing queries: quotes and what-if (they change nothing), priced orders and coupon codes."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement
from strawberry.types import Info

from api.errors import from_domain
from api.inputs import input_data
from api.permissions import requires
from api.pricing.inputs import PriceQuoteInput, RuleSetSimulateInput
from api.pricing.types import CouponCode, PricedOrder, PriceQuotePayload, Quote, Simulation, SimulationPayload
from api.relay import Connection, OrderDirection, paginate_sorted
from engine.access.permissions import Permission as P
from engine.errors import DomainError
from engine.services import quotes, simulate
from engine.store import pricing as m
from schemas.pricing_orders import PricedOrderStatus


@strawberry.input(description="Priced orders matching every given condition.")
class PricedOrderWhereInput:
    status: list[PricedOrderStatus] | None = None
    order_ref: str | None = strawberry.field(default=None, description="Exact reference.")


@strawberry.enum
class PricedOrderOrderField(Enum):
    PLACED_AT = "placed_at"
    ORDER_REF = "order_ref"


@strawberry.input
class PricedOrderOrder:
    field: PricedOrderOrderField
    direction: OrderDirection = OrderDirection.DESC


@strawberry.input(description="Coupon codes matching every given condition.")
class CouponCodeWhereInput:
    campaign: list[str] | None = None
    code: str | None = None


@strawberry.enum
class CouponCodeOrderField(Enum):
    CODE = "code"
    CREATED_AT = "created_at"


@strawberry.input
class CouponCodeOrder:
    field: CouponCodeOrderField
    direction: OrderDirection = OrderDirection.ASC


def _order_conditions(where: PricedOrderWhereInput | None) -> list[ColumnElement[bool]]:
    c: list[Any] = []
    if where and where.status:
        c.append(m.PricedOrder.status.in_(where.status))
    if where and where.order_ref is not None:
        c.append(m.PricedOrder.order_ref == where.order_ref)
    return c


def _code_conditions(where: CouponCodeWhereInput | None) -> list[ColumnElement[bool]]:
    c: list[Any] = []
    if where and where.campaign:
        c.append(m.CouponCode.campaign.in_(where.campaign))
    if where and where.code is not None:
        c.append(m.CouponCode.code == where.code)
    return c


@strawberry.type
class PricingQueries:
    @strawberry.field(permission_classes=requires(P.PRICE_QUOTE),
                      description="Price lines for a dealer, store or member under the rules live at the quote's moment, "
                      "with a trace of every rule that applied or nearly did. Changes nothing (coupons are redeemed by "
                      "pricedOrderPlace).")
    async def price_quote(self, info: Info, input: PriceQuoteInput) -> PriceQuotePayload:
        try:
            data = input_data(input)
            async with info.context.sessions() as session:
                quote = await quotes.quote(session, data)
        except DomainError as exc:
            return PriceQuotePayload(quote=None, errors=from_domain(exc))
        return PriceQuotePayload(quote=Quote.of(quote), errors=[])

    @strawberry.field(permission_classes=requires(P.RULES_WRITE),
                      description="Reprice recent orders under the live pricing rules and with a draft version in place "
                      "of its set's live one: per order and in total, the difference in price, discount cost and points "
                      "awarded. Changes nothing.")
    async def rule_set_simulate(self, info: Info, input: RuleSetSimulateInput) -> SimulationPayload:
        try:
            data = input_data(input, {"draft_version_id": "RuleSetVersion"})
            async with info.context.sessions() as session:
                result = await simulate.simulate(session, data)
        except DomainError as exc:
            return SimulationPayload(simulation=None, errors=from_domain(exc))
        return SimulationPayload(simulation=Simulation.of(result), errors=[])

    @strawberry.field(permission_classes=requires(P.ORDER_PLACE), description="Priced orders, newest first, a page at a time.")
    async def priced_orders(self, info: Info, first: int = 20, after: str | None = None,
                            where: PricedOrderWhereInput | None = None,
                            sort_by: PricedOrderOrder | None = None) -> Connection[PricedOrder]:
        return await paginate_sorted(info, m.PricedOrder, _order_conditions(where), sort_by,
                                     PricedOrderOrderField.PLACED_AT, first, after, OrderDirection.DESC)

    @strawberry.field(permission_classes=requires(P.RULES_READ), description="Coupon codes, a page at a time.")
    async def coupon_codes(self, info: Info, first: int = 20, after: str | None = None,
                           where: CouponCodeWhereInput | None = None,
                           sort_by: CouponCodeOrder | None = None) -> Connection[CouponCode]:
        return await paginate_sorted(info, m.CouponCode, _code_conditions(where), sort_by, CouponCodeOrderField.CODE,
                                     first, after)

