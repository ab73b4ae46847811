"""Ledger arithmetic: lots and their FIFO use, expiry moments, and what a return takes back."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from engine.errors import FieldError
from schemas.errors import ErrorCode
from schemas.loyalty import PointsResult


@dataclass(frozen=True)
class Lot:
    """Points earned together (an order, an activity): what is left of them and until when."""

    id: int
    earned_at: datetime
    expires_at: datetime | None
    remaining: int

    def live(self, at: datetime) -> bool:
        return self.remaining > 0 and self.earned_at <= at and (self.expires_at is None or at < self.expires_at)


def available(lots: Sequence[Lot], at: datetime) -> int:
    return sum(lot.remaining for lot in lots if lot.live(at))


def allocate(lots: Sequence[Lot], points: int, at: datetime) -> list[tuple[int, int]]:
    """(lot id, points) taking up to `points` from the live lots at `at`, oldest first (by
    earned_at, then id); expired and empty lots are skipped. Takes less if there is less."""
    taken: list[tuple[int, int]] = []
    left = points
    for lot in sorted((lot for lot in lots if lot.live(at)), key=lambda lot: (lot.earned_at, lot.id)):
        if left <= 0:
            break
        part = min(lot.remaining, left)
        taken.append((lot.id, part))
        left -= part
    return taken


def expiry_moment(earned_at: datetime, days: int | None, tz: ZoneInfo) -> datetime | None:
    """Points earned on day D (brand calendar) are valid through day D + days - 1: they expire
    at midnight starting day D + days there. None: they never expire."""
    if days is None:
        return None
    day = earned_at.astimezone(tz).date() + timedelta(days=days)
    return datetime.combine(day, time(0), tz)


def check_return(
    result: PointsResult, returned_before: Mapping[int, int], returning: Mapping[int, int], path: tuple[str | int, ...]
) -> list[FieldError]:
    """Each returned line must be one of the order's, and no line returned beyond what was bought
    (counting the earlier returns)."""
    bought = {line.line_no: line.quantity for line in result.lines}
    errors = []
    for line_no, quantity in returning.items():
        here = (*path, line_no)
        if line_no not in bought:
            errors.append(FieldError(here, f"the order has no line {line_no}", ErrorCode.NOT_FOUND))
        elif quantity < 1:
            errors.append(FieldError(here, "return at least one unit", ErrorCode.OUT_OF_RANGE))
        elif returned_before.get(line_no, 0) + quantity > bought[line_no]:
            left = bought[line_no] - returned_before.get(line_no, 0)
            errors.append(FieldError(here, f"line {line_no} has {left} unit(s) left to return, not {quantity}",
                                     ErrorCode.OUT_OF_RANGE))
    if not returning:
        errors.append(FieldError(path, "name at least one line to return", ErrorCode.REQUIRED))
    return errors


def kept(result: PointsResult, returned: Mapping[int, int]) -> tuple[int, int]:
    """(points, growth) the order earns on what the member keeps after `returned` (line →
    units returned in all). Recomputed from the stored raw points, so the rules in force today
    do not matter: rate points are the kept units' raw points, rounded down once; bonus and
    extra points stay while any unit is kept; growth is the kept units' yuan, rounded down."""
    raw = Fraction(0)
    paid = Fraction(0)
    any_kept = False
    for line in result.lines:
        keep = line.quantity - returned.get(line.line_no, 0)
        any_kept = any_kept or keep > 0
        raw += Fraction(line.raw) * keep / line.quantity
        paid += Fraction(line.paid_fen) * keep / line.quantity
    fixed = result.bonus_points + result.extra_points if any_kept else 0
    return math.floor(raw) + fixed, math.floor(paid / 100)


def reversal(
    result: PointsResult, returned: Mapping[int, int] | None, reversed_points: int, reversed_growth: int
) -> tuple[int, int]:
    """(points, growth) a return takes back: what the order still holds (earned less earlier
    reversals) less what it earns on the units kept; `returned` None (a cancellation), everything
    still held. Returning half of a 20,000-yuan order of 20 points takes back 10."""
    held_points = result.total - reversed_points
    held_growth = result.growth - reversed_growth
    if returned is None:
        return max(held_points, 0), max(held_growth, 0)
    keep_points, keep_growth = kept(result, returned)
    return max(held_points - keep_points, 0), max(held_growth - keep_growth, 0)
