"""Production mode (CRM_ENV=production): no console, no introspection, no field suggestions."""

from __future__ import annotations

import base64
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from engine.settings import Settings
from tests.conftest import GraphQL, data_of

TYPO = "query Typo { dealers(first: 1) { totalCont } }"

UNKNOWN_ARGUMENT = "query Arg { dealers(frist: 1) { totalCount } }"

BY_CHANNEL = """
query ByChannel($where: DealerWhereInput) {
  dealers(first: 1, where: $where) { totalCount }
}
"""

SCHEMA_TYPES = "query Types { __schema { types { name } } }"

ONE_TYPE = 'query OneType { __type(name: "Dealer") { fields { name } } }'

TOTAL = "query Total { dealers(first: 1) { totalCount } }"

HTML = {"Accept": "text/html"}

# The process-wide switch of graphql-core's suggestions, which production mode must not touch.
did_you_mean_module = sys.modules["graphql.pyutils.did_you_mean"]


def production_settings(database_url: str, env: str = "production") -> Settings:
    """Production refuses development keys: these are fresh, as an operator's would be."""
    return Settings(
        database_url=database_url, crm_env=env,
        crm_data_keys=f"k1:{base64.b64encode(os.urandom(32)).decode()}",
        crm_index_key=base64.b64encode(os.urandom(32)).decode(),
        crm_token_secret=os.urandom(32).hex(),
    )


@pytest.fixture
def production(database_url: str, admin_key: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A production app on the test database; graphql-core's global switch restored afterwards
    whatever the app does to it, so no other test can be affected."""
    monkeypatch.setattr(did_you_mean_module, "MAX_LENGTH", did_you_mean_module.MAX_LENGTH)
    with TestClient(create_app(production_settings(database_url)), headers={"X-API-Key": admin_key}) as client:
        yield client


@pytest.mark.parametrize("missing", ["crm_data_keys", "crm_index_key", "crm_token_secret"])
def test_production_refuses_to_start_without_its_secrets(database_url: str, missing: str) -> None:
    settings = production_settings(database_url).model_copy(update={missing: None})
    with pytest.raises(RuntimeError, match=missing.upper()):
        create_app(settings)


def post(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    return response.json()


def messages(body: dict[str, Any]) -> list[str]:
    return [e["message"] for e in body["errors"]]


def test_the_console_page_is_served_in_development_only(client: TestClient, production: TestClient) -> None:
    development_page = client.get("/graphql", headers=HTML)
    production_page = production.get("/graphql", headers=HTML)

    assert development_page.status_code == 200 and "/console/assets/graphiql.js" in development_page.text
    assert production_page.status_code in (404, 405)
    assert "graphiql" not in production_page.text.lower()


@pytest.mark.parametrize("name", ["graphiql.js", "graphiql.css", "react.js", "explorer.js"])
def test_console_assets_are_not_served_in_production(client: TestClient, production: TestClient, name: str) -> None:
    assert client.get(f"/console/assets/{name}").status_code == 200
    assert production.get(f"/console/assets/{name}").status_code == 404


@pytest.mark.parametrize("query", [SCHEMA_TYPES, ONE_TYPE], ids=["__schema", "__type"])
def test_introspection_is_refused_in_production(gql: GraphQL, production: TestClient, query: str) -> None:
    allowed = gql(query)
    refused = post(production, query)

    assert "errors" not in allowed
    assert refused["data"] is None
    assert {e["extensions"]["code"] for e in refused["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection has been disabled" in refused["errors"][0]["message"]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (TYPO, None),
        (UNKNOWN_ARGUMENT, None),
        (BY_CHANNEL, {"where": {"channelType": ["AGENTT"]}}),
        ('query Literal { dealers(first: 1, where: { channelType: [AGENTT] }) { totalCount } }', None),
    ],
    ids=["field", "argument", "enum-variable", "enum-literal"],
)
def test_production_errors_give_no_suggestions_development_ones_do(
    gql: GraphQL, production: TestClient, query: str, variables: dict[str, Any] | None
) -> None:
    development = gql(query, variables)
    refused = post(production, query, variables)

    assert any("Did you mean" in m for m in messages(development))
    assert refused["data"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
    assert not any("Did you mean" in m for m in messages(refused)), messages(refused)
    # the message still says what is wrong, only the hint is gone
    assert all(m.rstrip().endswith(".") for m in messages(refused)), messages(refused)


def test_a_production_app_leaves_other_apps_in_the_process_their_suggestions(database_url: str, admin_key: str) -> None:
    # given: a production app built and used first, then a development app in the same process
    before = did_you_mean_module.MAX_LENGTH
    key = {"X-API-Key": admin_key}
    with TestClient(create_app(production_settings(database_url)), headers=key) as production:
        hidden = post(production, TYPO)
    with TestClient(create_app(Settings(database_url=database_url, crm_env="development")), headers=key) as development:
        shown = post(development, TYPO)

    # then: each app keeps its own behaviour and graphql-core's global switch is untouched
    assert "Did you mean" not in hidden["errors"][0]["message"]
    assert "Did you mean 'totalCount'?" in shown["errors"][0]["message"]
    assert did_you_mean_module.MAX_LENGTH == before


def test_production_still_answers_ordinary_queries(production: TestClient) -> None:
    assert data_of(post(production, TOTAL)) == {"dealers": {"totalCount": 0}}
