"""POST /auth/login (username and password -> short-lived token) and POST /auth/refresh."""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.auth.middleware import error_response
from api.auth.ratelimit import RateLimiter
from engine import clock
from engine.access import tokens
from engine.access.passwords import hash_password, needs_rehash, verify_password
from engine.access.principal import Principal
from engine.services.access import find_user
from engine.services.audit import AuditRecord, record
from engine.settings import Settings
from engine.store.session import transaction
from schemas.errors import ErrorCode

_REFUSED = "wrong username or password"  # one message: it must not tell which was wrong


class LoginRoutes:
    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession], limiter: RateLimiter) -> None:
        self.settings = settings
        self.sessions = sessions
        self.limiter = limiter

    async def login(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
            username, password = body["username"], body["password"]
            if not isinstance(username, str) or not isinstance(password, str) or len(username) > 64 or len(password) > 128:
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return error_response(400, 'send JSON {"username": …, "password": …}', ErrorCode.INVALID)
        client = request.client.host if request.client else "unknown"
        name = username.strip().lower()
        per_minute = self.settings.login_attempts_per_minute
        wait = self.limiter.hit(f"login:{name}", per_minute) or self.limiter.hit(f"login-from:{client}", per_minute * 5)
        if wait is not None:
            return error_response(429, "too many login attempts; wait and retry", ErrorCode.RATE_LIMITED,
                                  {"Retry-After": str(int(wait) + 1)})
        async with transaction(self.sessions) as session:
            user = await find_user(session, name)
            stored = user.password_hash if user is not None and user.active else None
            ok = await run_in_threadpool(verify_password, stored, password)
            if ok and user is not None:
                user.last_login_at = clock.now()
                if needs_rehash(user.password_hash):
                    user.password_hash = await run_in_threadpool(hash_password, password)
                actor = Principal(kind="user", id=user.id, name=user.username, roles=frozenset())
        if not ok or user is None:
            await record(self.sessions, None, AuditRecord("login", "refused", "User", None, error_codes=["UNAUTHENTICATED"]),
                         client=client, actor_name=name[:100])
            return error_response(401, _REFUSED, ErrorCode.UNAUTHENTICATED)
        await record(self.sessions, actor, AuditRecord("login", "ok", "User", user.id), client=client)
        return self._token(user.id)

    async def refresh(self, request: Request) -> Response:
        """A fresh token for a caller who still holds a valid one (the console keeps its session)."""
        principal: Principal | None = request.scope.get("principal")
        if principal is None or principal.kind != "user" or principal.id is None:
            return error_response(401, "only a logged-in person can refresh a token", ErrorCode.UNAUTHENTICATED)
        return self._token(principal.id)

    def _token(self, user_id: int) -> Response:
        token, expires = tokens.issue(self.settings, user_id)
        return JSONResponse({"token": token, "tokenType": "Bearer", "expiresAt": expires.isoformat()})
