"""Authentication at the door: every path but the public ones needs a valid login token or API
key, and every kind of bad credential gets the same 401 UNAUTHENTICATED."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import Engine
from starlette.routing import Route
from starlette.testclient import TestClient

from engine import clock
from engine.access import tokens
from engine.access.api_keys import new_key
from engine.access.permissions import Role
from engine.settings import Settings
from tests.api.access.logins import bearer, create_user, login
from tests.conftest import GraphQL, data_of, make_api_key

ME = "query Me { me { kind name } }"

REVOKE = """
mutation Revoke($id: ID!) { apiKeyRevoke(id: $id) { apiKey { revokedAt } errors { field code } } }
"""

KEYS = "query Keys($where: ApiKeyWhereInput) { apiKeys(first: 10, where: $where) { edges { node { id name } } } }"

# Answer without credentials: health checks, the login, the console's assets and its page.
PUBLIC = {"/healthz", "/readyz", "/auth/login", "/console/assets/{name}"}


def assert_unauthenticated(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"] == "Bearer"


def test_every_route_but_the_public_ones_answers_401_without_credentials(anonymous: TestClient) -> None:
    # given: every route the app serves, and a path it does not
    protected = [
        (method, route.path)
        for route in anonymous.app.routes  # type: ignore[attr-defined]
        if isinstance(route, Route) and route.path not in PUBLIC
        for method in sorted(route.methods or {"GET"}) if method != "HEAD"
    ]
    assert ("POST", "/graphql") in protected and ("POST", "/auth/refresh") in protected

    # when / then
    for method, path in [*protected, ("GET", "/no-such-path")]:
        response = anonymous.request(method, path, json={"query": ME}, headers={"Accept": "application/json"})
        assert_unauthenticated(response)


def test_public_paths_answer_without_credentials(anonymous: TestClient) -> None:
    # when
    answers = {
        "healthz": anonymous.get("/healthz").status_code,
        "readyz": anonymous.get("/readyz").status_code,
        "login": anonymous.post("/auth/login", json={"username": "nobody", "password": "x"}).status_code,
        "asset": anonymous.get("/console/assets/not-an-asset.js").status_code,
        "console page": anonymous.get("/graphql", headers={"Accept": "text/html"}).status_code,
    }

    # then: each answered itself (a refused login is its own 401, with its own message)
    assert answers == {"healthz": 200, "readyz": 200, "login": 401, "asset": 404, "console page": 200}
    refused = anonymous.post("/auth/login", json={"username": "nobody", "password": "x"}).json()
    assert refused["errors"][0]["message"] == "wrong username or password"


def _tampered(token: str) -> str:
    """The token with its subject changed to another user, signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = str(int(claims["sub"]) + 1)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


BadCredential = Callable[[Settings, Engine, int, str], dict[str, str]]

BAD_CREDENTIALS: dict[str, BadCredential] = {
    "a made-up token": lambda s, db, uid, tok: bearer("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"),
    "not a token at all": lambda s, db, uid, tok: bearer("hello"),
    "an empty bearer": lambda s, db, uid, tok: {"Authorization": "Bearer ", "X-API-Key": ""},
    "another scheme": lambda s, db, uid, tok: {"Authorization": "Basic ZGVtbzpkZW1v", "X-API-Key": ""},
    "an expired token": lambda s, db, uid, tok: bearer(
        tokens.issue(s, uid, now=clock.now() - timedelta(minutes=s.token_ttl_minutes + 1))[0]
    ),
    "a tampered token": lambda s, db, uid, tok: bearer(_tampered(tok)),
    "a token signed with another secret": lambda s, db, uid, tok: bearer(jwt.encode(
        {**jwt.decode(tok, options={"verify_signature": False}), "sub": str(uid)}, "x" * 64, algorithm="HS256")),
    "a token of a user that does not exist": lambda s, db, uid, tok: bearer(tokens.issue(s, uid + 1000)[0]),
    "a wrong API key": lambda s, db, uid, tok: {"X-API-Key": new_key()[0]},
    "a wrong API key as bearer": lambda s, db, uid, tok: bearer(new_key()[0]),
    "a malformed API key": lambda s, db, uid, tok: {"X-API-Key": "crm_short_secret"},
    "a live key's prefix with a wrong secret": lambda s, db, uid, tok: {
        "X-API-Key": make_api_key(db, [Role.ADMIN], name="real")[:-4] + "AAAA"},
}


@pytest.mark.parametrize("case", list(BAD_CREDENTIALS))
def test_a_bad_credential_answers_401(
    case: str, gql: GraphQL, anonymous: TestClient, settings: Settings, db: Engine
) -> None:
    # given: a person with a valid token, and a bad credential made from it
    create_user(gql, "alice", ["ANALYST"])
    token = login(anonymous, "alice")
    user_id = tokens.verify(settings, token).user_id
    headers = BAD_CREDENTIALS[case](settings, db, user_id, token)

    # when
    response = anonymous.post("/graphql", json={"query": ME}, headers=headers)

    # then: refused, while the genuine token works
    assert_unauthenticated(response)
    assert data_of(anonymous.post("/graphql", json={"query": ME}, headers=bearer(token)).json())["me"]["name"] == "alice"


def test_a_revoked_key_answers_401(gql: GraphQL, anonymous: TestClient, db: Engine) -> None:
    # given: a working key
    key = make_api_key(db, [Role.ANALYST], name="reporting")
    assert anonymous.post("/graphql", json={"query": ME}, headers={"X-API-Key": key}).status_code == 200
    key_id = data_of(gql(KEYS, {"where": {"nameContains": "reporting"}}))["apiKeys"]["edges"][0]["node"]["id"]

    # when
    assert data_of(gql(REVOKE, {"id": key_id}))["apiKeyRevoke"]["errors"] == []

    # then: refused under either header
    assert_unauthenticated(anonymous.post("/graphql", json={"query": ME}, headers={"X-API-Key": key}))
    assert_unauthenticated(anonymous.post("/graphql", json={"query": ME}, headers=bearer(key)))
