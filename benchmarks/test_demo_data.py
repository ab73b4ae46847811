"""Demo data: time to generate the small set, and to load it into a freshly migrated SQLite file."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from engine.demo.generate import DemoData, generate
from engine.demo.load import load
from engine.demo.sizes import DemoSize
from engine.store.migrate import upgrade
from engine.store.session import make_sync_engine


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file; each round loads into its own copy."""
    path = tmp_path_factory.mktemp("demo") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def engines() -> Iterator[list[Engine]]:
    made: list[Engine] = []
    yield made
    for engine in made:
        engine.dispose()


def test_generate_small(benchmark: Any) -> None:
    data: DemoData = benchmark(generate, DemoSize.SMALL, 7)

    assert data.counts()["members"] == 2_000


def test_load_small_into_sqlite(
    benchmark: Any, template: Path, tmp_path: Path, engines: list[Engine]
) -> None:
    data = generate(DemoSize.SMALL, 7)
    numbers = itertools.count()

    def fresh_database() -> tuple[tuple[Engine, DemoData], dict[str, Any]]:
        path = tmp_path / f"round-{next(numbers)}.db"
        shutil.copy(template, path)
        engines.append(make_sync_engine(f"sqlite:///{path}"))
        return (engines[-1], data), {}

    benchmark.pedantic(load, setup=fresh_database, rounds=5, iterations=1)

    assert len(engines) == 5
