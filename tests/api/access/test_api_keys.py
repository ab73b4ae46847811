"""API keys through GraphQL: the secret shown once and stored only as its SHA-256, either header
works, revocation stops the key, last use is recorded, refusals change nothing."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from engine.store.access import ApiKey
from tests.api.access.logins import bearer, resolve, scope_rows
from tests.conftest import GraphQL, data_of

CREATE = """
mutation Create($input: ApiKeyCreateInput!) {
  apiKeyCreate(input: $input) {
    apiKey { id name prefix roles rateLimitPerMinute createdBy revokedAt lastUsedAt dealer { code } networks { code } }
    secret
    errors { field message code }
  }
}
"""

REVOKE = """
mutation Revoke($id: ID!) {
  apiKeyRevoke(id: $id) { apiKey { name revokedAt } errors { field message code } }
}
"""

LIST = """
query Keys($first: Int!, $after: String, $where: ApiKeyWhereInput, $sortBy: ApiKeyOrder) {
  apiKeys(first: $first, after: $after, where: $where, sortBy: $sortBy) {
    totalCount
    edges { node { name lastUsedAt revokedAt } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

ME = "query Me { me { kind name roles } }"

KEY_FIELDS = 'query Fields { __type(name: "ApiKey") { fields { name } } }'


def create(gql: GraphQL, name: str, roles: list[str], **extra: Any) -> dict[str, Any]:
    body = data_of(gql(CREATE, {"input": {"name": name, "roles": roles, **extra}}))["apiKeyCreate"]
    assert body["errors"] == [], body["errors"]
    return body


def key_count(db: Engine) -> int:
    with db.connect() as c:
        return int(c.scalar(select(func.count()).select_from(ApiKey)) or 0)


def test_a_created_key_works_with_either_header(gql: GraphQL, anonymous: TestClient) -> None:
    # given
    created = create(gql, "pricing-service", ["ANALYST"])
    secret = created["secret"]

    # when
    by_header = anonymous.post("/graphql", json={"query": ME}, headers={"X-API-Key": secret}).json()
    by_bearer = anonymous.post("/graphql", json={"query": ME}, headers=bearer(secret)).json()

    # then
    assert secret.startswith(f"crm_{created['apiKey']['prefix']}_")
    assert data_of(by_header)["me"] == data_of(by_bearer)["me"] == {"kind": "API_KEY", "name": "pricing-service", "roles": ["ANALYST"]}
    assert created["apiKey"]["createdBy"] == "api_key:test-admin"
    assert (created["apiKey"]["revokedAt"], created["apiKey"]["rateLimitPerMinute"]) == (None, None)


def test_the_secret_is_stored_only_as_its_sha256(gql: GraphQL, db: Engine) -> None:
    # given
    created = create(gql, "pricing-service", ["ANALYST"])
    secret = created["secret"]
    # the random part may itself contain "_", so cut the known "crm_<prefix>_" off rather than split
    random_part = secret.removeprefix(f"crm_{created['apiKey']['prefix']}_")

    # when
    with db.connect() as c:
        row = c.execute(select(ApiKey.__table__).where(ApiKey.name == "pricing-service")).mappings().one()

    # then
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert len(random_part) >= 40
    assert random_part not in repr(dict(row))


def test_the_secret_is_never_readable_again(gql: GraphQL) -> None:
    create(gql, "pricing-service", ["ANALYST"])

    names = {f["name"] for f in data_of(gql(KEY_FIELDS))["__type"]["fields"]}

    assert {"name", "prefix", "lastUsedAt"} <= names
    assert not {n for n in names if "secret" in n.lower() or "hash" in n.lower()}


def test_last_used_is_set_when_the_key_is_used(gql: GraphQL, anonymous: TestClient) -> None:
    # given
    secret = create(gql, "pricing-service", ["ANALYST"])["secret"]
    where = {"where": {"nameContains": "pricing"}, "first": 5}
    before = data_of(gql(LIST, where))["apiKeys"]["edges"][0]["node"]["lastUsedAt"]

    # when
    anonymous.post("/graphql", json={"query": ME}, headers={"X-API-Key": secret})

    # then
    assert before is None
    assert data_of(gql(LIST, where))["apiKeys"]["edges"][0]["node"]["lastUsedAt"] is not None


def test_a_revoked_key_stops_at_once_and_revoking_again_changes_nothing(gql: GraphQL, anonymous: TestClient) -> None:
    # given
    created = create(gql, "pricing-service", ["ANALYST"])
    assert anonymous.post("/graphql", json={"query": ME}, headers={"X-API-Key": created["secret"]}).status_code == 200

    # when
    first = data_of(gql(REVOKE, {"id": created["apiKey"]["id"]}))["apiKeyRevoke"]
    again = data_of(gql(REVOKE, {"id": created["apiKey"]["id"]}))["apiKeyRevoke"]

    # then
    refused = anonymous.post("/graphql", json={"query": ME}, headers={"X-API-Key": created["secret"]})
    assert refused.status_code == 401 and refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert first["errors"] == [] and first["apiKey"]["revokedAt"] is not None
    assert again["apiKey"]["revokedAt"] == first["apiKey"]["revokedAt"]


@pytest.mark.parametrize(("key_id", "code"), [("QXBpS2V5Ojk5OTk=", "NOT_FOUND"), ("VXNlcjox", "BAD_GLOBAL_ID")])
def test_revoking_a_missing_key_is_a_payload_error(gql: GraphQL, key_id: str, code: str) -> None:
    body = data_of(gql(REVOKE, {"id": key_id}))["apiKeyRevoke"]

    assert body["apiKey"] is None
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("id", code)]


def test_a_scoped_key_names_its_scope_and_a_taken_name_is_a_duplicate(gql: GraphQL, db: Engine) -> None:
    # given
    ids = scope_rows(db)

    # when
    scoped = create(gql, "dealer-portal", ["DEALER"], dealerId=ids["dealer"], rateLimitPerMinute=60)["apiKey"]
    taken = data_of(gql(CREATE, {"input": {"name": "dealer-portal", "roles": ["ANALYST"]}}))["apiKeyCreate"]

    # then
    assert (scoped["dealer"], scoped["rateLimitPerMinute"]) == ({"code": "D01"}, 60)
    assert (taken["apiKey"], taken["secret"]) == (None, None)
    assert taken["errors"] == [{"field": "input.name", "message": "'dealer-portal' is already used by another ApiKey", "code": "DUPLICATE"}]
    assert key_count(db) == 2  # the test's admin key and the dealer portal's


@pytest.mark.parametrize(
    ("grant", "expected"),
    [
        pytest.param({"roles": ["DEALER"]}, {("input.dealerId", "REQUIRED")}, id="dealer without dealer"),
        pytest.param({"roles": ["SERVICE_AGENT", "TECHNICIAN"], "networkIds": ["network"], "technicianId": "technician"},
                     {("input.roles", "INVALID")}, id="two scoped roles"),
        pytest.param({"roles": ["SERVICE_AGENT"], "networkIds": ["U2VydmljZU5ldHdvcms6OTk5"]},
                     {("input.networkIds.0", "NOT_FOUND")}, id="unknown network"),
        pytest.param({"roles": ["OPS_PLANNER"], "technicianId": "technician"},
                     {("input.technicianId", "INVALID")}, id="scope on an unscoped role"),
        pytest.param({"roles": ["ANALYST"], "rateLimitPerMinute": 0}, {("input.rateLimitPerMinute", "OUT_OF_RANGE")},
                     id="a rate limit of zero"),
        pytest.param({"roles": ["ANALYST"], "name": " "}, {("input.name", "INVALID")}, id="a blank name"),
    ],
)
def test_a_refused_key_create_names_each_field_and_writes_nothing(
    gql: GraphQL, db: Engine, grant: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    # given
    ids = scope_rows(db)

    # when
    body = data_of(gql(CREATE, {"input": {"name": "service", **resolve(grant, ids)}}))["apiKeyCreate"]

    # then
    assert (body["apiKey"], body["secret"]) == (None, None)
    assert {(e["field"], e["code"]) for e in body["errors"]} == expected
    assert key_count(db) == 1


def test_api_keys_filter_sort_and_page(gql: GraphQL) -> None:
    # given
    for name in ("b-service", "a-service", "c-service"):
        create(gql, name, ["ANALYST"] if name != "c-service" else ["OPS_PLANNER"])
    revoked = create(gql, "d-service", ["ANALYST"])["apiKey"]["id"]
    data_of(gql(REVOKE, {"id": revoked}))

    # when
    page = data_of(gql(LIST, {"first": 2, "where": {"nameContains": "-service"}}))["apiKeys"]
    live_analysts = data_of(gql(LIST, {"first": 10, "where": {"role": ["ANALYST"], "revoked": False},
                                       "sortBy": {"field": "NAME", "direction": "DESC"}}))["apiKeys"]
    revoked_only = data_of(gql(LIST, {"first": 10, "where": {"revoked": True}}))["apiKeys"]

    # then
    assert [e["node"]["name"] for e in page["edges"]] == ["a-service", "b-service"]
    assert page["totalCount"] == 4 and page["pageInfo"]["hasNextPage"]
    assert [e["node"]["name"] for e in live_analysts["edges"]] == ["b-service", "a-service"]
    assert [e["node"]["name"] for e in revoked_only["edges"]] == ["d-service"]


def test_a_key_over_its_own_rate_limit_gets_429(gql: GraphQL, anonymous: TestClient) -> None:
    # given
    secret = create(gql, "slow-service", ["ANALYST"], rateLimitPerMinute=2)["secret"]

    # when
    statuses = [anonymous.post("/graphql", json={"query": ME}, headers={"X-API-Key": secret}) for _ in range(3)]

    # then
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert statuses[2].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(statuses[2].headers["retry-after"]) >= 1
