"""The per-request cost of authentication and row scope on the `large` demo data: one small
page of sales orders as an admin API key, as an admin's login token and as a dealer's API key
(row scope: its subtree's dealer ids in an `IN` criterion on every statement), against the same
page executed without HTTP or credentials, a public request without credentials, and the
credential check on its own, all in one run."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.testclient import TestClient

from api.app import create_app
from api.auth.credentials import authenticate
from api.context import Context, Reader
from api.schema import build_schema
from engine.access.permissions import Role
from engine.access.principal import SYSTEM, Principal
from engine.services.access import create_user
from engine.settings import Settings
from engine.store.channel import Dealer
from engine.store.session import BoundSessions, make_async_engine, make_sessionmaker, transaction

PAGE = """
query Orders {
  salesOrders(first: 20) {
    edges { node { id orderNo status placedAt totalFen dealer { code name } } }
  }
}
"""

ADMIN_USER, ADMIN_PASSWORD = "bench.admin", "benchmark password 1"


def post(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": PAGE}, headers=headers).json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def largest_subtree(db: Engine) -> tuple[int, set[str]]:
    """The top-level dealer with the most dealers under it, and the codes of its subtree."""
    with db.connect() as c:
        rows = c.execute(select(Dealer.id, Dealer.parent_id, Dealer.code)).all()
    parents = {dealer: parent for dealer, parent, _code in rows}

    def root(dealer: int) -> int:
        while parents[dealer] is not None:
            dealer = parents[dealer]
        return dealer

    subtrees: dict[int, set[str]] = {}
    for dealer, _parent, code in rows:
        subtrees.setdefault(root(dealer), set()).add(code)
    top = max(subtrees, key=lambda d: (len(subtrees[d]), -d))
    return top, subtrees[top]


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def sessions(large_database: str, loop: asyncio.AbstractEventLoop) -> Iterator[async_sessionmaker[AsyncSession]]:
    engine = make_async_engine(large_database)
    yield make_sessionmaker(engine)
    loop.run_until_complete(engine.dispose())


@pytest.fixture(scope="module")
def dealer_key(large_db: Engine, api_key: Callable[..., str]) -> str:
    """A dealer's key: the top-level dealer with the largest subtree, the longest `IN` list."""
    dealer, _codes = largest_subtree(large_db)
    return api_key("bench-dealer", [Role.DEALER], dealer_id=dealer)


@pytest.fixture(scope="module")
def bare_client(bench_settings: Settings) -> Iterator[TestClient]:
    """The app with no default credentials: each benchmark sends its own."""
    with TestClient(create_app(bench_settings)) as client:
        yield client


@pytest.fixture(scope="module")
def admin_token(bench_settings: Settings, sessions: async_sessionmaker[AsyncSession],
                loop: asyncio.AbstractEventLoop, bare_client: TestClient) -> str:
    """An admin account made by the access use case, logged in through POST /auth/login."""

    async def create() -> None:
        async with transaction(sessions) as session:
            await create_user(session, {"username": ADMIN_USER, "display_name": "基准管理员",
                                        "password": ADMIN_PASSWORD, "roles": [Role.ADMIN.value]})

    loop.run_until_complete(create())
    response = bare_client.post("/auth/login", json={"username": ADMIN_USER, "password": ADMIN_PASSWORD})
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def request_with(headers: dict[str, str]) -> Request:
    """A request as the middleware sees it, carrying these headers."""
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "POST", "path": "/graphql", "headers": raw})


# --- baselines ----------------------------------------------------------------------------------


def test_public_request_without_credentials(benchmark: Any, bare_client: TestClient) -> None:
    """The floor: a request through the same app and middleware that needs no credentials."""
    response = benchmark(bare_client.get, "/healthz")

    assert response.status_code == 200


def test_orders_page_execution_only_without_credentials(
    benchmark: Any, bench_settings: Settings, sessions: async_sessionmaker[AsyncSession], loop: asyncio.AbstractEventLoop
) -> None:
    """The page through `schema.execute`: no HTTP, no credential check, no row scope."""
    schema = build_schema(bench_settings)
    bound = BoundSessions(sessions, SYSTEM)

    async def execute() -> Any:
        context = Context(request=None, settings=bench_settings, principal=SYSTEM, sessions=bound, reader=Reader(bound))
        try:
            return await schema.execute(PAGE, context_value=context)
        finally:
            await context.reader.close()

    result = benchmark(lambda: loop.run_until_complete(execute()))

    assert not result.errors and len(result.data["salesOrders"]["edges"]) == 20


# --- the same page, authenticated ---------------------------------------------------------------


def test_orders_page_as_admin_api_key(benchmark: Any, bare_client: TestClient, admin_key: str) -> None:
    data = benchmark(post, bare_client, {"X-API-Key": admin_key})

    assert len(data["salesOrders"]["edges"]) == 20


def test_orders_page_as_admin_login_token(benchmark: Any, bare_client: TestClient, admin_token: str) -> None:
    data = benchmark(post, bare_client, {"Authorization": f"Bearer {admin_token}"})

    assert len(data["salesOrders"]["edges"]) == 20


def test_orders_page_as_dealer_api_key_with_row_scope(
    benchmark: Any, bare_client: TestClient, dealer_key: str, large_db: Engine
) -> None:
    _dealer, subtree = largest_subtree(large_db)

    data = benchmark(post, bare_client, {"X-API-Key": dealer_key})

    # The scope is real: a full page, every order one of the dealer's subtree's.
    codes = {e["node"]["dealer"]["code"] for e in data["salesOrders"]["edges"]}
    assert len(subtree) > 1 and len(data["salesOrders"]["edges"]) == 20
    assert codes <= subtree


# --- the credential check alone (what the middleware does before any GraphQL) -------------------


def _authenticate(benchmark: Any, headers: dict[str, str], settings: Settings,
                  sessions: async_sessionmaker[AsyncSession], loop: asyncio.AbstractEventLoop) -> Principal:
    request = request_with(headers)
    principal: Principal = benchmark(lambda: loop.run_until_complete(authenticate(request, settings, sessions)))
    return principal


def test_authenticate_admin_api_key(
    benchmark: Any, admin_key: str, bench_settings: Settings,
    sessions: async_sessionmaker[AsyncSession], loop: asyncio.AbstractEventLoop,
) -> None:
    principal = _authenticate(benchmark, {"X-API-Key": admin_key}, bench_settings, sessions, loop)

    assert principal.kind == "api_key" and Role.ADMIN in principal.roles


def test_authenticate_admin_login_token(
    benchmark: Any, admin_token: str, bench_settings: Settings,
    sessions: async_sessionmaker[AsyncSession], loop: asyncio.AbstractEventLoop,
) -> None:
    principal = _authenticate(benchmark, {"Authorization": f"Bearer {admin_token}"}, bench_settings, sessions, loop)

    assert principal.kind == "user" and principal.name == ADMIN_USER


def test_authenticate_dealer_api_key_with_its_subtree(
    benchmark: Any, dealer_key: str, bench_settings: Settings, large_db: Engine,
    sessions: async_sessionmaker[AsyncSession], loop: asyncio.AbstractEventLoop,
) -> None:
    _dealer, subtree = largest_subtree(large_db)

    principal = _authenticate(benchmark, {"X-API-Key": dealer_key}, bench_settings, sessions, loop)

    assert principal.dealer_ids is not None and len(principal.dealer_ids) == len(subtree)
