"""Personal fields in responses: whole for callers holding `personal_data:read`, masked
(138****5678) for everyone else; null stays null (an erased member's emptied fields)."""

from __future__ import annotations

from collections.abc import Callable

from strawberry.types import Info

from engine.access.permissions import Permission


def shown(info: Info, value: str | None, mask: Callable[[str | None], str | None]) -> str | None:
    """`value` as this request's caller may see it."""
    if value is None or info.context.can(Permission.PERSONAL_DATA):
        return value
    return mask(value)
