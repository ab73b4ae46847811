"""Filter inputs shared by every `where`: ranges of dates and times."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute

from api.errors import ClientError
from schemas.errors import ErrorCode


@strawberry.input(description="A half-open time range [gte, lt); either end may be omitted.")
class DateTimeRange:
    gte: datetime | None = None
    lt: datetime | None = None


@strawberry.input(description="A closed date range [gte, lte]; either end may be omitted.")
class DateRange:
    gte: date | None = None
    lte: date | None = None


def range_conditions(
    column: InstrumentedAttribute[Any], value: DateTimeRange | DateRange | None, field: str
) -> list[ColumnElement[bool]]:
    if value is None:
        return []
    low = value.gte
    high = value.lt if isinstance(value, DateTimeRange) else value.lte
    for bound in (low, high):
        if isinstance(bound, datetime) and bound.tzinfo is None:
            raise ClientError(f"{field}: times must carry a time zone offset", ErrorCode.INVALID, field)
    conditions = []
    if low is not None:
        conditions.append(column >= low)
    if high is not None:
        conditions.append(column < high if isinstance(value, DateTimeRange) else column <= high)
    return conditions
