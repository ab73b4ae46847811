"""Field types shared by the contracts."""

from __future__ import annotations

from typing import Annotated, TypeVar

from pydantic import AfterValidator, Field, StringConstraints

T = TypeVar("T")

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
RegionCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9\-]{5,19}$")]
Fen = Annotated[int, Field(ge=0, le=10**15, description="money in fen (0.01 CNY)")]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=10**9)]


Version = Annotated[int, Field(ge=1, description="an object's version: 1 when created")]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


def _no_repeats(values: list[T]) -> list[T]:
    if len(set(values)) != len(values):
        raise ValueError("values must not repeat")
    return values


# The one rule for lists of codes, tags or enum values: a repeated value is refused (INVALID),
# never silently dropped, so what the client sent is what is stored.
NoRepeats = AfterValidator(_no_repeats)
