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


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` fen over `weights` pro rata, largest remainder first (ties: earlier first),
    so the parts sum exactly to the total — a returned line can give back its exact share."""
    whole = sum(weights)
    if total == 0 or whole <= 0:
        return [0] * len(weights)
    exact = [Decimal(total) * w / whole for w in weights]
    parts = [int(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def yuan(fen: int) -> str:
    """Fen shown as yuan for hints and details, e.g. 12345 -> '¥123.45'."""
    return f"¥{Decimal(fen) / HUNDRED:,.2f}"
