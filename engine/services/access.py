"""Access use cases: accounts and API keys, and turning credentials into a principal."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine import clock
from engine.access import api_keys
from engine.access.passwords import hash_password, verify_password
from engine.access.permissions import SCOPED_ROLES, Role
from engine.access.principal import Principal
from engine.errors import DomainError, FieldError
from engine.services.common import (
    duplicate,
    get_or_error,
    merge,
    missing_references,
    raise_if,
    validate,
)
from engine.store.access import ApiKey, User
from engine.store.channel import Dealer
from engine.store.scoping import UNSCOPED
from engine.store.service import ServiceNetwork, Technician
from schemas.access import (
    ApiKeyFields,
    GrantFields,
    OwnPasswordChange,
    PasswordChange,
    UserCreate,
    UserFields,
)
from schemas.errors import ErrorCode


async def create_user(session: AsyncSession, data: dict[str, Any]) -> User:
    fields = validate(UserCreate, data)
    raise_if(
        await duplicate(session, User.username, fields.username, ("username",))
        + await _grant_errors(session, fields)
    )
    user = User(password_hash=hash_password(fields.password), tokens_valid_after=clock.now())
    _apply_grant(user, fields)
    user.username, user.display_name, user.active = fields.username, fields.display_name, fields.active
    session.add(user)
    await session.flush()
    return user


async def update_user(session: AsyncSession, user_id: int, patch: dict[str, Any]) -> User:
    user = await get_or_error(session, User, user_id)
    fields = merge(UserFields, UserFields.model_validate(user), patch)
    raise_if(
        await duplicate(session, User.username, fields.username, ("username",), exclude_id=user.id)
        + await _grant_errors(session, fields)
    )
    if Role.ADMIN.value in user.roles and user.active and (not fields.active or Role.ADMIN not in fields.roles):
        raise_if(await _last_admin(session, user.id))
    was_active = user.active
    _apply_grant(user, fields)
    user.username, user.display_name, user.active = fields.username, fields.display_name, fields.active
    if was_active and not user.active:
        user.tokens_valid_after = clock.now()  # a deactivated account's tokens stop at once
    await session.flush()
    return user


async def _last_admin(session: AsyncSession, user_id: int) -> list[FieldError]:
    """Refuse to deactivate or demote the last active admin: nobody could manage access again."""
    others = (await session.scalars(
        select(User.roles).where(User.active.is_(True), User.id != user_id).execution_options(**{UNSCOPED: True})
    )).all()
    if any(Role.ADMIN.value in roles for roles in others):
        return []
    return [FieldError(("roles",), "this is the last active admin account; make another admin first", ErrorCode.INVALID)]


async def set_password(session: AsyncSession, user_id: int, data: dict[str, Any]) -> User:
    user = await get_or_error(session, User, user_id)
    fields = validate(PasswordChange, data)
    user.password_hash = hash_password(fields.password)
    user.tokens_valid_after = clock.now()
    await session.flush()
    return user


async def change_own_password(session: AsyncSession, user_id: int, data: dict[str, Any]) -> User:
    """A person's new password, given the current one; every token issued before stops working."""
    fields = validate(OwnPasswordChange, data)
    user = await own_account(session, "user", user_id)
    if not isinstance(user, User) or not user.active:
        raise DomainError.single((), "only an active person can change their password", ErrorCode.INVALID)
    if not await asyncio.to_thread(verify_password, user.password_hash, fields.current_password):
        raise DomainError.single(("current_password",), "the current password is not right", ErrorCode.INVALID)
    if fields.new_password == fields.current_password:
        raise DomainError.single(("new_password",), "the new password must differ from the current one", ErrorCode.INVALID)
    user.password_hash = await asyncio.to_thread(hash_password, fields.new_password)
    user.tokens_valid_after = clock.now()
    await session.flush()
    return user


async def own_account(session: AsyncSession, kind: str, row_id: int | None) -> User | ApiKey | None:
    stmt = own_account_query(kind, row_id)
    return None if stmt is None else await session.scalar(stmt)


def own_account_query(kind: str, row_id: int | None) -> Select[tuple[User]] | Select[tuple[ApiKey]] | None:
    """The statement loading the caller's own user or key row. Unscoped: anyone may read their
    own grant, although only an access admin may read accounts in general."""
    if row_id is None or kind not in ("user", "api_key"):
        return None
    model: type[User | ApiKey] = User if kind == "user" else ApiKey
    return select(model).where(model.id == row_id).execution_options(**{UNSCOPED: True})


async def create_api_key(session: AsyncSession, data: dict[str, Any], created_by: str) -> tuple[ApiKey, str]:
    """The stored key and its secret, which is shown once and never stored."""
    fields = validate(ApiKeyFields, data)
    raise_if(await duplicate(session, ApiKey.name, fields.name, ("name",)) + await _grant_errors(session, fields))
    secret, prefix, secret_hash = api_keys.new_key()
    key = ApiKey(name=fields.name, prefix=prefix, secret_hash=secret_hash, created_by=created_by,
                 rate_limit_per_minute=fields.rate_limit_per_minute)
    _apply_grant(key, fields)
    session.add(key)
    await session.flush()
    return key, secret


