"""Access mutations: accounts and API keys (access admins), and a person's own password."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import UNSET
from strawberry.types import Info

from api.access.queries import viewer_of
from api.access.types import ApiKey, User, Viewer
from api.errors import MutationError
from api.inputs import input_data
from api.mutations import run_mutation
from api.permissions import Requires, requires
from api.relay import pk_of
from engine.access.permissions import Permission as P
from engine.access.permissions import Role
from engine.services import access as service
from schemas.errors import ErrorCode

GRANT_IDS = {"dealer_id": "Dealer", "network_ids": "ServiceNetwork", "technician_id": "Technician"}


class LoggedInPerson(Requires):
    """Any person logged in with a token; an API key has no password to change."""

    required = frozenset()
    message = "Only a logged-in person can do this; an API key cannot."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal.kind == "user"


@strawberry.input(description="A new person's account. A scoped role stands alone and names its scope.")
class UserCreateInput:
    username: str = strawberry.field(description="3 to 64 of a-z, 0-9, '.', '_', '-'; starts with a letter or digit.")
    display_name: str
    password: str = strawberry.field(description="12 to 128 characters.")
    roles: list[Role]
    dealer_id: strawberry.ID | None = strawberry.field(default=None, description="Required with, and only with, the dealer role.")
    network_ids: list[strawberry.ID] | None = strawberry.field(default=UNSET, description="Required with, and only with, the service agent role.")
    technician_id: strawberry.ID | None = strawberry.field(default=None, description="Required with, and only with, the technician role.")
    active: bool | None = UNSET


@strawberry.input(description="Changes to an account; omitted fields keep their value. Deactivating stops its tokens.")
class UserUpdateInput:
    username: str | None = UNSET
    display_name: str | None = UNSET
    roles: list[Role] | None = UNSET
    dealer_id: strawberry.ID | None = UNSET
    network_ids: list[strawberry.ID] | None = UNSET
    technician_id: strawberry.ID | None = UNSET
    active: bool | None = UNSET


@strawberry.input(description="A new password for an account; its tokens issued before stop working.")
class UserPasswordSetInput:
    password: str = strawberry.field(description="12 to 128 characters.")


@strawberry.type
class UserPayload:
    user: User | None
    errors: list[MutationError]


@strawberry.input(description="A new API key for a service. A scoped role stands alone and names its scope.")
class ApiKeyCreateInput:
    name: str
    roles: list[Role]
    dealer_id: strawberry.ID | None = None
    network_ids: list[strawberry.ID] | None = UNSET
    technician_id: strawberry.ID | None = None
    rate_limit_per_minute: int | None = strawberry.field(default=None, description="null: the service's default for keys.")


@strawberry.type
class ApiKeyCreatePayload:
    api_key: ApiKey | None
    secret: str | None = strawberry.field(
        description="The whole key (`crm_<prefix>_<secret>`), to send as `X-API-Key`. Shown only here, once: "
        "only its SHA-256 is stored."
    )
    errors: list[MutationError]


@strawberry.type
class ApiKeyPayload:
    api_key: ApiKey | None
    errors: list[MutationError]


@strawberry.input(description="The caller's current password and the new one.")
class ViewerPasswordChangeInput:
    current_password: str
    new_password: str = strawberry.field(description="12 to 128 characters, not the current one.")


@strawberry.type
class ViewerPasswordChangePayload:
    viewer: Viewer | None
    errors: list[MutationError]


@strawberry.type
class AccessMutations:
    @strawberry.mutation(permission_classes=requires(P.ACCESS_ADMIN), description="Create a person's account.")
    async def user_create(self, info: Info, input: UserCreateInput) -> UserPayload:
        user, errors = await run_mutation(info, lambda s: service.create_user(s, input_data(input, GRANT_IDS)))
        return UserPayload(user=user, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.ACCESS_ADMIN), description="Change an account's name, roles, scope or activity.")
    async def user_update(self, info: Info, id: strawberry.ID, input: UserUpdateInput) -> UserPayload:
        user, errors = await run_mutation(
            info, lambda s: service.update_user(s, pk_of(id, "User", ("id",)), input_data(input, GRANT_IDS))
        )
        return UserPayload(user=user, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.ACCESS_ADMIN), description="Set an account's password (e.g. a forgotten one).")
    async def user_password_set(self, info: Info, id: strawberry.ID, input: UserPasswordSetInput) -> UserPayload:
        user, errors = await run_mutation(
            info, lambda s: service.set_password(s, pk_of(id, "User", ("id",)), input_data(input))
        )
        return UserPayload(user=user, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.ACCESS_ADMIN), description="Create an API key; its secret is in the payload, once.")
    async def api_key_create(self, info: Info, input: ApiKeyCreateInput) -> ApiKeyCreatePayload:
        created_by = info.context.principal.audit_name
        created, errors = await run_mutation(
            info, lambda s: service.create_api_key(s, input_data(input, GRANT_IDS), created_by)
        )
        key, secret = created if created is not None else (None, None)
        return ApiKeyCreatePayload(api_key=key, secret=secret, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.ACCESS_ADMIN), description="Revoke an API key: it stops working at once.")
    async def api_key_revoke(self, info: Info, id: strawberry.ID) -> ApiKeyPayload:
        key, errors = await run_mutation(info, lambda s: service.revoke_api_key(s, pk_of(id, "ApiKey", ("id",))))
        return ApiKeyPayload(api_key=key, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(
        permission_classes=[LoggedInPerson],
        description="Change the caller's own password, proving the current one; tokens issued before stop working. "
        "For a person logged in, not an API key.",
    )
    async def viewer_password_change(self, info: Info, input: ViewerPasswordChangeInput) -> ViewerPasswordChangePayload:
        principal = info.context.principal
        # Each attempt checks a password: it counts against the same budget as logins, or a
        # stolen token with 30 aliased calls per request would out-guess the login limit.
        limiter = info.context.request.app.state.limiter
        if limiter.hit(f"login:{principal.name}", info.context.settings.login_attempts_per_minute) is not None:
            refused = MutationError(field="input.currentPassword", message="too many password attempts; wait and retry",
                                    code=ErrorCode.RATE_LIMITED)
            return ViewerPasswordChangePayload(viewer=None, errors=[refused])
        user, errors = await run_mutation(
            info, lambda s: service.change_own_password(s, principal.id, input_data(input))  # type: ignore[arg-type]
        )
        return ViewerPasswordChangePayload(viewer=await viewer_of(info) if user is not None else None, errors=errors)
