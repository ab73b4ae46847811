"""Contracts of member points: the loyalty rule document, the facts its rules test, and the
inputs of the ledger's use cases.

Earning: each line paid earns `rate` points per yuan (the highest-priority matching rate rule),
times the highest matching `multiplier` (or the order's own multiplier from pricing, whichever
is higher); the order's total is rounded down once. Every matching `bonus` rule adds its points
once per order. Points are integers; money is integer fen; growth value is whole yuan paid.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from schemas.common import Fen, Name
from schemas.enums import ChannelType, MemberTier
from schemas.rules import Conditions, FactField, FactKind, FactSchema, RuleId, TraceEntry, VersionRef

MAX_EARN_RULES = 500
MAX_ACTIVITIES = 100
MAX_TIERS = len(MemberTier)
MAX_REWARDS = 500
MAX_PAID_LINES = 200
MAX_POINTS = 10**9

Points = Annotated[int, Field(ge=1, le=MAX_POINTS)]
Factor = Annotated[Decimal, Field(ge=1, le=100, max_digits=7, decimal_places=4)]
PerYuan = Annotated[Decimal, Field(gt=0, le=10**6, max_digits=12, decimal_places=2)]
Growth = Annotated[int, Field(ge=0, le=10**13)]  # whole yuan
Slug = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_\-]*$")
]
# The caller's key of one ledger operation (an order number, a return or redemption request id);
# a repeated call with the same key returns the first entry instead of writing a second.
Reference = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-./:]*$")
]


class PointsEntryKind(str, Enum):
    EARN = "earn"  # an order paid: a lot of points (and growth value)
    ACTIVITY = "activity"  # an activity award: a lot of points
    REDEEM = "redeem"  # points spent on a reward
    EXPIRE = "expire"  # what was left of lots past their expiry
    REVERSE = "reverse"  # an order returned or cancelled: its points (and growth) taken back


# --- the rule document ------------------------------------------------------------------------
class RateAction(BaseModel):
    """`points` for every `per_yuan` yuan paid on the line (1 per 1000: points=1, per_yuan=1000)."""

    kind: Literal["rate"] = "rate"
    points: Points
    per_yuan: PerYuan


class MultiplierAction(BaseModel):
    """The line's rate points are multiplied; when several apply, the highest factor wins."""

    kind: Literal["multiplier"] = "multiplier"
    factor: Factor


class BonusAction(BaseModel):
    """Extra points once per order if any line matches (e.g. the birthday month)."""

    kind: Literal["bonus"] = "bonus"
    points: Points


EarnAction = Annotated[RateAction | MultiplierAction | BonusAction, Field(discriminator="kind")]


class EarnRule(BaseModel):
    id: RuleId
    name: Name
    priority: Annotated[int, Field(ge=0, le=10_000)] = 0  # higher first; picks among rate rules
    conditions: Conditions = []
    action: EarnAction


class ActivityAward(BaseModel):
    """Points for something a member did (registering a product, reviewing a service)."""

    activity: Slug
    points: Points
    limit_per_member: Annotated[int, Field(ge=1, le=10_000)] | None = None  # None: no limit


class TierThreshold(BaseModel):
    """A member holds `tier` from `min_growth` yuan of lifetime growth value."""

    tier: MemberTier
    min_growth: Growth


class RewardKind(str, Enum):
    GIFT = "gift"
    PART = "part"
    SERVICE = "service"


class Reward(BaseModel):
    """Something points buy."""

    key: Slug
    name: Name
    kind: RewardKind
    points: Points


class LoyaltyDocument(BaseModel):
    """The body of a LOYALTY rule-set version: data, not code. Checked further (unique ids,
    ascending tiers, conditions over `LOYALTY_LINE_FACTS`) by `engine.loyalty.check_document`."""

    model_config = ConfigDict(extra="forbid")

    earn_rules: Annotated[list[EarnRule], Field(max_length=MAX_EARN_RULES)] = []
    activity_awards: Annotated[list[ActivityAward], Field(max_length=MAX_ACTIVITIES)] = []
    # Points earned on day D (brand calendar) stay valid through day D + N - 1; None: never expire.
    expiry_days: Annotated[int, Field(ge=1, le=36_500)] | None = None
    tiers: Annotated[list[TierThreshold], Field(max_length=MAX_TIERS)] = []  # ascending
    rewards: Annotated[list[Reward], Field(max_length=MAX_REWARDS)] = []


# --- the facts earn rules may test ------------------------------------------------------------
def _f(kind: FactKind, description: str, threshold: bool = False) -> FactField:
    return FactField(kind=kind, threshold=threshold, description=description)


