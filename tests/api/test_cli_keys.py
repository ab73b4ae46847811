"""`crm-engine keys`: generate prints a usable CRM_DATA_KEYS entry; rotate re-encrypts what
the database holds under old keys and reports the counts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.cli import app
from engine.privacy import keys
from engine.privacy.keys import parse_data_keys
from engine.settings import get_settings
from engine.store import Member
from schemas.enums import MemberTier
from tests.engine.privacy.keyrings import entry, process_keyring, ring  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("process_keyring")


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[pytest.MonkeyPatch]:
    """DATABASE_URL set for the command, with the cached settings forgotten before and after."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_generate_prints_a_fresh_32_byte_key_entry_each_time() -> None:
    first = CliRunner().invoke(app, ["keys", "generate", "--id", "k9"])
    second = CliRunner().invoke(app, ["keys", "generate"])

    assert first.exit_code == 0 and second.exit_code == 0
    generated = parse_data_keys(first.stdout.strip())
    assert list(generated) == ["k9"] and len(generated["k9"]) == 32
    (other_id, other_key), = parse_data_keys(second.stdout.strip()).items()
    assert other_id.startswith("k") and other_key != generated["k9"]


def test_generate_refuses_a_key_id_that_would_break_the_entry_list() -> None:
    refused = CliRunner().invoke(app, ["keys", "generate", "--id", "k1,k2"])

    assert refused.exit_code == 2 and refused.stdout == ""


def test_rotate_re_encrypts_under_the_active_key_and_reports_counts(environment: pytest.MonkeyPatch, db: Engine) -> None:
    keys.configure(ring("k1"))
    with Session(db) as session, session.begin():
        for i in range(3):
            session.add(Member(member_no=f"R{i}", name="王小明", mobile=f"1380000000{i}", region_code="310101",
                               address="上海市黄浦区西藏南路1号", tier=MemberTier.NORMAL))
    environment.setenv("CRM_DATA_KEYS", f"{entry('k2')},{entry('k1')}")

    result = CliRunner().invoke(app, ["keys", "rotate", "--batch-rows", "2"])

    assert result.exit_code == 0, result.output
    assert "active data key: k2" in result.stdout
    assert "members.mobile: 3 re-encrypted, 0 left under other keys" in result.stdout
    assert "members.address: 3 re-encrypted, 0 left under other keys" in result.stdout
    assert "total: 6 re-encrypted" in result.stdout
    with db.connect() as c:
        values = c.execute(text("SELECT mobile, address FROM members")).all()
    assert all(v.startswith("k2:") for row in values for v in row)


def test_rotate_stops_with_an_error_when_a_stored_key_is_no_longer_listed(environment: pytest.MonkeyPatch, db: Engine) -> None:
    keys.configure(ring("k1"))
    with Session(db) as session, session.begin():
        session.add(Member(member_no="R1", name="王小明", mobile="13800000001", region_code="310101",
                           address="上海市黄浦区西藏南路1号", tier=MemberTier.NORMAL))
    environment.setenv("CRM_DATA_KEYS", entry("k2"))

    result = CliRunner().invoke(app, ["keys", "rotate"])

    assert result.exit_code == 1
    assert "rotation stopped" in result.stderr and "13800000001" not in result.output
