"""Settlement periods: calendar months, quarters and years in the brand's time zone, each
settled on its own (a period's accumulator starts at zero)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time

from engine.clock import BRAND_TZ, add_months
from schemas.enums import PeriodKind
from schemas.rebates import Period

MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


def end_date(period: Period) -> date:
    """The first day after the period (exclusive end)."""
    return add_months(period.start, MONTHS[period.kind])


def bounds(period: Period) -> tuple[datetime, datetime]:
    """The period's start (inclusive) and end (exclusive) as aware UTC instants: midnight in the
    brand's time zone, so an order at 00:30 Shanghai time on Feb 1 belongs to February."""
    return _midnight(period.start), _midnight(end_date(period))


def last_year(period: Period) -> Period:
    """The same period one year earlier (growth is measured against it)."""
    return Period(kind=period.kind, start=period.start.replace(year=period.start.year - 1))


def scope_key(period: Period) -> str:
    """A period's stable name, e.g. "quarter:2026-04-01" (statements are unique per it)."""
    return f"{period.kind.value}:{period.start.isoformat()}"


def containing(kind: PeriodKind, at: datetime) -> Period:
    """The period of this kind that the aware instant `at` falls in (in the brand's time zone)."""
    if at.utcoffset() is None:
        raise ValueError("naive datetime refused: time must be timezone-aware")
    day = at.astimezone(BRAND_TZ).date()
    month = day.month - (day.month - 1) % MONTHS[kind]
    return Period(kind=kind, start=date(day.year, month, 1))


def periods_within(kind: PeriodKind, start: datetime, end: datetime) -> Iterator[Period]:
    """The periods of this kind that overlap [start, end), in order."""
    if end <= start:
        return
    period = containing(kind, start)
    while bounds(period)[0] < end:
        yield period
        period = Period(kind=kind, start=end_date(period))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), BRAND_TZ).astimezone(UTC)
