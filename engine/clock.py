"""The brand's calendar: its time zone, "today" there, and calendar-month arithmetic.

Business dates (purchase dates, warranty ends, plan days) are dates in the brand's time zone,
never in the server's or in UTC: 01:00 in Shanghai is still "yesterday" in UTC.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from engine.settings import get_settings

BRAND_TZ = ZoneInfo(get_settings().brand_time_zone)


def now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    return datetime.now(UTC)


def today(at: datetime | None = None) -> date:
    """The calendar date in the brand's time zone at `at` (default: now); `at` must be aware."""
    instant = at if at is not None else now()
    if instant.tzinfo is None:
        raise ValueError("naive datetime refused: time must be timezone-aware")
    return instant.astimezone(BRAND_TZ).date()


def add_months(start: date, months: int) -> date:
    """`start` moved by whole calendar months, clamped to the month's last day (Jan 31 + 1 = Feb 28/29)."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
