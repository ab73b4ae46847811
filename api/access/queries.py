"""Access queries: users and API keys (for access admins), and `me` for every caller."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, or_
from strawberry.types import Info

from api.access.types import ApiKey, User, Viewer
from api.filters import json_list_contains
from api.permissions import requires
from api.relay import Connection, OrderDirection, filter_ids, paginate_sorted
from engine.access.permissions import Permission as P
from engine.access.permissions import Role
from engine.services.access import own_account_query
from engine.store import access as m

# Stored role values: lower-case words joined by underscores (no quotes or commas).
_ROLE_VALUE = r"[a-z_]+"


def _grant_conditions(model: type[m.User | m.ApiKey], role: list[Role] | None,
                      dealer: list[strawberry.ID] | None) -> list[ColumnElement[bool]]:
    c: list[Any] = []
    if role:
        c.append(or_(*(json_list_contains(model.roles, r.value, _ROLE_VALUE) for r in role)))
    dealers = filter_ids(dealer, "Dealer", "where.dealer")
    if dealers is not None:
        c.append(model.dealer_id.in_(dealers))
    return c


@strawberry.input(description="Users matching every given condition.")
class UserWhereInput:
    role: list[Role] | None = strawberry.field(default=None, description="Holding any of these roles.")
    active: bool | None = None
    dealer: list[strawberry.ID] | None = strawberry.field(default=None, description="Scoped to one of these dealers.")
    username_contains: str | None = None


@strawberry.enum
class UserOrderField(Enum):
    USERNAME = "username"
    DISPLAY_NAME = "display_name"
    CREATED_AT = "created_at"


@strawberry.input
class UserOrder:
    field: UserOrderField
    direction: OrderDirection = OrderDirection.ASC


def user_conditions(where: UserWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    c = _grant_conditions(m.User, where.role, where.dealer)
    if where.active is not None:
        c.append(m.User.active == where.active)
    if where.username_contains:
        c.append(m.User.username.contains(where.username_contains, autoescape=True))
    return c


@strawberry.input(description="API keys matching every given condition.")
class ApiKeyWhereInput:
    role: list[Role] | None = strawberry.field(default=None, description="Holding any of these roles.")
    revoked: bool | None = strawberry.field(default=None, description="true: revoked keys only; false: live keys only.")
    dealer: list[strawberry.ID] | None = strawberry.field(default=None, description="Scoped to one of these dealers.")
    name_contains: str | None = None


@strawberry.enum
class ApiKeyOrderField(Enum):
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.input
class ApiKeyOrder:
    field: ApiKeyOrderField
    direction: OrderDirection = OrderDirection.ASC


def api_key_conditions(where: ApiKeyWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    c = _grant_conditions(m.ApiKey, where.role, where.dealer)
    if where.revoked is not None:
        c.append(m.ApiKey.revoked_at.is_not(None) if where.revoked else m.ApiKey.revoked_at.is_(None))
    if where.name_contains:
        c.append(m.ApiKey.name.contains(where.name_contains, autoescape=True))
    return c


async def viewer_of(info: Info) -> Viewer:
    """The caller as a Viewer, with its own account row (read whatever its scope)."""
    principal = info.context.principal
    stmt = own_account_query(principal.kind, principal.id)
    account = await info.context.reader.scalar(stmt) if stmt is not None else None
    return Viewer(_principal=principal, _account=account)


@strawberry.type
class AccessQueries:
    @strawberry.field(permission_classes=requires(), description="The caller: its roles, permissions and scope.")
    async def me(self, info: Info) -> Viewer:
        return await viewer_of(info)

    @strawberry.field(permission_classes=requires(P.ACCESS_ADMIN), description="People's accounts, a page at a time.")
    async def users(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        where: UserWhereInput | None = None,
        sort_by: UserOrder | None = None,
    ) -> Connection[User]:
        return await paginate_sorted(info, m.User, user_conditions(where), sort_by, UserOrderField.USERNAME, first, after)

    @strawberry.field(permission_classes=requires(P.ACCESS_ADMIN), description="Services' API keys, a page at a time.")
    async def api_keys(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        where: ApiKeyWhereInput | None = None,
        sort_by: ApiKeyOrder | None = None,
    ) -> Connection[ApiKey]:
        return await paginate_sorted(info, m.ApiKey, api_key_conditions(where), sort_by, ApiKeyOrderField.NAME, first, after)
