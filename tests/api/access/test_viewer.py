"""`me`: every caller sees its own kind, roles, permissions and scope; only a person logged in
may change their own password."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from api.relay import decode_id
from engine.access.permissions import ROLE_PERMISSIONS, Role
from tests.api.access.logins import PASSWORD, add_dealer, bearer, create_user, login, scope_rows
from tests.conftest import GraphQL, data_of, make_api_key

ME = """
query Me {
  me { kind name displayName roles permissions dealer { code } networks { code } technician { code } }
}
"""

PASSWORD_CHANGE = """
mutation Change($input: ViewerPasswordChangeInput!) {
  viewerPasswordChange(input: $input) { viewer { name } errors { field message code } }
}
"""

# The scope each scoped role's grant names, as keys of `scope_rows`.
SCOPES: dict[Role, dict[str, Any]] = {
    Role.DEALER: {"dealer_id": "dealer"},
    Role.SERVICE_AGENT: {"network_ids": ["other_network", "network"]},
    Role.TECHNICIAN: {"technician_id": "technician"},
}


def grant_of(role: Role, ids: dict[str, str]) -> dict[str, Any]:
    """make_api_key's keyword arguments (primary keys) for this role's scope."""
    def pk(name: str) -> int:
        return decode_id(ids[name])[1]

    scope = SCOPES.get(role, {})
    return {k: [pk(v) for v in value] if isinstance(value, list) else pk(value) for k, value in scope.items()}


@pytest.mark.parametrize("role", list(Role))
def test_me_shows_a_keys_roles_permissions_and_scope(anonymous: TestClient, db: Engine, role: Role) -> None:
    # given
    ids = scope_rows(db)
    key = make_api_key(db, [role], name=f"{role.value}-service", **grant_of(role, ids))

    # when
    me = data_of(anonymous.post("/graphql", json={"query": ME}, headers={"X-API-Key": key}).json())["me"]

    # then
    assert (me["kind"], me["name"], me["displayName"], me["roles"]) == (
        "API_KEY", f"{role.value}-service", f"{role.value}-service", [role.name])
    assert me["permissions"] == sorted(p.value for p in ROLE_PERMISSIONS[role])
    assert me["dealer"] == ({"code": "D01"} if role is Role.DEALER else None)
    assert me["networks"] == ([{"code": "SH01"}, {"code": "SH02"}] if role is Role.SERVICE_AGENT else [])
    assert me["technician"] == ({"code": "T01"} if role is Role.TECHNICIAN else None)


def test_me_of_a_person_shows_their_names_and_what_each_role_adds(gql: GraphQL, anonymous: TestClient) -> None:
    # given
    create_user(gql, "alice", ["ANALYST", "OPS_PLANNER"])

    # when
    me = data_of(anonymous.post("/graphql", json={"query": ME}, headers=bearer(login(anonymous, "alice"))).json())["me"]

    # then
    assert (me["kind"], me["name"], me["displayName"], me["roles"]) == ("USER", "alice", "Alice", ["OPS_PLANNER", "ANALYST"])
    assert "sales:read" in me["permissions"] and "work_order:write" in me["permissions"]  # one from each role
    assert "personal_data:read" not in me["permissions"] and "access:admin" not in me["permissions"]


def test_a_dealer_sees_its_own_dealer_not_its_sub_dealers(gql: GraphQL, anonymous: TestClient, db: Engine) -> None:
    # given: a dealer with a sub-dealer, and a person scoped to it
    ids = scope_rows(db)
    add_dealer(db, "D01-1", parent_id=decode_id(ids["dealer"])[1])
    create_user(gql, "dealer.one", ["DEALER"], dealerId=ids["dealer"])

    # when
    me = data_of(anonymous.post("/graphql", json={"query": ME}, headers=bearer(login(anonymous, "dealer.one"))).json())["me"]

    # then
    assert (me["dealer"], me["permissions"]) == ({"code": "D01"}, sorted(p.value for p in ROLE_PERMISSIONS[Role.DEALER]))


def test_an_api_key_cannot_change_a_password(gql: GraphQL) -> None:
    body = gql(PASSWORD_CHANGE, {"input": {"currentPassword": "anything", "newPassword": "a completely new passphrase"}})

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("new_password", "message"),
    [("too short", "String should have at least 12 characters"),
     (PASSWORD, "the new password must differ from the current one")],
)
def test_a_refused_new_password_is_a_payload_error(
    gql: GraphQL, anonymous: TestClient, new_password: str, message: str
) -> None:
    # given
    create_user(gql, "alice", ["ANALYST"])
    token = login(anonymous, "alice")

    # when
    body = anonymous.post("/graphql", headers=bearer(token), json={"query": PASSWORD_CHANGE, "variables": {
        "input": {"currentPassword": PASSWORD, "newPassword": new_password}}}).json()

    # then
    assert data_of(body)["viewerPasswordChange"] == {"viewer": None, "errors": [
        {"field": "input.newPassword", "message": message, "code": "INVALID"}]}
    assert login(anonymous, "alice")  # the password is unchanged
