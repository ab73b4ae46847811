"""Contracts of the rules engine: conditions over facts, rule-set versions and the trace.

A domain (pricing, loyalty, rebates) declares the facts its rules may test as a `FactSchema`;
its rule documents carry `Condition`s over those facts; `engine.rules` compiles them to
durable-rules and evaluates facts against them. Money in facts is integer fen, dates are
integers (YYYYMMDD), moments are epoch seconds: durable-rules only knows JSON numbers and strings.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

MAX_CONDITIONS = 20
MAX_VALUES = 200

# Rule ids are slugs: unique in their document, stable across versions, safe as durable-rules names.
RuleId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_\-]*$")
]
FactName = Annotated[str, StringConstraints(min_length=1, max_length=48, pattern=r"^[a-z][a-z0-9_]*$")]
RuleSetKey = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_\-.]*$")
]
Scalar = Annotated[str, StringConstraints(max_length=200)] | int | bool


class Op(str, Enum):
    """How a condition compares its fact with its value."""

    EQ = "eq"
    NE = "ne"
    IN = "in"  # the fact is one of the values
    NOT_IN = "not_in"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    HAS = "has"  # a list fact contains the value
    HAS_ANY = "has_any"  # a list fact contains at least one of the values
    HAS_NONE = "has_none"  # a list fact contains none of the values


LIST_OPS = frozenset({Op.IN, Op.NOT_IN, Op.HAS_ANY, Op.HAS_NONE})
ORDER_OPS = frozenset({Op.GT, Op.GTE, Op.LT, Op.LTE})
MEMBERSHIP_OPS = frozenset({Op.HAS, Op.HAS_ANY, Op.HAS_NONE})


class FactKind(str, Enum):
    TEXT = "text"
    INT = "int"  # counts, fen, YYYYMMDD dates, epoch seconds
    BOOL = "bool"
    TEXT_LIST = "text_list"


class FactField(BaseModel):
    """One fact a domain's rules may test.

    `threshold` marks quantities, amounts, codes and times: a rule whose other conditions hold
    but a threshold fails is a near miss, reported in the trace with what is missing ("buy 2
    more"), while a rule whose scope (product, channel, member…) does not hold is simply silent.
    """

    model_config = ConfigDict(frozen=True)

    kind: FactKind
    threshold: bool = False
    description: str = ""


FactSchema = dict[str, FactField]


def _values_fit_op(condition: Condition) -> Condition:
    many = isinstance(condition.value, list)
    if condition.op in LIST_OPS and not many:
        raise ValueError(f"`{condition.op.value}` takes a list of values")
    if condition.op not in LIST_OPS and many:
        raise ValueError(f"`{condition.op.value}` takes a single value")
    if many and not condition.value:
        raise ValueError("the list of values must not be empty")
    return condition


class Condition(BaseModel):
    """`fact op value`, e.g. {"fact": "quantity", "op": "gte", "value": 4}. A rule's conditions
    must all hold. Whether the fact exists and the value's type fits it is checked against the
    domain's FactSchema (`engine.rules.check_conditions`)."""

    model_config = ConfigDict(frozen=True)

    fact: FactName
    op: Op
    value: Scalar | Annotated[list[Scalar], Field(max_length=MAX_VALUES)]


Conditions = Annotated[
    list[Annotated[Condition, AfterValidator(_values_fit_op)]], Field(max_length=MAX_CONDITIONS)
]


class RuleSpec(BaseModel):
    """What the compiler needs of a rule of any domain: its id and its conditions."""

    model_config = ConfigDict(frozen=True)

    rule_id: RuleId
    conditions: tuple[Condition, ...] = ()


class RuleSetKind(str, Enum):
    PRICING = "pricing"
    LOYALTY = "loyalty"
    REBATE = "rebate"
    PRICE_PROTECTION = "price_protection"


class RuleSetStatus(str, Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class ValidityWindow(BaseModel):
    """When a version (or a rule) is live: from `valid_from` (inclusive) to `valid_to`
    (exclusive); either end may be open. Times must be timezone-aware."""

    model_config = ConfigDict(frozen=True)

    valid_from: datetime | None = None
    valid_to: datetime | None = None

    @model_validator(mode="after")
    def _aware_and_ordered(self) -> ValidityWindow:
        for name in ("valid_from", "valid_to"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"{name} must carry a time zone")
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValueError("valid_to must be after valid_from")
        return self

    def contains(self, moment: datetime) -> bool:
        return (self.valid_from is None or self.valid_from <= moment) and (
            self.valid_to is None or moment < self.valid_to
        )


class TraceOutcome(str, Enum):
    APPLIED = "applied"
    NOT_APPLIED = "not_applied"


class TraceReason(str, Enum):
    """Why a rule that concerned this quote did not apply (or applied only in part)."""

    CONDITION_FAILED = "condition_failed"  # in scope, but a threshold condition failed
    OUTSIDE_WINDOW = "outside_window"
    LOST_TO_PRIORITY = "lost_to_priority"  # an exclusive rule of higher priority applied
    EXCLUSIVE_GROUP = "exclusive_group"  # another rule of its exclusive group won
    NOT_BEST_DEAL = "not_best_deal"  # best-deal choice among order-level discounts
    CAPPED = "capped"  # applied, limited by the rule's cap
    BUDGET_EXHAUSTED = "budget_exhausted"
    USAGE_EXHAUSTED = "usage_exhausted"  # coupon code used up (per code or per member)
    COUPON_INVALID = "coupon_invalid"  # unknown code, or a code of a campaign not live
    NOTHING_TO_DISCOUNT = "nothing_to_discount"  # the line or order is already at zero


class TraceEntry(BaseModel):
    """One rule's part in one result: applied (with its amount) or not (with the reason)."""

    model_config = ConfigDict(frozen=True)

    rule_set: str
    version: int
    rule_id: str
    rule_name: str
    stage: str
    outcome: TraceOutcome
    reason: TraceReason | None = None
    line_no: int | None = None  # None for order-level rules
    amount_fen: int = 0  # discount (or points) this rule contributed
    detail: str = ""
    failed_conditions: tuple[Condition, ...] = ()
    hint: str | None = None  # e.g. "buy 2 more to get 1 free"


class VersionRef(BaseModel):
    """A rule-set version an evaluation used, recorded with its result."""

    model_config = ConfigDict(frozen=True)

    rule_set: str
    version: int
    digest: str


def canonical(document: BaseModel) -> dict[str, Any]:
    """The JSON form used for content addresses: by alias-free field names, no unset defaults lost."""
    return document.model_dump(mode="json")
