"""Password login: tokens for people, refusals that tell nothing, refresh, tokens that stop
when the password changes or the account is deactivated, a login rate limit, and the audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from api.app import create_app
from api.relay import decode_id
from engine.access.passwords import verify_password
from engine.settings import Settings
from engine.store.access import AuditEvent, User
from tests.api.access.logins import PASSWORD, bearer, create_user, login, wait_for_next_second
from tests.conftest import GraphQL, data_of

ME = "query Me { me { kind name displayName roles } }"

UPDATE = """
mutation Update($id: ID!, $input: UserUpdateInput!) {
  userUpdate(id: $id, input: $input) { user { active } errors { field message code } }
}
"""

PASSWORD_SET = """
mutation Set($id: ID!, $input: UserPasswordSetInput!) {
  userPasswordSet(id: $id, input: $input) { user { username } errors { field message code } }
}
"""

PASSWORD_CHANGE = """
mutation Change($input: ViewerPasswordChangeInput!) {
  viewerPasswordChange(input: $input) { viewer { name } errors { field message code } }
}
"""

NEW_PASSWORD = "a completely new passphrase"


def me(client: TestClient, token: str) -> int:
    """The status of a `me` query sent with this token."""
    return client.post("/graphql", json={"query": ME}, headers=bearer(token)).status_code


def attempt(client: TestClient, username: str, password: str) -> tuple[int, dict[str, object]]:
    response = client.post("/auth/login", json={"username": username, "password": password})
    return response.status_code, response.json()


def test_login_returns_a_token_that_works_on_graphql(gql: GraphQL, anonymous: TestClient) -> None:
    # given
    create_user(gql, "alice", ["OPS_PLANNER"])

    # when
    response = anonymous.post("/auth/login", json={"username": "alice", "password": PASSWORD})
    body = response.json()
    viewer = anonymous.post("/graphql", json={"query": ME}, headers=bearer(body["token"])).json()

    # then
    assert response.status_code == 200 and body["tokenType"] == "Bearer"
    assert datetime.fromisoformat(body["expiresAt"]) > datetime.now(datetime.fromisoformat(body["expiresAt"]).tzinfo)
    assert data_of(viewer)["me"] == {"kind": "USER", "name": "alice", "displayName": "Alice", "roles": ["OPS_PLANNER"]}


def test_login_sets_the_last_login_time(gql: GraphQL, anonymous: TestClient, db: Engine) -> None:
    create_user(gql, "alice", ["ANALYST"])

    login(anonymous, "alice")

    with db.connect() as c:
        assert c.scalar(select(User.last_login_at).where(User.username == "alice")) is not None


def test_wrong_password_and_unknown_username_get_the_same_refusal(gql: GraphQL, anonymous: TestClient) -> None:
    # given
    create_user(gql, "alice", ["ANALYST"])

    # when
    wrong_password = attempt(anonymous, "alice", "not the password at all")
    unknown_user = attempt(anonymous, "mallory", PASSWORD)

    # then
    assert wrong_password == unknown_user
    assert wrong_password[0] == 401
    assert wrong_password[1]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"  # type: ignore[index]


def test_an_inactive_user_is_refused_like_a_wrong_password(gql: GraphQL, anonymous: TestClient) -> None:
    # given
    user = create_user(gql, "alice", ["ANALYST"])
    assert data_of(gql(UPDATE, {"id": user["id"], "input": {"active": False}}))["userUpdate"]["errors"] == []

    # when
    refused = attempt(anonymous, "alice", PASSWORD)

    # then
    assert refused == attempt(anonymous, "mallory", PASSWORD)
    assert refused[0] == 401


def test_refresh_gives_a_new_token_that_works(gql: GraphQL, anonymous: TestClient) -> None:
    # given
    create_user(gql, "alice", ["ANALYST"])
    token = login(anonymous, "alice")
    wait_for_next_second()

    # when
    response = anonymous.post("/auth/refresh", headers=bearer(token))

    # then
    fresh = response.json()["token"]
    assert response.status_code == 200 and fresh != token
    assert me(anonymous, fresh) == 200


def test_refresh_needs_a_person_not_a_key(anonymous: TestClient, admin_key: str) -> None:
    without = anonymous.post("/auth/refresh")
    with_key = anonymous.post("/auth/refresh", headers={"X-API-Key": admin_key})

    assert (without.status_code, with_key.status_code) == (401, 401)
    assert with_key.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_password_set_by_an_admin_stops_older_tokens(gql: GraphQL, anonymous: TestClient) -> None:
    # given: a token issued before the change
    user = create_user(gql, "alice", ["ANALYST"])
    token = login(anonymous, "alice")
    wait_for_next_second()

    # when
    body = data_of(gql(PASSWORD_SET, {"id": user["id"], "input": {"password": NEW_PASSWORD}}))["userPasswordSet"]

    # then
    assert body == {"user": {"username": "alice"}, "errors": []}
    assert me(anonymous, token) == 401
    assert attempt(anonymous, "alice", PASSWORD)[0] == 401
    assert me(anonymous, login(anonymous, "alice", NEW_PASSWORD)) == 200


def test_changing_ones_own_password_stops_older_tokens(gql: GraphQL, anonymous: TestClient) -> None:
    # given
    create_user(gql, "alice", ["ANALYST"])
    token = login(anonymous, "alice")
    wait_for_next_second()

    # when
    response = anonymous.post("/graphql", headers=bearer(token), json={
        "query": PASSWORD_CHANGE, "variables": {"input": {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}},
    })

    # then
    assert data_of(response.json())["viewerPasswordChange"] == {"viewer": {"name": "alice"}, "errors": []}
    assert me(anonymous, token) == 401
    assert attempt(anonymous, "alice", PASSWORD)[0] == 401
    assert me(anonymous, login(anonymous, "alice", NEW_PASSWORD)) == 200


def test_a_wrong_current_password_changes_nothing(gql: GraphQL, anonymous: TestClient, db: Engine) -> None:
    # given
    create_user(gql, "alice", ["ANALYST"])
    token = login(anonymous, "alice")
    with db.connect() as c:
        before = c.execute(select(User.password_hash, User.tokens_valid_after).where(User.username == "alice")).one()
    wait_for_next_second()

    # when
    response = anonymous.post("/graphql", headers=bearer(token), json={
        "query": PASSWORD_CHANGE, "variables": {"input": {"currentPassword": "not my password", "newPassword": NEW_PASSWORD}},
    })

    # then
    assert data_of(response.json())["viewerPasswordChange"] == {"viewer": None, "errors": [
        {"field": "input.currentPassword", "message": "the current password is not right", "code": "INVALID"}]}
    with db.connect() as c:
        after = c.execute(select(User.password_hash, User.tokens_valid_after).where(User.username == "alice")).one()
    assert after == before
    assert me(anonymous, token) == 200


def test_deactivation_stops_older_tokens(gql: GraphQL, anonymous: TestClient) -> None:
    # given
    user = create_user(gql, "alice", ["ANALYST"])
    token = login(anonymous, "alice")
    assert me(anonymous, token) == 200

    # when
    body = data_of(gql(UPDATE, {"id": user["id"], "input": {"active": False}}))["userUpdate"]

    # then: refused at once, even within the second the token was issued in
    assert body == {"user": {"active": False}, "errors": []}
    assert me(anonymous, token) == 401


@pytest.fixture
def strict_login(settings: Settings) -> Iterator[TestClient]:
    """A server allowing 3 login attempts a minute per username."""
    limited = settings.model_copy(update={"login_attempts_per_minute": 3})
    with TestClient(create_app(limited)) as test_client:
        yield test_client


def test_login_attempts_over_the_limit_get_429_with_retry_after(gql: GraphQL, strict_login: TestClient) -> None:
    # given: the attempts allowed, used up with wrong passwords
    create_user(gql, "alice", ["ANALYST"])
    used = [attempt(strict_login, "alice", "guess number one")[0] for _ in range(3)]

    # when: the right password, one attempt too many
    response = strict_login.post("/auth/login", json={"username": "alice", "password": PASSWORD})

    # then
    assert used == [401, 401, 401]
    assert response.status_code == 429
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert attempt(strict_login, "bob", "another name")[0] == 401  # counted per username


def test_a_login_writes_an_audit_event_without_the_password(gql: GraphQL, anonymous: TestClient, db: Engine) -> None:
    # given
    user = create_user(gql, "alice", ["ANALYST"])

    # when
    login(anonymous, "alice")
    attempt(anonymous, "alice", "wrong-password-guess")

    # then
    with db.connect() as c:
        events = c.execute(select(AuditEvent).where(AuditEvent.operation == "login").order_by(AuditEvent.id)).mappings().all()
    assert [(e["outcome"], e["actor_name"]) for e in events] == [("ok", "alice"), ("refused", "alice")]
    assert (events[0]["actor_kind"], events[0]["object_type"], events[0]["object_id"]) == ("user", "User", decode_id(user["id"])[1])
    assert events[1]["error_codes"] == ["UNAUTHENTICATED"]
    for event in events:
        assert PASSWORD not in repr(dict(event)) and "wrong-password-guess" not in repr(dict(event))


def test_the_stored_password_is_an_argon2id_hash(gql: GraphQL, db: Engine) -> None:
    create_user(gql, "alice", ["ANALYST"])

    with db.connect() as c:
        row = c.execute(select(User.__table__).where(User.username == "alice")).mappings().one()

    assert row["password_hash"].startswith("$argon2id$")
    assert verify_password(row["password_hash"], PASSWORD)
    assert PASSWORD not in repr(dict(row)).replace(row["password_hash"], "")


GUESSES = "mutation Guess {" + "".join(
    f' g{i}: viewerPasswordChange(input: {{currentPassword: "guess number {i:02}", newPassword: "a new password 2026"}})'
    " { errors { field code } }"
    for i in range(6)
) + " }"


def test_password_guesses_through_aliased_changes_share_the_login_limit(gql: GraphQL, strict_login: TestClient) -> None:
    # given: a person's token (one login attempt of the three a minute used)
    create_user(gql, "alice", ["ANALYST"])
    token = login(strict_login, "alice")

    # when: six guesses of the current password in one request
    body = data_of(strict_login.post("/graphql", json={"query": GUESSES}, headers=bearer(token)).json())

    # then: two are checked (wrong), the rest refused unchecked, and the login budget is spent too
    codes = [body[f"g{i}"]["errors"][0]["code"] for i in range(6)]
    assert codes == ["INVALID", "INVALID", "RATE_LIMITED", "RATE_LIMITED", "RATE_LIMITED", "RATE_LIMITED"]
    assert strict_login.post("/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 429
