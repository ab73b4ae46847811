"""Contracts of the sales domain: dealer orders with their lines, status changes, sales targets."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from schemas.common import Code, Fen, Note, Version
from schemas.enums import PeriodKind

MAX_LINES = 200
MAX_QUANTITY = 100_000

# Generated order numbers: "SO" + the brand's calendar date the order is placed on (YYYYMMDD) + a
# daily sequence of exactly 5 digits, e.g. SO2024030100001. The form is reserved: a client may not
# choose such a number, so the day's sequence is the service's alone and never overflows the column.
ORDER_NO_PREFIX = "SO"
ORDER_NO_SEQUENCE_DIGITS = 5
MAX_ORDER_SEQUENCE = 10**ORDER_NO_SEQUENCE_DIGITS - 1
_GENERATED_ORDER_NO = re.compile(rf"{ORDER_NO_PREFIX}[0-9]{{8}}[0-9]{{{ORDER_NO_SEQUENCE_DIGITS}}}")


def order_no_prefix(day: date) -> str:
    """The part every number generated on `day` starts with, e.g. SO20240301."""
    return f"{ORDER_NO_PREFIX}{day:%Y%m%d}"


def generated_order_no(day: date, sequence: int) -> str:
    """The `sequence`-th number generated on `day` (1 to MAX_ORDER_SEQUENCE)."""
    return f"{order_no_prefix(day)}{sequence:0{ORDER_NO_SEQUENCE_DIGITS}d}"


def is_generated_order_no(value: str) -> bool:
    """True for numbers of the generated form, which clients may not choose for themselves."""
    return _GENERATED_ORDER_NO.fullmatch(value) is not None


Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]


class SalesOrderLineFields(BaseModel):
    """One ordered product; the unit price defaults to the product's list price."""

    product_id: int
    quantity: Quantity
    unit_price_fen: Fen | None = None


Lines = Annotated[list[SalesOrderLineFields], Field(min_length=1, max_length=MAX_LINES)]


class SalesOrderCreateFields(BaseModel):
    """A new order; `order_no` is generated when omitted."""

    dealer_id: int
    store_id: int | None = None
    note: Note | None = None
    order_no: Code | None = None
    lines: Lines

    @field_validator("order_no")
    @classmethod
    def _not_of_the_generated_form(cls, value: str | None) -> str | None:
        if value is not None and is_generated_order_no(value):
            raise ValueError(
                f"{value!r} has the form of a generated order number (SO + 8 + 5 digits); "
                "leave the number out to get one generated, or choose another"
            )
        return value


class SalesOrderUpdateFields(BaseModel):
    """Changes to a placed order; only the fields sent (see `model_fields_set`) apply."""

    note: Note | None = None
    store_id: int | None = None
    lines: Lines | None = None
    expected_version: Version | None = None


class SalesOrderTransitionFields(BaseModel):
    """What comes with a status change: a note for the history, the version the caller saw."""

    note: Note | None = None
    expected_version: Version | None = None


# How many calendar months a period of each kind spans; periods are aligned on the year, so a
# period starts on the 1st of a month whose index in the year is a multiple of its length.
PERIOD_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


def is_period_start(kind: PeriodKind, day: date) -> bool:
    """Whether `day` opens a period of this kind (1st of a month, of a quarter, of a year)."""
    return day.day == 1 and (day.month - 1) % PERIOD_MONTHS[kind] == 0


class SalesTargetFields(BaseModel):
    """A sales amount for exactly one owner (a dealer or a store) over one period."""

    model_config = ConfigDict(from_attributes=True)

    dealer_id: int | None = None
    store_id: int | None = None
    period_kind: PeriodKind
    period_start: date
    amount_fen: Fen

    @field_validator("period_start")
    @classmethod
    def _opens_its_period(cls, value: date, info: ValidationInfo) -> date:
        kind = info.data.get("period_kind")
        if kind is not None and not is_period_start(kind, value):
            raise ValueError(
                f"a {kind.value} period must start on its first day ({_first_days(kind)})"
            )
        return value


def _first_days(kind: PeriodKind) -> str:
    return {
        PeriodKind.MONTH: "the 1st of a month",
        PeriodKind.QUARTER: "Jan 1, Apr 1, Jul 1 or Oct 1",
        PeriodKind.YEAR: "Jan 1",
    }[kind]
