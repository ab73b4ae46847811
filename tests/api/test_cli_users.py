"""`crm-engine user create`, `apikey create|revoke` and the demo logins of `demo-data`: accounts
made from the command line work at the door like any other."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient
from typer.testing import CliRunner, Result

from api.cli import app
from engine.access.permissions import Role
from engine.demo.accounts import ACCOUNTS, DEFAULT_PASSWORD
from engine.settings import get_settings
from engine.store.access import ApiKey, User
from engine.store.channel import Dealer
from engine.store.service import Technician, WorkOrder
from tests.api.access.logins import add_dealer, bearer, login
from tests.conftest import data_of

ME = "query Me { me { kind name roles dealer { code } networks { code } technician { code } } }"
PASSWORD = "typed at the terminal 1"


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[str]:
    """DATABASE_URL set for the command, with the cached settings forgotten before and after."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin)


def me(client: TestClient, headers: dict[str, str]) -> dict[str, object]:
    return data_of(client.post("/graphql", json={"query": ME}, headers=headers).json())["me"]


def test_the_first_admin_made_with_a_password_on_stdin_can_log_in(use_database: str, anonymous: TestClient) -> None:
    # when
    result = run("user", "create", "--username", "root", "--role", "admin", "--display-name", "Root", "--password-stdin",
                 stdin=PASSWORD + "\n")

    # then
    assert result.exit_code == 0, result.output
    assert "created user root (admin)" in result.output
    assert me(anonymous, bearer(login(anonymous, "root", PASSWORD))) == {
        "kind": "USER", "name": "root", "roles": ["ADMIN"], "dealer": None, "networks": [], "technician": None}


def test_user_create_asks_for_the_password_twice_and_names_the_scope_by_code(
    use_database: str, anonymous: TestClient, db: Engine
) -> None:
    # given
    add_dealer(db, "D01")

    # when
    result = run("user", "create", "--username", "dealer.one", "--role", "dealer", "--dealer", "D01",
                 stdin=f"{PASSWORD}\n{PASSWORD}\n")

    # then
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # the prompt hides what is typed
    assert me(anonymous, bearer(login(anonymous, "dealer.one", PASSWORD)))["dealer"] == {"code": "D01"}


@pytest.mark.parametrize(
    ("args", "password", "expected"),
    [
        pytest.param(["--role", "dealer", "--dealer", "NOPE"], PASSWORD, "error: dealer_id: no Dealer has code 'NOPE' (NOT_FOUND)",
                     id="unknown dealer code"),
        pytest.param(["--role", "dealer"], PASSWORD, "error: dealer_id: required for role dealer (REQUIRED)",
                     id="dealer role without dealer"),
        pytest.param(["--role", "admin"], "short", "error: password: String should have at least 12 characters (INVALID)",
                     id="short password"),
        pytest.param(["--role", "admin", "--role", "technician", "--technician", "T9"], PASSWORD,
                     "error: technician_id: no Technician has code 'T9' (NOT_FOUND)", id="unknown technician"),
    ],
)
def test_a_refused_user_create_prints_the_field_and_exits_non_zero(
    use_database: str, db: Engine, args: list[str], password: str, expected: str
) -> None:
    result = run("user", "create", "--username", "someone", *args, "--password-stdin", stdin=password + "\n")

    assert result.exit_code == 1
    assert expected in result.output
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(User)) == 0


def test_a_taken_username_is_refused(use_database: str) -> None:
    first = run("user", "create", "--username", "root", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")

    again = run("user", "create", "--username", "root", "--role", "analyst", "--password-stdin", stdin=PASSWORD + "\n")

    assert first.exit_code == 0 and again.exit_code == 1
    assert "error: username: 'root' is already used by another User (DUPLICATE)" in again.output


def test_apikey_create_prints_a_working_key_and_revoke_stops_it(use_database: str, anonymous: TestClient, db: Engine) -> None:
    # when
    created = run("apikey", "create", "--name", "dispatch", "--role", "ops_planner", "--rate-limit", "100")
    secret = created.stdout.strip()

    # then
    assert created.exit_code == 0, created.output
    assert me(anonymous, {"X-API-Key": secret})["name"] == "dispatch"
    with db.connect() as c:
        assert c.execute(select(ApiKey.rate_limit_per_minute, ApiKey.created_by)).one() == (100, "system:cli")

    # when
    revoked = run("apikey", "revoke", "dispatch")

    # then
    assert revoked.exit_code == 0, revoked.output
    assert anonymous.post("/graphql", json={"query": ME}, headers={"X-API-Key": secret}).status_code == 401


def test_revoking_an_unknown_key_exits_non_zero(use_database: str) -> None:
    result = run("apikey", "revoke", "nope")

    assert result.exit_code == 1
    assert "error: name: no API key is named 'nope' (NOT_FOUND)" in result.output


def test_demo_data_makes_one_login_per_role(use_database: str, anonymous: TestClient, db: Engine) -> None:
    # when
    result = run("demo-data", "--size", "small", "--seed", "7", "--accounts-password", PASSWORD)

    # then: each logs in with the password given, with its role and a scope of the demo data
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    seen = {}
    for username, role, _scope in ACCOUNTS:
        assert username in output
        seen[role] = me(anonymous, bearer(login(anonymous, username, PASSWORD)))
        assert seen[role]["roles"] == [role.name]
    assert {r for r in Role} == set(seen)
    dealer_code = seen[Role.DEALER]["dealer"]["code"]  # type: ignore[index]
    technician_code = seen[Role.TECHNICIAN]["technician"]["code"]  # type: ignore[index]
    with db.connect() as c:
        dealer = c.execute(select(Dealer.parent_id, Dealer.channel_type).where(Dealer.code == dealer_code)).one()
        technician_orders = c.scalar(select(func.count()).select_from(WorkOrder).join(Technician).where(Technician.code == technician_code))
    assert (dealer.parent_id, dealer.channel_type.value) == (None, "agent")  # a top-level agent
    assert len(seen[Role.SERVICE_AGENT]["networks"]) == 1  # type: ignore[arg-type]
    assert technician_orders


def test_a_short_demo_password_is_refused_before_anything_is_loaded(use_database: str, db: Engine) -> None:
    result = run("demo-data", "--size", "small", "--accounts-password", "short")

    assert result.exit_code == 3
    assert "--accounts-password: String should have at least 12 characters" in " ".join(result.output.split())
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(Dealer)) == 0


def test_demo_accounts_default_to_the_documented_password(use_database: str, anonymous: TestClient) -> None:
    result = run("demo-data", "--size", "small", "--seed", "7")

    assert result.exit_code == 0, result.output
    assert DEFAULT_PASSWORD == "demo-password-2026" and DEFAULT_PASSWORD in result.output
    assert login(anonymous, "demo-analyst", DEFAULT_PASSWORD)
