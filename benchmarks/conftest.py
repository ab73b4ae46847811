"""Benchmark fixtures: the `large` demo data set in a migrated SQLite file, loaded once per run,
and the app over it, authenticated as every real caller is."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from api.app import create_app
from engine import heap
from engine.access.api_keys import new_key
from engine.access.permissions import Role
from engine.demo.generate import generate
from engine.demo.load import load
from engine.demo.sizes import DemoSize
from engine.settings import Settings
from engine.store import ApiKey
from engine.store.migrate import upgrade
from engine.store.session import make_sync_engine

# A benchmark sends thousands of requests a minute; the limiter still counts each one (its cost
# is measured), it just never refuses.
UNLIMITED = 10_000_000


@pytest.fixture(scope="session", autouse=True)
def service_collector() -> None:
    """The garbage collector tuned as the service tunes it at startup (api.app, engine.heap)."""
    heap.tune(Settings().gc_gen0_threshold)


def store_api_key(db: Engine, name: str, roles: list[Role], dealer_id: int | None = None) -> str:
    """Store an API key with this grant (as tests/conftest.py's make_api_key); return its secret."""
    key, prefix, secret_hash = new_key()
    with db.begin() as c:
        c.execute(ApiKey.__table__.insert().values(
            name=name, prefix=prefix, secret_hash=secret_hash, created_by="benchmarks",
            roles=[r.value for r in roles], dealer_id=dealer_id, network_ids=[],
        ))
    return key


@pytest.fixture(scope="session")
def large_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'large.db'}"
    upgrade(url)
    engine = make_sync_engine(url)
    load(engine, generate(DemoSize.LARGE, seed=7))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def large_db(large_database: str) -> Iterator[Engine]:
    """A synchronous engine on the benchmark database, for arranging credentials."""
    engine = make_sync_engine(large_database)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def bench_settings(large_database: str) -> Settings:
    return Settings(database_url=large_database, crm_env="test",
                    rate_limit_key_per_minute=UNLIMITED, rate_limit_user_per_minute=UNLIMITED)


@pytest.fixture(scope="session")
def api_key(large_db: Engine) -> Callable[..., str]:
    """`api_key(name, roles, dealer_id=None)` stores a key on the benchmark database."""

    def store(name: str, roles: list[Role], dealer_id: int | None = None) -> str:
        return store_api_key(large_db, name, roles, dealer_id)

    return store


@pytest.fixture(scope="session")
def admin_key(api_key: Callable[..., str]) -> str:
    return api_key("bench-admin", [Role.ADMIN])


@pytest.fixture(scope="session")
def large_client(bench_settings: Settings, admin_key: str) -> Iterator[TestClient]:
    """The app on the large data, every request authenticated as an admin API key (header)."""
    with TestClient(create_app(bench_settings), headers={"X-API-Key": admin_key}) as client:
        yield client
