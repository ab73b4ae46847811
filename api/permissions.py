"""Permissions declared on fields: `permission_classes=requires(P.MEMBER_READ)`.

Every root query and mutation field must declare one (build_schema refuses a schema where
one does not), so a resolver cannot be born without its permission. Row scope is not
checked here: it is applied where rows are loaded (engine.store.scoping). A mutation field
refused here is written to the audit trail (outcome `denied`)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from functools import cache, wraps
from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from api.mutations import audit_denial
from engine.access.permissions import Permission
from schemas.errors import ErrorCode

Check = Callable[..., bool | Awaitable[bool]]


def _audited(check: Check) -> Callable[..., Awaitable[bool]]:
    """`check` as an async permission check that records a refused mutation field."""

    @wraps(check)
    async def has_permission(self: Requires, source: Any, info: Info, **kwargs: Any) -> bool:
        allowed = check(self, source, info, **kwargs)
        if inspect.isawaitable(allowed):
            allowed = await allowed
        if allowed is False:
            await audit_denial(info, kwargs)
        return allowed  # type: ignore[return-value]

    has_permission.audits_denials = True  # type: ignore[attr-defined]
    return has_permission


def _holds_required(self: Requires, source: Any, info: Info, **kwargs: Any) -> bool:
    principal = info.context.principal
    return all(principal.can(p) for p in self.required)


class Requires(BasePermission):
    """Base of the generated classes; `required` is the set every caller must hold. A subclass
    may define its own `has_permission` (sync or async): it is wrapped to audit denials too."""

    required: frozenset[Permission] = frozenset()
    error_extensions = {"code": ErrorCode.FORBIDDEN.value}

    has_permission = _audited(_holds_required)  # type: ignore[assignment]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("has_permission")
        if own is not None and not getattr(own, "audits_denials", False):
            cls.has_permission = _audited(own)  # type: ignore[method-assign]


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