async def revoke_api_key(session: AsyncSession, key_id: int) -> ApiKey:
    key = await get_or_error(session, ApiKey, key_id)
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        await session.flush()
    return key


async def api_key_named(session: AsyncSession, name: str) -> ApiKey:
    key = await session.scalar(select(ApiKey).where(ApiKey.name == name.strip()))
    if key is None:
        raise DomainError.single(("name",), f"no API key is named {name!r}", ErrorCode.NOT_FOUND)
    return key


async def _grant_errors(session: AsyncSession, grant: GrantFields) -> list[FieldError]:
    """A scoped role stands alone and names its scope; an unscoped grant names none."""
    errors: list[FieldError] = []
    scoped = [r for r in grant.roles if r in SCOPED_ROLES]
    if scoped and len(grant.roles) > 1:
        errors.append(FieldError(("roles",), f"role {scoped[0].value} cannot be combined with other roles", ErrorCode.INVALID))
    wanted = {SCOPED_ROLES[r] for r in scoped}
    given = {"dealer_id": grant.dealer_id is not None, "network_ids": bool(grant.network_ids),
             "technician_id": grant.technician_id is not None}
    for name, present in given.items():
        if name in wanted and not present:
            errors.append(FieldError((name,), f"required for role {scoped[0].value}", ErrorCode.REQUIRED))
        if present and name not in wanted:
            errors.append(FieldError((name,), "only a role scoped by it may name it", ErrorCode.INVALID))
    errors += await missing_references(
        session,
        [(("dealer_id",), Dealer, grant.dealer_id), (("technician_id",), Technician, grant.technician_id)]
        + [(("network_ids", i), ServiceNetwork, n) for i, n in enumerate(grant.network_ids)],
    )
    return errors


def _apply_grant(row: User | ApiKey, grant: GrantFields) -> None:
    row.roles = [r.value for r in grant.roles]
    row.dealer_id, row.network_ids, row.technician_id = grant.dealer_id, list(grant.network_ids), grant.technician_id


async def find_user(session: AsyncSession, username: str) -> User | None:
    return await session.scalar(select(User).where(User.username == username.strip().lower()))


async def find_api_key(session: AsyncSession, key: str) -> ApiKey | None:
    """The live key matching `key`, or None (unknown, wrong secret or revoked)."""
    prefix = api_keys.prefix_of(key)
    if prefix is None:
        return None
    row = await session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if row is None or row.revoked_at is not None or not api_keys.matches(key, row.secret_hash):
        return None
    return row


async def principal_of(session: AsyncSession, row: User | ApiKey) -> Principal:
    """Resolve the grant's scope once per request: a dealer's whole subtree, a service agent's
    networks and the regions they serve, a technician's network."""
    roles = frozenset(Role(r) for r in row.roles)
    kind, name = ("user", row.username) if isinstance(row, User) else ("api_key", row.name)
    dealer_ids = await _subtree(session, row.dealer_id) if Role.DEALER in roles and row.dealer_id else None
    network_ids = region_codes = None
    if Role.SERVICE_AGENT in roles:
        networks = (await session.scalars(select(ServiceNetwork).where(ServiceNetwork.id.in_(row.network_ids)))).all()
        network_ids = frozenset(n.id for n in networks)
        region_codes = frozenset(code for n in networks for code in n.region_codes)
    technician_id = technician_network = None
    if Role.TECHNICIAN in roles and row.technician_id is not None:
        technician_id = row.technician_id
        technician_network = await session.scalar(select(Technician.network_id).where(Technician.id == technician_id))
    return Principal(
        kind=kind, id=row.id, name=name, roles=roles,
        dealer_ids=dealer_ids if Role.DEALER in roles else None,
        network_ids=network_ids, region_codes=region_codes or frozenset(),
        technician_id=technician_id, technician_network_id=technician_network,
        rate_limit_per_minute=row.rate_limit_per_minute if isinstance(row, ApiKey) else None,
    )


async def _subtree(session: AsyncSession, root: int) -> frozenset[int]:
    """The dealer and every dealer below it, in one recursive query (runs on every request)."""
    tree = select(Dealer.id).where(Dealer.id == root).cte("subtree", recursive=True)
    # UNION, not UNION ALL: even a corrupt tree with a cycle ends.
    tree = tree.union(select(Dealer.id).join(tree, Dealer.parent_id == tree.c.id))
    return frozenset((await session.scalars(select(tree.c.id))).all())


def token_still_valid(user: User, issued_at: datetime) -> bool:
    return user.active and issued_at >= user.tokens_valid_after
