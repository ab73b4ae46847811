"""Health checks: /healthz says the process is up, /readyz that the database answers."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from engine.settings import Settings


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on: bound, then released, never listened on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_with_a_reachable_database(client: TestClient, settings: Settings) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["database"] == ("postgresql" if settings.database_url.startswith("postgresql") else "sqlite")


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////nonexistent-dir/crm-engine/x.db",
        f"postgresql://postgres@127.0.0.1:{closed_port()}/postgres?connect_timeout=3",
    ],
    ids=["sqlite-missing-folder", "postgresql-closed-port"],
)
def test_readyz_is_503_while_the_database_is_unreachable_and_the_process_stays_up(url: str) -> None:
    # given: a service configured with a database it cannot reach
    assert not Path("/nonexistent-dir").exists()
    with TestClient(create_app(Settings(database_url=url, crm_env="test"))) as client:
        # when: probed twice (a failed probe must not break the next)
        first, second = client.get("/readyz"), client.get("/readyz")
        alive = client.get("/healthz")

    # then
    assert first.status_code == second.status_code == 503
    assert first.json()["status"] == "unavailable"
    assert first.json()["database"]  # the kind of failure, for the operator; no secrets
    assert "postgres@" not in first.text
    assert alive.status_code == 200
