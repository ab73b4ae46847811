"""GraphQL inputs of pricing: a quote request (also placed as an order) and a simulation."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import UNSET

from schemas.pricing_orders import SampleSource


@strawberry.input(description="A product and how many.")
class QuoteLineInput:
    model: str = strawberry.field(description="The product's model number.")
    quantity: int = strawberry.field(description="1 to 100000.")


@strawberry.input(description="Who buys, where and when: a dealer and/or store (channel prices) or a member.")
class QuoteContextInput:
    dealer_code: str | None = UNSET
    store_code: str | None = UNSET
    member_no: str | None = UNSET
    at: datetime | None = strawberry.field(default=UNSET, description="Default now; with a time zone offset.")
    coupon_codes: list[str] | None = strawberry.field(default=UNSET, description="At most 10.")


@strawberry.input(description="Lines to price and their context.")
class PriceQuoteInput:
    lines: list[QuoteLineInput] = strawberry.field(description="1 to 200 lines.")
    context: QuoteContextInput | None = UNSET


@strawberry.input(description="An order to place at the live rules' price.")
class PricedOrderPlaceInput:
    order_ref: str = strawberry.field(description="The client's reference: placing it again returns the first order.")
    request: PriceQuoteInput


@strawberry.input
class ReturnLineInput:
    line_no: int
    quantity: int


@strawberry.input(description="Units returned; the member loses the points of the returned part.")
class PricedOrderReturnInput:
    reference: str = strawberry.field(description="The return's own reference: sending it again changes nothing.")
    lines: list[ReturnLineInput]


@strawberry.input(description="Codes for a coupon campaign: named ones, or `count` generated.")
class CouponCodesIssueInput:
    campaign: str
    codes: list[str] | None = UNSET
    count: int | None = UNSET
    usage_limit: int | None = strawberry.field(default=UNSET, description="Uses per code (default 1).")
    per_member_limit: int | None = UNSET
    valid_from: datetime | None = UNSET
    valid_to: datetime | None = UNSET


@strawberry.input(description="Reprice recent orders with a draft pricing version in place of its set's live one.")
class RuleSetSimulateInput:
    draft_version_id: strawberry.ID
    source: SampleSource | None = UNSET
    since: datetime | None = UNSET
    until: datetime | None = UNSET
    limit: int | None = strawberry.field(default=UNSET, description="1 to 500 orders, newest first (default 100).")
    dealer_codes: list[str] | None = UNSET
