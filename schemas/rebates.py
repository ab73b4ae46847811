"""Contracts of channel settlements: rebate and price-protection policy documents, the facts
their conditions test, and the statements and claims they produce.

Policies are rule documents (kinds `rebate` and `price_protection`, versioned and published
like pricing documents). Their conditions are evaluated by engine.rules on two kinds of facts:
a policy's `eligibility` on one fact per dealer (who it is, and its standing: overdue
receivables, price-violation records), its `scope` on one fact per product (which purchases
count). The volumes themselves are aggregated over the order lines in SQL and numpy.

Money is integer fen at the edges; rates are Decimal percentages; amounts are rounded half-up
to the fen once per policy and dealer. Periods are calendar periods in the brand's time zone.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from schemas.common import Fen, Name
from schemas.enums import PeriodKind
from schemas.rules import Conditions, FactField, FactKind, FactSchema, RuleId, VersionRef

MAX_POLICIES = 200
MAX_TIERS = 20
MIN_YEAR, MAX_YEAR = 2000, 2200  # a period's ends must have a UTC form
Percent = Annotated[Decimal, Field(gt=0, le=100, max_digits=7, decimal_places=4)]
Measure = Annotated[Decimal, Field(ge=0, le=10**15, max_digits=19, decimal_places=4)]
Days = Annotated[int, Field(ge=1, le=3660)]

# --- the facts a policy's conditions may test -----------------------------------------------
DEALER_FACTS: FactSchema = {
    "dealer": FactField(kind=FactKind.TEXT, description="the dealer's code"),
    "dealer_ancestors": FactField(kind=FactKind.TEXT_LIST, description="codes of the dealers above it"),
    "channel_type": FactField(kind=FactKind.TEXT),
    "cooperation_level": FactField(kind=FactKind.TEXT),
    "regions": FactField(kind=FactKind.TEXT_LIST, description="region codes it is authorised in"),
    # Standing at the settlement's moment: thresholds, so a dealer who fails them is a near miss
    # reported on its statement ("not eligible: overdue receivables 12,000.00"), not silence.
    "overdue_fen": FactField(kind=FactKind.INT, threshold=True,
                             description="receivables past their due date and unpaid, in fen"),
    "price_violations": FactField(kind=FactKind.INT, threshold=True,
                                  description="price-violation records in the period"),
}
PRODUCT_FACTS: FactSchema = {
    "model": FactField(kind=FactKind.TEXT),
    "category": FactField(kind=FactKind.TEXT),
    "brand": FactField(kind=FactKind.TEXT),
}


# --- rebate policies --------------------------------------------------------------------------
class Basis(str, Enum):
    """What a dealer's volume is made of, over its in-scope order lines of the period."""

    PURCHASE_AMOUNT = "purchase_amount"  # amount of the orders placed (fen)
    PAID_AMOUNT = "paid_amount"  # of that, what was paid by the order's due date (fen)
    QUANTITY = "quantity"  # units ordered


class MeasureKind(str, Enum):
    """What the tiers' thresholds are compared with."""

    VOLUME = "volume"  # the basis itself (fen or units)
    TARGET_PERCENT = "target_percent"  # volume as a percentage of the dealer's sales target
    GROWTH_PERCENT = "growth_percent"  # growth of the volume over the same period last year


class TierMode(str, Enum):
    RETROACTIVE = "retroactive"  # the reached tier's reward on the whole volume
    MARGINAL = "marginal"  # each band of the volume at its own rate


class SettlementForm(str, Enum):
    CASH = "cash"
    CREDIT = "credit"  # credit against future invoices
    GOODS = "goods"


class Tier(BaseModel):
    """Reached when the measure is at least `at_least` (fen or units for VOLUME, a percentage for
    the others). The reward is one of: `percent` of the volume (amount bases), `per_unit_fen`
    for each unit (QUANTITY basis), or a fixed `amount_fen` (RETROACTIVE only). MARGINAL bands run
    from their `at_least` to the next tier's (or to `up_to`, the last band's end)."""

    model_config = ConfigDict(frozen=True)

    at_least: Measure
    percent: Percent | None = None
    per_unit_fen: Fen | None = None
    amount_fen: Fen | None = None

    @model_validator(mode="after")
    def _one_reward(self) -> Tier:
        given = [n for n in ("percent", "per_unit_fen", "amount_fen") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("a tier gives exactly one of percent, per_unit_fen and amount_fen")
        return self


class Campaign(BaseModel):
    """A promotion's sell-in window: a campaign rebate settles once, when the campaign has ended."""

    model_config = ConfigDict(frozen=True)

    key: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_\-]*$")]
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @model_validator(mode="after")
    def _ordered(self) -> Campaign:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class RebatePolicy(BaseModel):
    """One rebate programme. Periodic (`period`) policies settle each month, quarter or year on
    its own; a `campaign` policy settles a promotion's sell-in once, after it ends. Exactly one
    of the two is given."""

    model_config = ConfigDict(frozen=True)

    id: RuleId
    name: Name
    period: PeriodKind | None = None
    campaign: Campaign | None = None
    basis: Basis = Basis.PURCHASE_AMOUNT
    measure: MeasureKind = MeasureKind.VOLUME
    mode: TierMode = TierMode.RETROACTIVE
    tiers: Annotated[tuple[Tier, ...], Field(min_length=1, max_length=MAX_TIERS)]
    up_to: Measure | None = None  # MARGINAL: volume above this earns nothing
    eligibility: Conditions = []  # over DEALER_FACTS: who may earn it
    scope: Conditions = []  # over PRODUCT_FACTS: which purchases count (all when empty)
    cap_fen: Fen | None = None  # per dealer and period
    settlement: SettlementForm = SettlementForm.CASH


