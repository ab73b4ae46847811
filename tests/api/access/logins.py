"""Accounts for access and authentication tests: made through GraphQL as an admin would, logged
in through /auth/login as a person would, plus the scope rows a scoped role must name."""

from __future__ import annotations

import math
import time
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from engine.store.channel import Dealer
from schemas.enums import ChannelType, CooperationLevel
from tests.api.service.arrange import add_network, add_technician
from tests.conftest import GraphQL, data_of

PASSWORD = "correct horse battery"

USER_CREATE = """
mutation Create($input: UserCreateInput!) {
  userCreate(input: $input) {
    user { id username displayName roles active dealer { code } networks { code } technician { code } }
    errors { field message code }
  }
}
"""


def create_user(gql: GraphQL, username: str, roles: list[str], password: str = PASSWORD, **grant: Any) -> dict[str, Any]:
    """A user made through `userCreate`; fails the test if refused."""
    body = data_of(gql(USER_CREATE, {"input": {
        "username": username, "displayName": username.title(), "password": password, "roles": roles, **grant,
    }}))["userCreate"]
    assert body["errors"] == [], body["errors"]
    return body["user"]


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """A token from /auth/login; fails the test if refused."""
    response = client.post("/auth/login", json={"username": username, "password": password}, headers={"X-API-Key": ""})
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def bearer(credential: str) -> dict[str, str]:
    """Headers sending only this credential (the client's own API key header blanked out)."""
    return {"Authorization": f"Bearer {credential}", "X-API-Key": ""}


def wait_for_next_second() -> None:
    """Tokens carry their issue time in whole seconds: a change made in a later second than a
    token's issue is unambiguously after it."""
    now = time.time()
    time.sleep(math.ceil(now) - now + 0.01)


def add_dealer(db: Engine, code: str, parent_id: int | None = None) -> int:
    with Session(db) as session, session.begin():
        dealer = Dealer(code=code, name=f"经销商 {code}", legal_representative="张伟", parent_id=parent_id,
                        channel_type=ChannelType.AGENT, cooperation_level=CooperationLevel.CITY_AGENT)
        session.add(dealer)
        session.flush()
        return int(dealer.id)


def scope_rows(db: Engine) -> dict[str, str]:
    """Global ids of what scoped roles name: a dealer, two networks and a technician."""
    from api.relay import global_id

    network = add_network(db, "SH01")
    return {
        "dealer": global_id("Dealer", add_dealer(db, "D01")),
        "network": network,
        "other_network": add_network(db, "SH02", ["310104"]),
        "technician": add_technician(db, network, "T01"),
    }


def resolve(values: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """Input values with scope rows named by `scope_rows`' keys ("dealer", "network", …) replaced
    by their global ids; anything else is kept as written."""

    def one(value: Any) -> Any:
        return ids.get(value, value) if isinstance(value, str) else value

    return {k: [one(v) for v in value] if isinstance(value, list) else one(value) for k, value in values.items()}
