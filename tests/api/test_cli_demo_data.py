"""`crm-engine demo-data`: loads an empty database, refuses or skips a non-empty one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from api.cli import app
from engine.demo.generate import DemoData, generate
from engine.demo.load import digest_rows, load, row_counts, table_digest
from engine.demo.sizes import DemoSize
from engine.settings import get_settings
from engine.store import Dealer, Member, User, WorkOrder
from schemas.enums import ChannelType, CooperationLevel


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[str]:
    """DATABASE_URL set for the command, with the cached settings forgotten before and after."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def run(*args: str) -> tuple[Result, str]:
    result = CliRunner().invoke(app, ["demo-data", *args])
    return result, " ".join(result.output.split())  # rich wraps long lines


def add_dealer(db: Engine) -> None:
    with Session(db) as session, session.begin():
        session.add(
            Dealer(
                code="OWN01",
                name="自有经销商",
                legal_representative="李娜",
                channel_type=ChannelType.AGENT,
                cooperation_level=CooperationLevel.CITY_AGENT,
            )
        )


def count(db: Engine, model: type) -> int:
    with db.connect() as c:
        return c.scalar(select(func.count()).select_from(model)) or 0


def test_demo_data_loads_the_small_set_into_an_empty_database(
    use_database: str, db: Engine, small: DemoData
) -> None:
    # The fixture's day, not today's: which targets exist depends on the day.
    result, output = run("--size", "small", "--seed", "7", "--date", small.day.isoformat())

    assert result.exit_code == 0, output
    assert "Loaded small demo data" in output and "300 open work orders" in output
    with db.connect() as c:
        assert row_counts(c) == small.counts()


def test_demo_data_refuses_a_database_that_holds_data_and_changes_nothing(
    use_database: str, db: Engine
) -> None:
    add_dealer(db)

    result, output = run("--size", "small", "--seed", "7")

    assert result.exit_code == 1
    assert (
        "Refusing to load demo data into a non-empty database" in output and "--if-empty" in output
    )
    assert (count(db, Dealer), count(db, Member)) == (1, 0)


def test_if_empty_skips_a_database_that_holds_data(use_database: str, db: Engine) -> None:
    add_dealer(db)

    result, output = run("--size", "small", "--seed", "7", "--if-empty")

    assert result.exit_code == 0, output
    assert "demo data skipped" in output
    assert (count(db, Dealer), count(db, Member)) == (1, 0)


def test_if_empty_loads_an_empty_database_with_the_seed_and_service_day_given(
    use_database: str, db: Engine
) -> None:
    result, output = run("--size", "small", "--seed", "11", "--date", "2027-01-04", "--if-empty")

    assert result.exit_code == 0, output
    expected = generate(DemoSize.SMALL, 11, date(2027, 1, 4))
    with db.connect() as c:
        assert table_digest(c, "members") == digest_rows("members", expected.tables["members"])
        starts = c.scalars(select(WorkOrder.window_start)).all()
    assert {s.date() for s in starts} == {date(2027, 1, 4)}


def test_demo_data_asks_for_migrations_on_a_database_without_tables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'blank.db'}")
    get_settings.cache_clear()
    try:
        result, output = run("--size", "small")
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 2
    assert "run `crm-engine migrate` first" in output


def test_if_empty_adds_the_demo_logins_to_demo_data_loaded_before_accounts_existed(
    use_database: str, db: Engine, small: DemoData
) -> None:
    # given: demo data without any account (as loaded before logins existed)
    load(db, small)

    # when
    result, output = run("--size", "small", "--seed", "7", "--if-empty")

    # then: the data is untouched and every demo login exists
    assert result.exit_code == 0, output
    assert "demo data skipped" in output and "demo-admin" in output
    assert count(db, User) == 7
    with db.connect() as c:
        assert row_counts(c) == small.counts()


def test_if_empty_on_foreign_data_makes_no_logins_and_says_how(use_database: str, db: Engine) -> None:
    add_dealer(db)  # a top-level agent, but no service network: not demo data

    result, output = run("--size", "small", "--seed", "7", "--if-empty")

    assert result.exit_code == 0, output
    assert "crm-engine user create" in output
    assert count(db, User) == 0
