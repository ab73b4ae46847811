"""Contracts of what dealers report and finance records about them: payments received, stock on
hand, sell-out, price violations. Settlements and price protection read what these store.

A report is a batch: every offending row is reported at once, by its path, and nothing of the
batch is stored unless all of it is valid.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, field_validator

from schemas.common import Code, Note

MAX_REPORT_ROWS = 1000
MAX_UNITS = 10**9

# Generated payment numbers: "PM" + the brand's calendar date the payment was received on
# (YYYYMMDD) + a daily sequence of 5 digits, e.g. PM2026030100001. The form is reserved for
# generated numbers, so a day's sequence is the service's alone.
PAYMENT_NO_PREFIX = "PM"
PAYMENT_NO_SEQUENCE_DIGITS = 5
MAX_PAYMENT_SEQUENCE = 10**PAYMENT_NO_SEQUENCE_DIGITS - 1
_GENERATED_PAYMENT_NO = re.compile(rf"{PAYMENT_NO_PREFIX}[0-9]{{8}}[0-9]{{{PAYMENT_NO_SEQUENCE_DIGITS}}}")


def payment_no_prefix(day: date) -> str:
    return f"{PAYMENT_NO_PREFIX}{day:%Y%m%d}"


def is_generated_payment_no(value: str) -> bool:
    return _GENERATED_PAYMENT_NO.fullmatch(value) is not None


class SellOutBuyer(str, Enum):
    STORE = "store"
    CONSUMER = "consumer"


def _in_utc(value: datetime) -> datetime:
    """The same instant in UTC; 0001-01-01T00:00+14:00, for one, has no UTC form."""
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the time is out of the supported range") from exc


# Reports and records are kept in UTC (instants) and by the brand's calendar day (dates); a day
# before 2000 is a typo, and far enough from the calendar's edge that every day has a UTC midnight.
Instant = Annotated[AwareDatetime, AfterValidator(_in_utc)]
Day = Annotated[date, Field(ge=date(2000, 1, 1))]
Units = Annotated[int, Field(ge=0, le=MAX_UNITS)]
Quantity = Annotated[int, Field(ge=1, le=100_000)]
PaymentFen = Annotated[int, Field(ge=1, le=10**15, description="money in fen (0.01 CNY), more than 0")]


class DealerPaymentFields(BaseModel):
    """Money a dealer paid, against one of its own orders or on account (no order)."""

    dealer_id: int
    order_id: int | None = None
    amount_fen: PaymentFen
    received_at: Instant
    payment_no: Code | None = None  # the finance system's reference; generated when omitted
    note: Note | None = None

    @field_validator("payment_no")
    @classmethod
    def _not_of_the_generated_form(cls, value: str | None) -> str | None:
        if value is not None and is_generated_payment_no(value):
            raise ValueError(f"{value!r} has the form of a generated payment number (PM + 8 + 5 digits); "
                             "leave the number out to get one generated, or choose another")
        return value


class StockRowFields(BaseModel):
    product_id: int
    on_hand: Units


class StockReportFields(BaseModel):
    """Units on hand at the end of `as_of` (brand time zone), per model; a model reported again
    for the same day replaces what was reported before."""

    dealer_id: int
    as_of: Day
    rows: Annotated[list[StockRowFields], Field(min_length=1, max_length=MAX_REPORT_ROWS)]


class SellOutRowFields(BaseModel):
    """Units of one model sold on a day to a store or to consumers; `store_code` names one of the
    dealer's stores (the store bought them, or consumers bought them there)."""

    product_id: int
    sold_on: Day
    quantity: Quantity
    buyer: SellOutBuyer
    store_code: Code | None = None


class SellOutReportFields(BaseModel):
    dealer_id: int
    rows: Annotated[list[SellOutRowFields], Field(min_length=1, max_length=MAX_REPORT_ROWS)]


class PriceViolationFields(BaseModel):
    """A breach of the price policy observed at a dealer (for one model, or in general)."""

    dealer_id: int
    product_id: int | None = None
    observed_at: Instant
    note: Note
