"""The Starlette application: /graphql (API and console), /healthz, /readyz, console assets."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from api.auth.login import LoginRoutes
from api.auth.middleware import AuthMiddleware
from api.auth.ratelimit import RateLimiter
from api.console import page
from api.console.assets import asset
from api.context import Context, Reader
from api.schema import build_schema
from engine import heap
from engine.access.principal import Principal
from engine.privacy import keys
from engine.settings import Settings, get_settings
from engine.store.session import BoundSessions, make_async_engine, make_sessionmaker

# Stands in if a request ever reached the schema without credentials: it may do nothing.
NOBODY = Principal(kind="anonymous", id=None, name="anonymous", roles=frozenset())


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context and our offline console page."""

    def __init__(self, settings: Settings, engine: AsyncEngine, **kwargs: Any) -> None:
        super().__init__(build_schema(settings), graphql_ide=None if settings.production else "graphiql",
                         allow_queries_via_get=False, **kwargs)
        self.settings = settings
        self.sessions = make_sessionmaker(engine)

    async def get_context(self, request: Any, response: Any = None) -> Context:
        principal = request.scope.get("principal") or NOBODY
        sessions = BoundSessions(self.sessions, principal)
        return Context(request=request, settings=self.settings, principal=principal, sessions=sessions, reader=Reader(sessions))

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(page.render(str(request.url.path)))


def create_app(settings: Settings | None = None, engine: AsyncEngine | None = None) -> Starlette:
    settings = settings or get_settings()
    settings.require_secrets()
    keys.configure(keys.from_settings(settings))
    engine = engine or make_async_engine(settings.database_url)

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means "not ready", reported, not raised
            return JSONResponse({"status": "unavailable", "database": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ready", "database": engine.dialect.name})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        heap.tune(settings.gc_gen0_threshold)
        yield
        await engine.dispose()

    graphql_app = GraphQLApp(settings, engine)
    system_sessions = make_sessionmaker(engine)  # credentials are checked before any scope exists
    limiter = RateLimiter()
    login = LoginRoutes(settings, system_sessions, limiter)
    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/auth/login", login.login, methods=["POST"]),
        Route("/auth/refresh", login.refresh, methods=["POST"]),
        Route("/graphql", graphql_app, methods=["GET", "POST"]),
    ]
    if not settings.production:
        routes.append(Route("/console/assets/{name}", asset))
    middleware = [Middleware(AuthMiddleware, settings=settings, sessions=system_sessions, limiter=limiter)]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.engine = engine
    app.state.settings = settings
    app.state.limiter = limiter
    return app
