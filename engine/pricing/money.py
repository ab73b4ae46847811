"""Money arithmetic of pricing: Decimal inside, integer fen out, rounding named by the rule."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from schemas.pricing import Rounding

HUNDRED = Decimal(100)
_WHOLE = Decimal(1)  # the exponent of a whole fen (built once: a quote rounds a hundred times)
_MODES = {Rounding.HALF_UP: ROUND_HALF_UP, Rounding.DOWN: ROUND_FLOOR, Rounding.UP: ROUND_CEILING}


def to_fen(amount: Decimal, rounding: Rounding = Rounding.HALF_UP) -> int:
    """An amount in fen (possibly fractional) rounded to a whole fen."""
    return int(amount.quantize(_WHOLE, rounding=_MODES[rounding]))


def percent_of(amount: Decimal | int, percent: Decimal) -> Decimal:
    return Decimal(amount) * percent / HUNDRED


def percent_fen(amount: int, percent: Decimal, rounding: Rounding = Rounding.HALF_UP) -> int:
    """`to_fen(percent_of(amount, percent), rounding)` in integer arithmetic (a quote rounds a
    hundred times; Decimal was a sixth of it). The same result: a percentage has at most seven
    digits (schemas.pricing.Percent) and an amount under 10**20 fen, so the Decimal product has
    under 28 digits and is exact, as is the division by 100; both then round the exact quotient.
    Anything outside those bounds takes the Decimal path."""
    ratio = _RATIOS.get(percent)
    if ratio is None:
        digits = percent.as_tuple().digits
        if percent.is_finite() and len(digits) <= 7:
            top, bottom = percent.as_integer_ratio()
            ratio = (top, bottom * 100)
        if len(_RATIOS) < _RATIOS_KEPT:
            _RATIOS[percent] = ratio
    if ratio is None or not -_AMOUNT_LIMIT < amount < _AMOUNT_LIMIT:
        return to_fen(percent_of(amount, percent), rounding)
    numerator, denominator = amount * ratio[0], ratio[1]
    if rounding is Rounding.HALF_UP:  # half away from zero, as ROUND_HALF_UP: floor(x + ½) of |x|
        if numerator >= 0:
            return (2 * numerator + denominator) // (2 * denominator)
        return -((denominator - 2 * numerator) // (2 * denominator))
    whole, rest = divmod(numerator, denominator)  # floor
    return whole + 1 if rounding is Rounding.UP and rest else whole


# A percentage as (numerator, denominator × 100): the fraction of an amount it takes.
_RATIOS: dict[Decimal, tuple[int, int] | None] = {}
_RATIOS_KEPT = 4096
_AMOUNT_LIMIT = 10**20


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` fen over `weights` pro rata, largest remainder first (ties: earlier first),
    so the parts sum exactly to the total — a returned line can give back its exact share."""
    whole = sum(weights)
    if total == 0 or whole <= 0:
        return [0] * len(weights)
    if total > 0 and min(weights) >= 0:
        # In integers: part i is floor(total·w/whole), its fraction (total·w mod whole)/whole;
        # the same parts as the Decimal way below (tests/engine/pricing/test_money.py), a
        # fifth of its time.
        products = [total * w for w in weights]
        parts = [p // whole for p in products]
        rests = [p % whole for p in products]
        ranked = sorted(range(len(weights)), key=rests.__getitem__, reverse=True)  # stable: ties earlier first
        for i in ranked[: total - sum(parts)]:
            parts[i] += 1
        return parts
    exact = [Decimal(total) * w / whole for w in weights]
    parts = [int(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def yuan(fen: int) -> str:
    """Fen shown as yuan for hints and details, e.g. 12345 -> '¥123.45'."""
    text = _YUAN.get(fen)
    if text is None:
        text = f"¥{Decimal(fen) / HUNDRED:,.2f}"
        if len(_YUAN) < _YUAN_KEPT:  # prices repeat from quote to quote: keep the first ones seen
            _YUAN[fen] = text
    return text


_YUAN: dict[int, str] = {}
_YUAN_KEPT = 4096
