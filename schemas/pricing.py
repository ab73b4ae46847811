"""Contracts of pricing: price rule documents, the quote request and the quote with its trace.

Price resolution runs in stages, each evaluated on durable-rules against the facts of its input:
TIER (channel price tier on the list price) → MEMBER (member price) → PROMOTION (line
discounts, buy-N-get-M, gifts) → ORDER (order-level discounts and gifts, on the amount after
line promotions) → COUPON (coupon campaigns, on the amount after order discounts).
Money is integer fen at the edges and Decimal inside; rounding is half-up to the fen unless a
rule says otherwise.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from schemas.common import Fen, Name
from schemas.rules import Conditions, FactField, FactKind, FactSchema, RuleId, TraceEntry, ValidityWindow, VersionRef

MAX_RULES = 2_000
MAX_QUOTE_LINES = 200
MAX_QUOTE_QUANTITY = 100_000
MAX_COUPONS = 10
MIN_QUOTE_YEAR, MAX_QUOTE_YEAR = 2000, 2200

Percent = Annotated[Decimal, Field(gt=0, le=100, max_digits=7, decimal_places=4)]
Factor = Annotated[Decimal, Field(gt=0, le=100, max_digits=7, decimal_places=4)]
Points = Annotated[int, Field(ge=0, le=10**9)]
CouponCode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
]
CampaignKey = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_\-]*$")
]
ModelRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class PricingStage(str, Enum):
    TIER = "tier"
    MEMBER = "member"
    PROMOTION = "promotion"
    ORDER = "order"
    COUPON = "coupon"


LINE_STAGES = (PricingStage.TIER, PricingStage.MEMBER, PricingStage.PROMOTION)
ORDER_STAGES = (PricingStage.ORDER, PricingStage.COUPON)


class Stacking(str, Enum):
    """STACKABLE rules add up; an EXCLUSIVE rule applies alone (the highest-priority applicable
    exclusive rule wins and nothing else of its stage applies to that line or order); BEST
    applies only the single best deal among the BEST rules of its stage (the default for
    order-level discounts)."""

    STACKABLE = "stackable"
    EXCLUSIVE = "exclusive"
    BEST = "best"


class GroupPolicy(str, Enum):
    """How one winner is picked inside an exclusive group."""

    PRIORITY = "priority"
    BEST = "best"


class Combine(str, Enum):
    """How percentages of one stage combine: ADDITIVE on the stage's base price (20% + 10% =
    30% off), COMPOUNDING on the running price (20% then 10% = 28% off)."""

    ADDITIVE = "additive"
    COMPOUNDING = "compounding"


class Rounding(str, Enum):
    HALF_UP = "half_up"
    DOWN = "down"
    UP = "up"


# --- actions ---------------------------------------------------------------------------------
class PercentOff(BaseModel):
    """A percentage off the unit price (line stages) — also a tier or member price as a
    percentage off."""

    kind: Literal["percent_off"] = "percent_off"
    percent: Percent


class PercentOfList(BaseModel):
    """TIER only: the unit price is this percentage of the list price (92 = 8% off list)."""

    kind: Literal["percent_of_list"] = "percent_of_list"
    percent: Percent


class AmountOff(BaseModel):
    """A fixed amount off each unit."""

    kind: Literal["amount_off"] = "amount_off"
    amount_fen: Fen


class FixedPrice(BaseModel):
    """The unit price becomes this (tier price, member price, or a promotional price)."""

    kind: Literal["fixed_price"] = "fixed_price"
    price_fen: Fen


class BuyGet(BaseModel):
    """Buy N get M free: for every `buy` units bought, `get` more free (recursive, rounded
    down), counted on at most `maximum_quantity` bought units and only from `minimum_quantity`
    bought. The free units are of the same item, or of `free_model` when given."""

    kind: Literal["buy_get"] = "buy_get"
    buy: Annotated[int, Field(ge=1, le=1000)]
    get: Annotated[int, Field(ge=1, le=1000)]
    minimum_quantity: Annotated[int, Field(ge=1, le=MAX_QUOTE_QUANTITY)] = 1
    maximum_quantity: Annotated[int, Field(ge=1, le=MAX_QUOTE_QUANTITY)] | None = None
    free_model: ModelRef | None = None

    @model_validator(mode="after")
    def _bounds(self) -> BuyGet:
        if self.maximum_quantity is not None and self.maximum_quantity < self.minimum_quantity:
            raise ValueError("maximum_quantity must not be below minimum_quantity")
        return self


class Gift(BaseModel):
    """A gift line: `quantity` units of `model` (a catalogue model or a gift item's code) at
    `unit_price_fen` (0 = free)."""

    kind: Literal["gift"] = "gift"
    model: ModelRef
    name: Name | None = None
    quantity: Annotated[int, Field(ge=1, le=1000)] = 1
    unit_price_fen: Fen = 0


class OrderAmountOff(BaseModel):
    kind: Literal["order_amount_off"] = "order_amount_off"
    amount_fen: Fen


class OrderPercentOff(BaseModel):
    kind: Literal["order_percent_off"] = "order_percent_off"
    percent: Percent


class PointsMultiplier(BaseModel):
    """Points earned on the matched lines are multiplied (loyalty applies it when the order is paid)."""

    kind: Literal["points_multiplier"] = "points_multiplier"
    factor: Factor


class PointsAward(BaseModel):
    """Extra points for the order (once per order, whatever the number of matched lines)."""

    kind: Literal["points_award"] = "points_award"
    points: Points


Action = Annotated[
    PercentOff | PercentOfList | AmountOff | FixedPrice | BuyGet | Gift | OrderAmountOff | OrderPercentOff
    | PointsMultiplier | PointsAward,
    Field(discriminator="kind"),
]

# Which actions each stage accepts (checked at validation and publish).
STAGE_ACTIONS: dict[PricingStage, frozenset[str]] = {
    PricingStage.TIER: frozenset({"percent_of_list", "fixed_price"}),
    PricingStage.MEMBER: frozenset({"percent_off", "fixed_price"}),
    PricingStage.PROMOTION: frozenset(
        {"percent_off", "amount_off", "fixed_price", "buy_get", "gift", "points_multiplier", "points_award"}
    ),
    PricingStage.ORDER: frozenset({"order_amount_off", "order_percent_off", "gift", "points_award"}),
    PricingStage.COUPON: frozenset({"order_amount_off", "order_percent_off", "percent_off", "amount_off"}),
}


class PricingRule(BaseModel):
    """One commercial rule of a price document."""

    id: RuleId
    name: Name
    stage: PricingStage
    priority: Annotated[int, Field(ge=0, le=10_000)] = 0  # higher first
    conditions: Conditions = []
    action: Action
    stacking: Stacking | None = None  # None: the stage's default (see DEFAULT_STACKING)
    exclusive_group: RuleId | None = None
    group_policy: GroupPolicy = GroupPolicy.PRIORITY
    combine: Combine = Combine.ADDITIVE
    cap_fen: Fen | None = None  # most this rule may give in one quote
    budget_fen: Fen | None = None  # most this rule may give over all placed orders
    rounding: Rounding = Rounding.HALF_UP
    window: ValidityWindow = ValidityWindow()
    coupon: CampaignKey | None = None  # COUPON stage: the campaign whose codes unlock it

    def effective_stacking(self) -> Stacking:
        return self.stacking or DEFAULT_STACKING[self.stage]


DEFAULT_STACKING: dict[PricingStage, Stacking] = {
    PricingStage.TIER: Stacking.EXCLUSIVE,
    PricingStage.MEMBER: Stacking.EXCLUSIVE,
    PricingStage.PROMOTION: Stacking.STACKABLE,
    PricingStage.ORDER: Stacking.BEST,
    PricingStage.COUPON: Stacking.STACKABLE,
}


class PricingDocument(BaseModel):
    """The body of a pricing rule-set version: data, not code. Rule ids are unique within it."""

    rules: Annotated[list[PricingRule], Field(max_length=MAX_RULES)] = []


# --- the facts pricing rules may test ---------------------------------------------------------
def _f(kind: FactKind, description: str, threshold: bool = False) -> FactField:
    return FactField(kind=kind, threshold=threshold, description=description)


_T, _I, _B, _L = FactKind.TEXT, FactKind.INT, FactKind.BOOL, FactKind.TEXT_LIST

# Context of the quote: who buys, where and when (the same in every fact of a quote).
CONTEXT_FACTS: FactSchema = {
    "channel_type": _f(_T, "dealer's channel type (agent, direct_retailer, …); '' for a member without a dealer"),
    "cooperation_level": _f(_T, "dealer's cooperation level (provincial_agent, city_agent, …)"),
    "dealer": _f(_T, "dealer code"),
    "dealer_ancestors": _f(_L, "codes of the dealer's parents up the tree"),
    "region": _f(_T, "region code (6 digits) of the store, else the dealer's first region, else the member's"),
    "store": _f(_T, "store code"),
    "member_tier": _f(_T, "member's tier (normal, silver, gold, platinum); '' without a member"),
    "member_tags": _f(_L, "member's tags"),
    "is_member": _f(_B, "a member is buying"),
    "birthday_month": _f(_B, "the quote's date is in the member's birthday month"),
    "coupon_campaigns": _f(_L, "campaigns of the valid coupon codes presented", threshold=True),
    "date": _f(_I, "the quote's date in the brand's time zone, YYYYMMDD", threshold=True),
    "weekday": _f(_I, "1 (Monday) to 7 (Sunday)", threshold=True),
    "hour": _f(_I, "hour of the day 0–23 in the brand's time zone", threshold=True),
    "at": _f(_I, "the quote's moment in epoch seconds", threshold=True),
    # The whole order, at the amounts the stage starts from.
    "order_quantity": _f(_I, "units in the order (free and gift lines excluded)", threshold=True),
    "order_amount_fen": _f(_I, "order amount at the stage's input prices", threshold=True),
    "order_models": _f(_L, "models in the order (another line's condition: buy A, unlock B)"),
    "order_categories": _f(_L, "categories in the order"),
}

LINE_FACTS: FactSchema = {
    **CONTEXT_FACTS,
    "model": _f(_T, "product model number"),
    "category": _f(_T, "product category (air_conditioner, washer, …)"),
    "brand": _f(_T, "product brand"),
    "quantity": _f(_I, "units on this line", threshold=True),
    "amount_fen": _f(_I, "this line's amount at the stage's input price", threshold=True),
    "unit_price_fen": _f(_I, "unit price at the stage's input", threshold=True),
    "list_price_fen": _f(_I, "unit list price", threshold=True),
    "category_quantity": _f(_I, "units of this line's category in the order (summed across lines)", threshold=True),
    "category_amount_fen": _f(_I, "amount of this line's category in the order (summed across lines)", threshold=True),
}

ORDER_FACTS: FactSchema = dict(CONTEXT_FACTS)


# --- the quote ---------------------------------------------------------------------------------
class QuoteLineInput(BaseModel):
    model: ModelRef
    quantity: Annotated[int, Field(ge=1, le=MAX_QUOTE_QUANTITY)]


class QuoteContext(BaseModel):
    """Who buys, where, when. A dealer or store sets the channel facts; a member the member facts."""

    dealer_code: str | None = None
    store_code: str | None = None
    member_no: str | None = None
    at: datetime | None = None  # default: now; must be timezone-aware
    coupon_codes: Annotated[list[CouponCode], Field(max_length=MAX_COUPONS)] = []

    @field_validator("at")
    @classmethod
    def _aware(cls, at: datetime | None) -> datetime | None:
        if at is not None and at.utcoffset() is None:
            raise ValueError("a moment must carry a time zone")
        # Rule windows and facts use epoch seconds and the brand's calendar: keep to real dates.
        if at is not None and not MIN_QUOTE_YEAR <= at.year <= MAX_QUOTE_YEAR:
            raise ValueError(f"must be between the years {MIN_QUOTE_YEAR} and {MAX_QUOTE_YEAR}")
        return at


class QuoteRequest(BaseModel):
    lines: Annotated[list[QuoteLineInput], Field(min_length=1, max_length=MAX_QUOTE_LINES)]
    context: QuoteContext = QuoteContext()


class PricedLineInput(BaseModel):
    """A line as the pricing core receives it: the product resolved from the catalogue."""

    model_config = ConfigDict(frozen=True)

    line_no: int
    model: str
    category: str
    brand: str
    quantity: int
    list_price_fen: int


class Buyer(BaseModel):
    """The quote context resolved from the store: the facts about who buys."""

    model_config = ConfigDict(frozen=True)

    channel_type: str = ""
    cooperation_level: str = ""
    dealer: str = ""
    dealer_ancestors: tuple[str, ...] = ()
    region: str = ""
    store: str = ""
    member_no: str = ""
    member_tier: str = ""
    member_tags: tuple[str, ...] = ()
    birthday_month: int | None = None  # 1–12


class CouponState(BaseModel):
    """A presented code as the store knows it: its campaign and whether it may still be used."""

    model_config = ConfigDict(frozen=True)

    code: str
    campaign: str | None  # None: no such code
    usable: bool
    reason: str = ""  # why not usable (used up, per-member limit, …)


class PricingInput(BaseModel):
    """Everything the pure pricing core needs: a quote is a function of this alone."""

    model_config = ConfigDict(frozen=True)

    lines: tuple[PricedLineInput, ...]
    buyer: Buyer
    at: datetime  # aware
    time_zone: str  # the brand's, for date/weekday/hour facts
    coupons: tuple[CouponState, ...] = ()
    budget_left_fen: dict[str, int] = {}  # "rule_set/rule_id" → what its budget still allows


class Discount(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule_set: str
    rule_id: str
    stage: PricingStage
    amount_fen: int  # for the whole line (or, allocated, the line's share of an order discount)


class QuoteLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    line_no: int
    model: str
    quantity: int
    kind: Literal["sale", "free", "gift"] = "sale"
    source_rule: str | None = None  # for free and gift lines: "rule_set/rule_id"
    list_price_fen: int
    tier_price_fen: int  # unit price after the channel tier
    member_price_fen: int  # unit price after the member price
    list_amount_fen: int
    discounts: tuple[Discount, ...] = ()  # promotions, then allocated order and coupon discounts
    final_amount_fen: int  # what the buyer pays for the line
    final_unit_price_fen: Decimal  # final amount / quantity, to the fen (informative)
    points_multiplier: Decimal = Decimal(1)


class QuoteTotals(BaseModel):
    model_config = ConfigDict(frozen=True)

    list_amount_fen: int
    tier_amount_fen: int
    line_discount_fen: int
    order_discount_fen: int
    coupon_discount_fen: int
    gift_amount_fen: int
    final_amount_fen: int
    points_award: int = 0  # extra points promotions award (loyalty adds the earn rules)


class Quote(BaseModel):
    model_config = ConfigDict(frozen=True)

    lines: tuple[QuoteLine, ...]
    totals: QuoteTotals
    coupons_applied: tuple[str, ...] = ()
    trace: tuple[TraceEntry, ...] = ()
    versions: tuple[VersionRef, ...] = ()
    at: datetime
