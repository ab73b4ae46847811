"""Rate limits: requests a minute per API key (its own figure, or the setting) and per logged-in
person; over the limit a 429 RATE_LIMITED with Retry-After; health checks are never limited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from starlette.testclient import TestClient

from api.app import create_app
from engine import clock
from engine.access.passwords import hash_password
from engine.access.permissions import Role
from engine.settings import Settings
from engine.store.access import ApiKey, User
from tests.conftest import make_api_key

PING = "query Ping { __typename }"

KEY_LIMIT = 3
USER_LIMIT = 2
PASSWORD = "a long enough password"


@pytest.fixture
def limited(settings: Settings) -> Iterator[TestClient]:
    """A client (no credentials of its own) of an app with small limits, so tests stay quick."""
    small = settings.model_copy(update={"rate_limit_key_per_minute": KEY_LIMIT, "rate_limit_user_per_minute": USER_LIMIT})
    with TestClient(create_app(small)) as client:
        yield client


def ping(client: TestClient, headers: dict[str, str]) -> int:
    return client.post("/graphql", json={"query": PING}, headers=headers).status_code


def key_headers(db: Engine, name: str, per_minute: int | None = None) -> dict[str, str]:
    """An analyst key's headers; with `per_minute`, the key's own limit."""
    key = make_api_key(db, [Role.ANALYST], name=name)
    if per_minute is not None:
        with db.begin() as c:
            c.execute(update(ApiKey).where(ApiKey.name == name).values(rate_limit_per_minute=per_minute))
    return {"X-API-Key": key}


def add_person(db: Engine, username: str) -> None:
    with db.begin() as c:
        c.execute(User.__table__.insert().values(
            username=username, display_name=username.title(), password_hash=hash_password(PASSWORD),
            roles=[Role.ANALYST.value], network_ids=[], active=True,
            tokens_valid_after=clock.now() - timedelta(hours=1),
        ))


def bearer_of(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_an_api_key_gets_the_configured_requests_a_minute_then_429_with_retry_after(limited: TestClient, db: Engine) -> None:
    # given
    headers = key_headers(db, "svc-a")

    # when
    allowed = [ping(limited, headers) for _ in range(KEY_LIMIT)]
    refused = limited.post("/graphql", json={"query": PING}, headers=headers)

    # then
    assert allowed == [200] * KEY_LIMIT
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert f"{KEY_LIMIT} requests a minute" in refused.json()["errors"][0]["message"]
    assert 1 <= int(refused.headers["retry-after"]) <= 61


def test_a_keys_own_limit_overrides_the_setting(limited: TestClient, db: Engine) -> None:
    # given: one key allowed more than the setting, one fewer
    generous, strict = key_headers(db, "svc-generous", per_minute=KEY_LIMIT + 2), key_headers(db, "svc-strict", per_minute=1)

    # when
    generous_codes = [ping(limited, generous) for _ in range(KEY_LIMIT + 3)]
    strict_codes = [ping(limited, strict) for _ in range(2)]

    # then
    assert generous_codes == [200] * (KEY_LIMIT + 2) + [429]
    assert strict_codes == [200, 429]


def test_two_keys_do_not_share_a_budget(limited: TestClient, db: Engine) -> None:
    # given: one key that has spent its minute
    spent, fresh = key_headers(db, "svc-spent"), key_headers(db, "svc-fresh")
    assert [ping(limited, spent) for _ in range(KEY_LIMIT + 1)][-1] == 429

    # when
    fresh_codes = [ping(limited, fresh) for _ in range(KEY_LIMIT)]

    # then
    assert fresh_codes == [200] * KEY_LIMIT
    assert ping(limited, spent) == 429


def test_a_logged_in_person_gets_the_user_limit_across_all_their_tokens(limited: TestClient, db: Engine) -> None:
    # given: a person logged in twice, and another person
    add_person(db, "wang.fang")
    add_person(db, "li.na")
    first, second = bearer_of(limited, "wang.fang"), bearer_of(limited, "wang.fang")
    other = bearer_of(limited, "li.na")

    # when
    codes = [ping(limited, first) for _ in range(USER_LIMIT)] + [ping(limited, second)]
    other_codes = [ping(limited, other) for _ in range(USER_LIMIT)]

    # then: the person's budget is spent whichever token is used; the other's is whole
    assert codes == [200] * USER_LIMIT + [429]
    assert other_codes == [200] * USER_LIMIT


def test_health_checks_are_never_limited(limited: TestClient, db: Engine) -> None:
    # given: a key that has spent its minute
    headers = key_headers(db, "svc-spent")
    assert [ping(limited, headers) for _ in range(KEY_LIMIT + 1)][-1] == 429

    # when: many more health checks than any limit, with and without the spent key
    with_key = [limited.get("/healthz", headers=headers).status_code for _ in range(KEY_LIMIT * 5)]
    without = [limited.get("/healthz").status_code for _ in range(KEY_LIMIT * 5)]

    # then
    assert with_key == without == [200] * KEY_LIMIT * 5
