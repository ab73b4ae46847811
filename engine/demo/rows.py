"""Plain rows (column name -> value) and the clock helpers every demo table uses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from engine.clock import BRAND_TZ

Row = dict[str, Any]
Rows = list[Row]


def local_instant(day: date, minute_of_day: int) -> datetime:
    """The UTC instant of `minute_of_day` (may exceed a day or be negative) on `day` in Shanghai.

    Counted from local midnight: right for a zone without daylight saving, as Shanghai's is.
    """
    return _midnight(day) + timedelta(minutes=minute_of_day)


@lru_cache(maxsize=8192)
def _midnight(day: date) -> datetime:
    # Cached: hundreds of thousands of rows fall on a few thousand distinct days.
    return datetime.combine(day, time(0), tzinfo=BRAND_TZ).astimezone(UTC)


def stamped(row: Row, at: datetime) -> Row:
    """`row` with created_at and updated_at set to `at`, so a load holds no wall-clock time."""
    row["created_at"] = at
    row["updated_at"] = at
    return row
