"""Turn a request's credentials (a login token or an API key) into a principal."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from engine import clock
from engine.access import api_keys, tokens
from engine.access.principal import Principal
from engine.services.access import find_api_key, principal_of, token_still_valid
from engine.settings import Settings
from engine.store.access import ApiKey, User
from engine.store.session import transaction

# last_used_at is written at most this often per key: every request would be a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class NotAuthenticated(Exception):
    """No usable credentials; the message is safe to return."""


def presented(conn: HTTPConnection) -> str | None:
    """The credential in `Authorization: Bearer …` or `X-API-Key: …`, if any."""
    key = conn.headers.get("x-api-key")
    if key:
        return key.strip()
    scheme, _, value = conn.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def authenticate(
    conn: HTTPConnection, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> Principal:
    credential = presented(conn)
    if credential is None:
        raise NotAuthenticated("authentication required: a login token or an API key")
    async with transaction(sessions) as session:
        if api_keys.looks_like_key(credential):
            key = await find_api_key(session, credential)
            if key is None:
                raise NotAuthenticated("the API key is not valid or was revoked")
            now = clock.now()
            if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
                await session.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
            return await principal_of(session, key)
        try:
            claims = tokens.verify(settings, credential)
        except tokens.TokenError as exc:
            raise NotAuthenticated(str(exc)) from exc
        user = await session.get(User, claims.user_id)
        if user is None or not token_still_valid(user, claims.issued_at):
            raise NotAuthenticated("the token is no longer valid; log in again")
        return await principal_of(session, user)
