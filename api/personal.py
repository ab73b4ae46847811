"""Personal fields in responses: whole for callers holding `personal_data:read`, masked
(138****5678) for everyone else; null stays null (an erased member's emptied fields)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from strawberry.types import Info

from engine.access.permissions import Permission

T = TypeVar("T")


def shown(info: Info, value: str | None, mask: Callable[[str | None], str | None]) -> str | None:
    """`value` as this request's caller may see it."""
    if value is None or info.context.can(Permission.PERSONAL_DATA):
        return value
    return mask(value)


def coordinate(info: Info, value: float | None) -> float | None:
    """A home's position: exact for `personal_data:read`, else rounded to 0.01° (~1 km)."""
    if value is None or info.context.can(Permission.PERSONAL_DATA):
        return value
    return round(value, 2)


def withheld(info: Info, value: T) -> T | None:
    """A household attribute (income, disability…): only for `personal_data:read`, else null."""
    return value if info.context.can(Permission.PERSONAL_DATA) else None
