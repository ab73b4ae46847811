"""Contracts of the pricing use cases: placing priced orders, returns, coupon codes, what-if."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, model_validator

from schemas.pricing import CampaignKey, CouponCode, QuoteRequest

MAX_CODES = 1_000
MAX_SAMPLE = 500

OrderRef = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-./]*$")
]


class PricedOrderStatus(str, Enum):
    PLACED = "placed"
    PARTIALLY_RETURNED = "partially_returned"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class PricedOrderPlaceFields(BaseModel):
    """Place an order at the live rules' price. `order_ref` is the client's key: placing the
    same reference again returns the first order (a different request under it is refused)."""

    order_ref: OrderRef
    request: QuoteRequest


class ReturnLine(BaseModel):
    line_no: Annotated[int, Field(ge=1, le=10_000)]
    quantity: Annotated[int, Field(ge=1, le=100_000)]


class PricedOrderReturnFields(BaseModel):
    reference: OrderRef  # the return's own reference: a repeated return is not counted twice
    lines: Annotated[list[ReturnLine], Field(min_length=1, max_length=200)]


class CouponCodesIssueFields(BaseModel):
    """Codes of a campaign: named ones, or `count` generated."""

    campaign: CampaignKey
    codes: Annotated[list[CouponCode], Field(max_length=MAX_CODES)] | None = None
    count: Annotated[int, Field(ge=1, le=MAX_CODES)] | None = None
    usage_limit: Annotated[int, Field(ge=1, le=10**6)] = 1
    per_member_limit: Annotated[int, Field(ge=1, le=10**6)] | None = None
    valid_from: AwareDatetime | None = None
    valid_to: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_source(self) -> CouponCodesIssueFields:
        if (self.codes is None) == (self.count is None):
            raise ValueError("give either codes or count")
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValueError("valid_to must be after valid_from")
        return self


class SampleSource(str, Enum):
    SALES_ORDERS = "sales_orders"
    PRICED_ORDERS = "priced_orders"


class SimulationFields(BaseModel):
    """Price recent orders under the live rules and with a draft in place of its set's live version."""

    draft_version_id: int
    source: SampleSource = SampleSource.SALES_ORDERS
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_SAMPLE)] = 100
    dealer_codes: Annotated[list[str], Field(max_length=100)] | None = None


class OrderDifference(BaseModel):
    reference: str
    at: datetime
    live_final_fen: int
    draft_final_fen: int
    live_discount_fen: int
    draft_discount_fen: int
    live_points_award: int
    draft_points_award: int
    error: str | None = None  # the order could not be priced (a product no longer sold…)


class Simulation(BaseModel):
    orders: list[OrderDifference]
    priced: int
    live_final_fen: int
    draft_final_fen: int
    discount_cost_difference_fen: int  # draft discounts − live discounts
    points_award_difference: int
