"""Benchmark fixtures: the `large` demo data set in a migrated SQLite file, loaded once per run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from engine.demo.generate import generate
from engine.demo.load import load
from engine.demo.sizes import DemoSize
from engine.settings import Settings
from engine.store.migrate import upgrade
from engine.store.session import make_sync_engine


@pytest.fixture(scope="session")
def large_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'large.db'}"
    upgrade(url)
    engine = make_sync_engine(url)
    load(engine, generate(DemoSize.LARGE, seed=7))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def large_client(large_database: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=large_database, crm_env="test"))) as client:
        yield client
