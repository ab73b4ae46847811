"""Custom scalars: money in fen as a 64-bit integer (GraphQL Int is only 32-bit)."""

from __future__ import annotations

from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

Fen = NewType("Fen", int)


def _parse_fen(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("Fen must be a whole number of fen (0.01 CNY)")
    if abs(value) > 2**53 - 1:
        raise ValueError("Fen is out of the exactly representable range")
    return value


SCALARS: dict[object, ScalarDefinition] = {
    Fen: strawberry.scalar(
        name="Fen",
        description="Money in fen (0.01 CNY) as a whole number; 64-bit, exact up to 2^53.",
        serialize=int,
        parse_value=_parse_fen,
    )
}
