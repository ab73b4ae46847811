"""Shared fixtures: a real, migrated database (SQLite, or PostgreSQL from TEST_DATABASE_URL),
emptied before each test, and a GraphQL client over the real Starlette app."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, make_url, text
from starlette.testclient import TestClient

from api.app import create_app
from engine.access.api_keys import new_key
from engine.access.permissions import Role
from engine.demo.generate import DemoData, generate
from engine.demo.sizes import DemoSize
from engine.settings import Settings
from engine.store import ApiKey, Base
from engine.store.migrate import upgrade
from engine.store.session import make_sync_engine

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
DEMO_SEED = 7


@pytest.fixture(scope="session")
def _migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for the whole run: a fresh PostgreSQL database, or an SQLite template."""
    if TEST_DATABASE_URL:
        server = make_url(TEST_DATABASE_URL)
        name = f"crm_test_{uuid.uuid4().hex[:8]}"
        admin = make_sync_engine(server.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = server.set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("db") / "template.db"
        upgrade(f"sqlite:///{path}")
        yield str(path)


@pytest.fixture
def database_url(_migrated: str, tmp_path: Path) -> str:
    """An empty, migrated database for one test."""
    if TEST_DATABASE_URL:
        engine = make_sync_engine(_migrated)
        with engine.begin() as c:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            c.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return _migrated
    path = tmp_path / "test.db"
    shutil.copy(_migrated, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(database_url: str) -> Iterator[Engine]:
    """A synchronous engine on the test database, for arranging data and inspecting rows."""
    engine = make_sync_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, crm_env="test")


def make_api_key(
    db: Engine,
    roles: list[Role],
    name: str | None = None,
    dealer_id: int | None = None,
    network_ids: list[int] | None = None,
    technician_id: int | None = None,
) -> str:
    """Store an API key with this grant straight in the database; return its secret."""
    key, prefix, secret_hash = new_key()
    with db.begin() as c:
        c.execute(ApiKey.__table__.insert().values(
            name=name or f"test-{prefix}", prefix=prefix, secret_hash=secret_hash, created_by="tests",
            roles=[r.value for r in roles], dealer_id=dealer_id, network_ids=network_ids or [],
            technician_id=technician_id,
        ))
    return key


@pytest.fixture
def admin_key(db: Engine) -> str:
    return make_api_key(db, [Role.ADMIN], name="test-admin")


@pytest.fixture
def client(settings: Settings, admin_key: str) -> Iterator[TestClient]:
    """A client authenticated as an admin service (API key)."""
    with TestClient(create_app(settings), headers={"X-API-Key": admin_key}) as test_client:
        yield test_client


@pytest.fixture
def anonymous(settings: Settings) -> Iterator[TestClient]:
    """A client without credentials."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def statements(client: TestClient) -> Iterator[list[str]]:
    """Every SQL statement the app's engine sends while the test runs."""
    seen: list[str] = []
    engine = client.app.state.engine.sync_engine

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


GraphQL = Callable[..., dict[str, Any]]


@pytest.fixture
def gql(client: TestClient) -> GraphQL:
    """Post one operation; return the whole response body (`data` and maybe `errors`)."""

    def post(query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        response = client.post("/graphql", json={"query": query, "variables": variables or {}}, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    return post


def data_of(body: dict[str, Any]) -> dict[str, Any]:
    """`data` of a response that must have no top-level errors."""
    assert "errors" not in body, body.get("errors")
    return body["data"]


@pytest.fixture(scope="session")
def small() -> DemoData:
    """The small demo data set, generated once per run (generation is pure; tests only read it)."""
    return generate(DemoSize.SMALL, DEMO_SEED)
