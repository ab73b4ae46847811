"""People's accounts through GraphQL: create, update, password set, the list, and refusals that
come back as payload errors with field paths and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from api.relay import decode_id
from engine.access.permissions import Role
from engine.store.access import User
from tests.api.access.logins import PASSWORD, USER_CREATE, create_user, resolve, scope_rows
from tests.conftest import GraphQL, data_of, make_api_key

UPDATE = """
mutation Update($id: ID!, $input: UserUpdateInput!) {
  userUpdate(id: $id, input: $input) {
    user { username displayName roles active dealer { code } networks { code } technician { code } }
    errors { field message code }
  }
}
"""

PASSWORD_SET = """
mutation Set($id: ID!, $input: UserPasswordSetInput!) {
  userPasswordSet(id: $id, input: $input) { user { username } errors { field message code } }
}
"""

LIST = """
query Users($first: Int!, $after: String, $where: UserWhereInput, $sortBy: UserOrder) {
  users(first: $first, after: $after, where: $where, sortBy: $sortBy) {
    totalCount
    edges { node { username roles active } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

USER_FIELDS = 'query Fields { __type(name: "User") { fields { name } } }'


def user_count(db: Engine) -> int:
    with db.connect() as c:
        return int(c.scalar(select(func.count()).select_from(User)) or 0)


def create_body(gql: GraphQL, **overrides: Any) -> dict[str, Any]:
    values = {"username": "alice", "displayName": "Alice", "password": PASSWORD, "roles": ["ANALYST"]}
    return data_of(gql(USER_CREATE, {"input": {**values, **overrides}}))["userCreate"]


def test_user_create_returns_the_user_and_its_scope(gql: GraphQL, db: Engine) -> None:
    # given
    ids = scope_rows(db)

    # when
    dealer = create_user(gql, "dealer.one", ["DEALER"], dealerId=ids["dealer"])
    agent = create_user(gql, "agent", ["SERVICE_AGENT"], networkIds=[ids["other_network"], ids["network"]])
    technician = create_user(gql, "tech", ["TECHNICIAN"], technicianId=ids["technician"])
    admin = create_user(gql, "root", ["ADMIN", "ANALYST"])

    # then
    assert (dealer["dealer"], dealer["networks"], dealer["technician"]) == ({"code": "D01"}, [], None)
    assert agent["networks"] == [{"code": "SH01"}, {"code": "SH02"}]
    assert technician["technician"] == {"code": "T01"}
    assert (admin["roles"], admin["active"], admin["dealer"]) == (["ADMIN", "ANALYST"], True, None)


def test_the_user_type_has_no_password_field(gql: GraphQL) -> None:
    names = {f["name"] for f in data_of(gql(USER_FIELDS))["__type"]["fields"]}

    assert {"username", "roles", "lastLoginAt"} <= names
    assert not {n for n in names if "password" in n.lower() or "hash" in n.lower() or "token" in n.lower()}


GRANT_ERRORS = [
    pytest.param({"roles": ["DEALER"]}, {("input.dealerId", "REQUIRED")}, id="dealer role without its dealer"),
    pytest.param({"roles": ["SERVICE_AGENT"]}, {("input.networkIds", "REQUIRED")}, id="service agent without networks"),
    pytest.param({"roles": ["TECHNICIAN"]}, {("input.technicianId", "REQUIRED")}, id="technician without technician"),
    pytest.param({"roles": ["DEALER", "ANALYST"], "dealerId": "dealer"}, {("input.roles", "INVALID")},
                 id="a scoped role combined with another"),
    pytest.param({"roles": ["ANALYST"], "dealerId": "dealer"}, {("input.dealerId", "INVALID")},
                 id="a scope on an unscoped role"),
    pytest.param({"roles": ["SERVICE_AGENT"], "networkIds": ["network", "U2VydmljZU5ldHdvcms6OTk5"]},
                 {("input.networkIds.1", "NOT_FOUND")}, id="an unknown network"),
    pytest.param({"roles": ["SERVICE_AGENT"], "networkIds": ["network", "network"]},
                 {("input.networkIds", "INVALID")}, id="a network named twice"),
    pytest.param({"roles": ["DEALER"], "dealerId": "bm90LWFuLWlk"}, {("input.dealerId", "BAD_GLOBAL_ID")},
                 id="a bad global id"),
    pytest.param({"roles": ["TECHNICIAN"], "technicianId": "dealer"}, {("input.technicianId", "BAD_GLOBAL_ID")},
                 id="a dealer's id as technician"),
    pytest.param({"roles": []}, {("input.roles", "INVALID")}, id="no role"),
    pytest.param({"roles": ["ANALYST", "ANALYST"]}, {("input.roles", "INVALID")}, id="a role twice"),
    pytest.param({"username": "Alice Smith"}, {("input.username", "INVALID")}, id="a username with capitals and space"),
    pytest.param({"password": "too short"}, {("input.password", "INVALID")}, id="a short password"),
    pytest.param({"displayName": "  "}, {("input.displayName", "INVALID")}, id="a blank display name"),
]


@pytest.mark.parametrize(("overrides", "expected"), GRANT_ERRORS)
def test_a_refused_user_create_names_each_field_and_writes_nothing(
    gql: GraphQL, db: Engine, overrides: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    # given: the scope rows, referred to by name in the overrides
    ids = scope_rows(db)

    # when
    body = create_body(gql, **resolve(overrides, ids))

    # then
    assert body["user"] is None
    assert {(e["field"], e["code"]) for e in body["errors"]} == expected
    assert user_count(db) == 0


def test_a_taken_username_is_a_duplicate(gql: GraphQL, db: Engine) -> None:
    create_user(gql, "alice", ["ANALYST"])

    body = create_body(gql, username="alice", roles=["ADMIN"])

    assert body["errors"] == [{"field": "input.username", "message": "'alice' is already used by another User", "code": "DUPLICATE"}]
    assert user_count(db) == 1


def test_user_update_changes_roles_and_scope_together(gql: GraphQL, db: Engine) -> None:
    # given
    ids = scope_rows(db)
    user = create_user(gql, "alice", ["ANALYST"])

    # when
    scoped = data_of(gql(UPDATE, {"id": user["id"], "input": {"roles": ["DEALER"], "dealerId": ids["dealer"]}}))["userUpdate"]
    unscoped = data_of(gql(UPDATE, {"id": user["id"], "input": {"roles": ["CHANNEL_MANAGER"], "dealerId": None, "displayName": "A."}}))["userUpdate"]

    # then
    assert scoped["errors"] == [] and scoped["user"]["dealer"] == {"code": "D01"}
    assert unscoped["errors"] == []
    assert unscoped["user"] == {"username": "alice", "displayName": "A.", "roles": ["CHANNEL_MANAGER"], "active": True,
                                     "dealer": None, "networks": [], "technician": None}


def test_a_refused_user_update_changes_nothing(gql: GraphQL, db: Engine) -> None:
    # given
    ids = scope_rows(db)
    user = create_user(gql, "alice", ["ANALYST"])
    create_user(gql, "bob", ["ANALYST"])

    # when
    combined = data_of(gql(UPDATE, {"id": user["id"], "input": {"roles": ["DEALER", "TECHNICIAN"], "dealerId": ids["dealer"]}}))
    taken = data_of(gql(UPDATE, {"id": user["id"], "input": {"username": "bob", "active": False}}))

    # then
    assert {(e["field"], e["code"]) for e in combined["userUpdate"]["errors"]} == {
        ("input.roles", "INVALID"), ("input.technicianId", "REQUIRED")}
    assert taken["userUpdate"]["errors"][0] == {"field": "input.username", "message": "'bob' is already used by another User", "code": "DUPLICATE"}
    with db.connect() as c:
        assert c.execute(select(User.roles, User.dealer_id, User.active).where(User.username == "alice")).one() == (["analyst"], None, True)


@pytest.mark.parametrize(("user_id", "code"), [("VXNlcjo5OTk5", "NOT_FOUND"), ("RGVhbGVyOjE=", "BAD_GLOBAL_ID")])
def test_update_and_password_set_of_a_missing_user_are_payload_errors(gql: GraphQL, user_id: str, code: str) -> None:
    update = data_of(gql(UPDATE, {"id": user_id, "input": {"displayName": "x"}}))["userUpdate"]
    password = data_of(gql(PASSWORD_SET, {"id": user_id, "input": {"password": "long enough password"}}))["userPasswordSet"]

    assert [(e["field"], e["code"]) for e in update["errors"]] == [("id", code)]
    assert [(e["field"], e["code"]) for e in password["errors"]] == [("id", code)]


def test_a_short_password_is_refused_and_the_old_one_kept(gql: GraphQL, db: Engine) -> None:
    user = create_user(gql, "alice", ["ANALYST"])
    with db.connect() as c:
        before = c.scalar(select(User.password_hash))

    body = data_of(gql(PASSWORD_SET, {"id": user["id"], "input": {"password": "short"}}))["userPasswordSet"]

    assert [(e["field"], e["code"]) for e in body["errors"]] == [("input.password", "INVALID")]
    with db.connect() as c:
        assert c.scalar(select(User.password_hash)) == before


def test_users_filter_sort_and_page(gql: GraphQL, db: Engine) -> None:
    # given
    ids = scope_rows(db)
    create_user(gql, "carol", ["ANALYST"])
    create_user(gql, "alice", ["ADMIN"])
    create_user(gql, "bob", ["DEALER"], dealerId=ids["dealer"])
    dave = create_user(gql, "dave", ["ANALYST", "OPS_PLANNER"])
    data_of(gql(UPDATE, {"id": dave["id"], "input": {"active": False}}))

    # when
    first = data_of(gql(LIST, {"first": 2}))["users"]
    rest = data_of(gql(LIST, {"first": 2, "after": first["pageInfo"]["endCursor"]}))["users"]
    analysts = data_of(gql(LIST, {"first": 10, "where": {"role": ["ANALYST"]}, "sortBy": {"field": "USERNAME", "direction": "DESC"}}))["users"]
    active_dealers = data_of(gql(LIST, {"first": 10, "where": {"role": ["DEALER", "OPS_PLANNER"], "active": True}}))["users"]
    of_dealer = data_of(gql(LIST, {"first": 10, "where": {"dealer": [ids["dealer"]], "usernameContains": "o"}}))["users"]

    # then
    assert [e["node"]["username"] for e in first["edges"]] == ["alice", "bob"] and first["totalCount"] == 4
    assert [e["node"]["username"] for e in rest["edges"]] == ["carol", "dave"] and not rest["pageInfo"]["hasNextPage"]
    assert [e["node"]["username"] for e in analysts["edges"]] == ["dave", "carol"]
    assert [e["node"]["username"] for e in active_dealers["edges"]] == ["bob"]
    assert [e["node"]["username"] for e in of_dealer["edges"]] == ["bob"]


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_an_access_admin_may_list_or_create_users(client: TestClient, db: Engine, role: Role) -> None:
    # given: a key of another role (scoped roles with their scope)
    ids = scope_rows(db)
    grant: dict[str, Any] = {
        Role.DEALER: {"dealer_id": decode_id(ids["dealer"])[1]},
        Role.SERVICE_AGENT: {"network_ids": [decode_id(ids["network"])[1]]},
        Role.TECHNICIAN: {"technician_id": decode_id(ids["technician"])[1]},
    }.get(role, {})
    key = make_api_key(db, [role], **grant)

    # when
    listed = client.post("/graphql", json={"query": LIST, "variables": {"first": 5}}, headers={"X-API-Key": key}).json()
    created = client.post("/graphql", headers={"X-API-Key": key}, json={"query": USER_CREATE, "variables": {"input": {
        "username": "mallory", "displayName": "M", "password": PASSWORD, "roles": ["ADMIN"]}}}).json()

    # then
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert created["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert user_count(db) == 0


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(gql: GraphQL, db: Engine) -> None:
    # given: one admin account
    root = create_user(gql, "root", ["ADMIN"])

    # when: it is deactivated, then demoted
    deactivated = data_of(gql(UPDATE, {"id": root["id"], "input": {"active": False}}))["userUpdate"]
    demoted = data_of(gql(UPDATE, {"id": root["id"], "input": {"roles": ["ANALYST"]}}))["userUpdate"]

    # then: both refused; with a second admin the first may step down
    assert [(e["field"], e["code"]) for e in deactivated["errors"]] == [("input.roles", "INVALID")]
    assert [(e["field"], e["code"]) for e in demoted["errors"]] == [("input.roles", "INVALID")]
    create_user(gql, "root2", ["ADMIN"])
    stepped_down = data_of(gql(UPDATE, {"id": root["id"], "input": {"active": False}}))["userUpdate"]
    assert stepped_down["errors"] == [] and stepped_down["user"]["active"] is False
