"""Filter inputs shared by every `where`: ranges of dates and times."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, String, cast, false, func, or_
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
    if isinstance(value, DateTimeRange):
        low, high = _utc(low, field), _utc(high, field)
    conditions = []
    if low is not None:
        conditions.append(column >= low)
    if high is not None:
        conditions.append(column < high if isinstance(value, DateTimeRange) else column <= high)
    return conditions


def _utc(moment: datetime | None, field: str) -> datetime | None:
    """The bound in UTC; a client error if it has no offset or falls off the calendar in UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ClientError(f"{field}: times must carry a time zone offset", ErrorCode.INVALID, field)
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ClientError(f"{field}: {moment.isoformat()} is out of range", ErrorCode.OUT_OF_RANGE, field) from exc


def json_list_contains(column: InstrumentedAttribute[Any], value: str, allowed: str) -> ColumnElement[bool]:
    """The JSON list of strings in `column` holds `value`, on SQLite and PostgreSQL alike.

    Matches the quoted value in the list's JSON text; `allowed` (a regex the stored values obey,
    with no quotes, backslashes or commas) guarantees a quoted value is always one whole element.
    Both spellings of non-ASCII are tried, escaped as json.dumps stores it and raw as JSONB would.
    `replace(t, v, '') <> t` rather than LIKE, because LIKE ignores ASCII case on SQLite only.
    """
    if re.fullmatch(allowed, value) is None:
        return false()  # no stored value can equal it, and its quotes or commas could match across elements
    text = cast(column, String)
    forms = sorted({json.dumps(value), json.dumps(value, ensure_ascii=False)})
    return or_(*(func.replace(text, form, "") != text for form in forms))
