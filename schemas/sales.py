"""Contracts of the sales domain: dealer orders with their lines, status changes, sales targets."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from schemas.common import Code, Fen
from schemas.enums import PeriodKind

MAX_LINES = 200
MAX_QUANTITY = 100_000

Note = Annotated[str, Field(max_length=500)]
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]
Version = Annotated[int, Field(ge=1)]


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


_QUARTER_START_MONTHS = (1, 4, 7, 10)


def is_period_start(kind: PeriodKind, day: date) -> bool:
    """Whether `day` opens a period of this kind (1st of a month, of a quarter, of a year)."""
    if day.day != 1:
        return False
    if kind is PeriodKind.QUARTER:
        return day.month in _QUARTER_START_MONTHS
    if kind is PeriodKind.YEAR:
        return day.month == 1
    return True


def period_end(kind: PeriodKind, start: date) -> date:
    """The last day of the period of this kind that opens on `start`."""
    months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[kind]
    last_month = start.month + months - 1
    year = start.year + (last_month - 1) // 12
    month = (last_month - 1) % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


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