_T, _I, _B, _L = FactKind.TEXT, FactKind.INT, FactKind.BOOL, FactKind.TEXT_LIST

# One fact per paid line; the member, channel, order and date facts are the same on every line.
LOYALTY_LINE_FACTS: FactSchema = {
    "model": _f(_T, "product model number"),
    "category": _f(_T, "product category (air_conditioner, washer, …)"),
    "brand": _f(_T, "product brand"),
    "quantity": _f(_I, "units on this line", threshold=True),
    "paid_fen": _f(_I, "what the member paid for this line, after discounts", threshold=True),
    "order_paid_fen": _f(_I, "what the member paid for the whole order", threshold=True),
    "order_categories": _f(_L, "categories in the order"),
    "member_tier": _f(_T, "member's tier before this order (normal, silver, gold, platinum)"),
    "birthday_month": _f(_B, "the order is paid in the member's birth month (brand calendar)"),
    "channel_type": _f(_T, "channel type of the selling dealer (agent, e_commerce, …); '' if unknown"),
    "date": _f(_I, "the payment's date in the brand's time zone, YYYYMMDD", threshold=True),
    "weekday": _f(_I, "1 (Monday) to 7 (Sunday)", threshold=True),
    "month": _f(_I, "1 to 12 in the brand's time zone", threshold=True),
}


# --- inputs of the ledger ---------------------------------------------------------------------
class PaidLine(BaseModel):
    """A line of a paid order as loyalty sees it: `paid_fen` is the line's total after every
    discount and coupon (what the member actually paid for its `quantity` units)."""

    model_config = ConfigDict(frozen=True)

    line_no: Annotated[int, Field(ge=1, le=10_000)]
    model: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    category: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    brand: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    quantity: Annotated[int, Field(ge=1, le=100_000)]
    paid_fen: Fen


class PaidOrder(BaseModel):
    """What `award_order_points` validates: the order's reference and lines (line numbers unique)."""

    order_ref: Reference
    lines: Annotated[list[PaidLine], Field(min_length=1, max_length=MAX_PAID_LINES)]
    extra_points: Annotated[int, Field(ge=0, le=MAX_POINTS)] = 0

    @field_validator("lines")
    @classmethod
    def _unique_line_numbers(cls, lines: list[PaidLine]) -> list[PaidLine]:
        numbers = [line.line_no for line in lines]
        if len(set(numbers)) != len(numbers):
            raise ValueError("line numbers must not repeat")
        return lines


class MemberFacts(BaseModel):
    """Who earns, and where the order was placed: the facts that are not about a line."""

    model_config = ConfigDict(frozen=True)

    tier: MemberTier = MemberTier.NORMAL
    birth_month: Annotated[int, Field(ge=1, le=12)] | None = None
    channel_type: ChannelType | None = None


class RedemptionInput(BaseModel):
    """A redemption: a reward of the live catalogue, or a plain number of points (not both)."""

    member_id: int
    reference: Reference
    reward_key: Slug | None = None
    points: Points | None = None

    @model_validator(mode="after")
    def _reward_or_points(self) -> RedemptionInput:
        if (self.reward_key is None) == (self.points is None):
            raise ValueError("give either a reward key or a number of points")
        return self


class ActivityInput(BaseModel):
    """An activity a member did, keyed by the caller's reference (e.g. "registration:812")."""

    member_id: int
    activity: Slug
    reference: Reference


class ExpiryInput(BaseModel):
    as_of: datetime

    @model_validator(mode="after")
    def _aware(self) -> ExpiryInput:
        if self.as_of.utcoffset() is None:
            raise ValueError("as_of must carry a time zone")
        return self


# --- outputs of the core ----------------------------------------------------------------------
class LinePoints(BaseModel):
    """One line's part of an order's points. `raw` is exact (before the order's rounding);
    `points` is its whole-point share of the rounded total (largest remainder)."""

    model_config = ConfigDict(frozen=True)

    line_no: int
    quantity: int
    paid_fen: int
    rate_rule: str | None
    multiplier: Decimal
    raw: Decimal
    points: int


class PointsResult(BaseModel):
    """The points an order earns: rate points per line, order bonuses, and the trace."""

    model_config = ConfigDict(frozen=True)

    lines: tuple[LinePoints, ...]
    rate_points: int  # floor of the lines' raw points summed
    bonus_points: int  # the document's bonus rules, once per order each
    extra_points: int  # given by the caller (pricing's points awards)
    growth: int  # whole yuan paid
    trace: tuple[TraceEntry, ...] = ()
    version: VersionRef | None = None

    @property
    def total(self) -> int:
        return self.rate_points + self.bonus_points + self.extra_points
