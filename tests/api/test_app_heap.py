"""The app tunes the collector at startup: the young threshold comes from the settings."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from engine.settings import Settings


@pytest.fixture
def restored() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
    gc.unfreeze()


def test_the_app_tunes_the_collector_when_it_starts(restored: None, settings: Settings) -> None:
    tuned = settings.model_copy(update={"gc_gen0_threshold": 23_456})

    with TestClient(create_app(tuned)) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_threshold()[0] == 23_456
