"""Permissions declared on fields: `permission_classes=requires(P.MEMBER_READ)`.

Every root query and mutation field must declare one (build_schema refuses a schema where
one does not), so a resolver cannot be born without its permission. Row scope is not
checked here: it is applied where rows are loaded (engine.store.scoping)."""

from __future__ import annotations

from functools import cache
from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from engine.access.permissions import Permission
from schemas.errors import ErrorCode


class Requires(BasePermission):
    """Base of the generated classes; `required` is the set every caller must hold."""

    required: frozenset[Permission] = frozenset()
    error_extensions = {"code": ErrorCode.FORBIDDEN.value}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        return all(principal.can(p) for p in self.required)


@cache
def _requires(required: frozenset[Permission]) -> type[Requires]:
    names = ", ".join(sorted(p.value for p in required)) or "an authenticated caller"
    return type(
        "Requires_" + "_".join(sorted(p.name for p in required)) if required else "RequiresAuthenticated",
        (Requires,),
        {"required": required, "message": f"This needs {names}."},
    )


def requires(*permissions: Permission) -> list[type[BasePermission]]:
    """The permission classes for a field; no argument means any authenticated caller."""
    return [_requires(frozenset(permissions))]


def declared(field: Any) -> frozenset[Permission] | None:
    """The permissions a field declares, or None if it declares none."""
    classes = [c for c in getattr(field, "permission_classes", []) or [] if issubclass(c, Requires)]
    if not classes:
        return None
    return frozenset().union(*(c.required for c in classes))