class RebateDocument(BaseModel):
    """A rule document of kind `rebate`."""

    policies: Annotated[list[RebatePolicy], Field(max_length=MAX_POLICIES)] = []


# --- price protection ---------------------------------------------------------------------------
class ProtectionPolicy(BaseModel):
    """When a dealer price is cut, units a dealer received within `window_days` before the cut and
    still holds are credited (old dealer price − new) each, up to `cap_fen` per dealer and cut;
    the claim must be approved within `claim_days` of the cut."""

    model_config = ConfigDict(frozen=True)

    id: RuleId
    name: Name
    window_days: Days
    claim_days: Days = 30
    eligibility: Conditions = []  # over DEALER_FACTS
    scope: Conditions = []  # over PRODUCT_FACTS
    cap_fen: Fen | None = None
    settlement: SettlementForm = SettlementForm.CREDIT


class PriceProtectionDocument(BaseModel):
    """A rule document of kind `price_protection`."""

    policies: Annotated[list[ProtectionPolicy], Field(max_length=MAX_POLICIES)] = []


# --- statements and claims ----------------------------------------------------------------------
class StatementKind(str, Enum):
    DEALER_REBATE = "dealer_rebate"
    PROMOTION_REBATE = "promotion_rebate"
    PRICE_PROTECTION = "price_protection"


class StatementStage(str, Enum):
    ACCRUAL = "accrual"  # during the period: the rate reached so far on the volume so far
    FINAL = "final"  # after the period: the amount due, with the true-up against the accrual


class StatementStatus(str, Enum):
    DRAFT = "draft"
    APPROVED = "approved"
    ISSUED = "issued"


class ClaimStatus(str, Enum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CREDITED = "credited"  # on a price-protection statement


class Period(BaseModel):
    """A calendar period in the brand's time zone, named by its kind and first day."""

    model_config = ConfigDict(frozen=True)

    kind: PeriodKind
    start: date

    @model_validator(mode="after")
    def _aligned(self) -> Period:
        if not MIN_YEAR <= self.start.year <= MAX_YEAR:
            raise ValueError(f"a period starts between {MIN_YEAR} and {MAX_YEAR}")
        if self.start.day != 1:
            raise ValueError("a period starts on the first day of a month")
        if self.kind is PeriodKind.QUARTER and (self.start.month - 1) % 3:
            raise ValueError("a quarter starts in January, April, July or October")
        if self.kind is PeriodKind.YEAR and self.start.month != 1:
            raise ValueError("a year starts on January 1")
        return self


class SettlementRunFields(BaseModel):
    """`rebateSettlementRun`: settle a period (all dealers, or these), as of a moment (default
    now; before the period's end the statements are accruals)."""

    period: Period
    dealer_ids: Annotated[list[int], Field(max_length=100_000)] | None = None
    as_of: AwareDatetime | None = None


class StatementTransitionFields(BaseModel):
    expected_version: Annotated[int, Field(ge=1)] | None = None
    note: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class PriceChangeFields(BaseModel):
    """`priceChangePublish`: publish a pricing draft (a new price-list version) at `effective_at`
    (default now, when it is published) and run price protection for the cuts it makes."""

    rule_set_version_id: int
    effective_at: AwareDatetime | None = None
    expected_version: Annotated[int, Field(ge=1)] | None = None


# --- what the settlement core returns (engine.rebates) ------------------------------------------
class DealerOutcome(BaseModel):
    """One policy's result for one dealer and period."""

    model_config = ConfigDict(frozen=True)

    policy: VersionRef
    rule_id: str
    dealer_id: int
    volume: Decimal  # fen or units
    measure: Decimal
    tier_index: int | None  # None: no tier reached
    amount_fen: int
    capped: bool = False
    eligible: bool = True
    reason: str = ""  # why nothing or less was earned (failed eligibility, below the first tier…)
    detail: str = ""  # how the amount was worked out, e.g. "100.00 × 5% + 100.00 × 10%"

