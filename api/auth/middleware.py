"""Every request but the public ones must authenticate, and stay within its rate limit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth.credentials import NotAuthenticated, authenticate
from api.auth.ratelimit import RateLimiter
from engine.access.principal import Principal
from engine.settings import Settings
from schemas.errors import ErrorCode

PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/auth/login"})
PUBLIC_PREFIXES = ("/console/assets/",)


def error_response(status: int, message: str, code: ErrorCode, headers: dict[str, str] | None = None) -> JSONResponse:
    """A GraphQL-shaped error body, so clients handle it like any other refusal."""
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code.value}}]}, status, headers=headers)


def _public(scope: Scope) -> bool:
    path = scope["path"]
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return True
    # The console page itself (HTML) is public: it is the login; what it queries is not.
    if path == "/graphql" and scope["method"] == "GET":
        accept = dict(scope["headers"]).get(b"accept", b"")
        return b"text/html" in accept
    return False


class AuthMiddleware:
    """Sets scope['principal'] for the routes behind it; 401 without valid credentials,
    429 over the caller's rate limit."""

    def __init__(self, app: ASGIApp, settings: Settings, sessions: async_sessionmaker[AsyncSession], limiter: RateLimiter) -> None:
        self.app = app
        self.settings = settings
        self.sessions = sessions
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _public(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            principal = await authenticate(request, self.settings, self.sessions)
        except NotAuthenticated as exc:
            response = error_response(401, str(exc), ErrorCode.UNAUTHENTICATED, {"WWW-Authenticate": "Bearer"})
            await response(scope, receive, send)
            return
        wait = self.limiter.hit(f"{principal.kind}:{principal.id}", self._limit(principal))
        if wait is not None:
            response = error_response(
                429, f"rate limit of {self._limit(principal)} requests a minute reached", ErrorCode.RATE_LIMITED,
                {"Retry-After": str(int(wait) + 1)},
            )
            await response(scope, receive, send)
            return
        scope["principal"] = principal
        await self.app(scope, receive, send)

    def _limit(self, principal: Principal) -> int:
        if principal.kind == "api_key":
            return principal.rate_limit_per_minute or self.settings.rate_limit_key_per_minute
        return self.settings.rate_limit_user_per_minute
