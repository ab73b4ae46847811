"""Migration 0002 encrypts the personal data a 0001 database held in plaintext, and its
downgrade decrypts it back."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, make_url, select, text
from sqlalchemy.orm import Session

from engine.privacy.lookup import mobile_digest
from engine.store import Member, WorkOrder
from engine.store.migrate import alembic_config, upgrade
from engine.store.session import make_sync_engine
from tests.conftest import TEST_DATABASE_URL

MOBILE = "13812345678"
ADDRESS = "上海市黄浦区西藏南路453号金桥小区24号楼2704室"
VISIT = "上海市静安区共和新路1105号新华家园6号楼3104室"


@pytest.fixture
def at_0001(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """An empty database of its own at revision 0001 (SQLite file, or a PostgreSQL database)."""
    if TEST_DATABASE_URL:
        server = make_url(TEST_DATABASE_URL)
        name = f"crm_mig_{uuid.uuid4().hex[:8]}"
        admin = make_sync_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = server.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0001")
    engine = make_sync_engine(url)
    yield url, engine
    engine.dispose()
    if TEST_DATABASE_URL:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed_plaintext(engine: Engine) -> None:
    """One member and one work order as revision 0001 stored them."""
    with engine.begin() as c:
        c.execute(text(
            "INSERT INTO members (id, member_no, name, mobile, region_code, address, special_needs, tags, tier,"
            " growth_value, created_at, updated_at) VALUES (1, 'M1', '王小明', :mobile, '310101', :address,"
            " '[]', '[]', 'silver', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ), {"mobile": MOBILE, "address": ADDRESS})
        c.execute(text(
            "INSERT INTO service_networks (id, code, name, time_zone, region_codes, address, latitude, longitude,"
            " created_at, updated_at) VALUES (1, 'N1', '网点', 'Asia/Shanghai', '[\"310101\"]', '网点地址', 31.2, 121.4,"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ))
        c.execute(text(
            "INSERT INTO work_orders (id, order_no, kind, status, network_id, member_id, region_code, address,"
            " latitude, longitude, required_skill, min_skill_level, duration_minutes, window_start, window_end,"
            " priority, sla_deadline, version, created_at, updated_at) VALUES (1, 'WO1', 'install', 'created', 1, 1,"
            " '310101', :visit, 31.2, 121.4, 'washer', 1, 60, '2026-12-01 01:00:00+00:00', '2026-12-01 03:00:00+00:00',"
            " 3, '2026-12-02 01:00:00+00:00', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ), {"visit": VISIT})


def raw(engine: Engine) -> tuple[str, str, str]:
    with engine.connect() as c:
        mobile, address = c.execute(text("SELECT mobile, address FROM members WHERE id = 1")).one()
        visit = c.execute(text("SELECT address FROM work_orders WHERE id = 1")).scalar_one()
    return mobile, address, visit


def test_upgrading_encrypts_existing_personal_data_and_indexes_the_mobile(at_0001: tuple[str, Engine]) -> None:
    # given: plaintext personal data at revision 0001
    url, engine = at_0001
    seed_plaintext(engine)

    # when
    upgrade(url)

    # then: no plaintext is left in the columns, and the ORM reads the values back
    stored = raw(engine)
    assert MOBILE not in stored[0] and ADDRESS not in stored[1] and VISIT not in stored[2]
    with Session(engine) as session:
        member = session.get(Member, 1)
        assert member is not None
        assert (member.mobile, member.address, member.mobile_hash) == (MOBILE, ADDRESS, mobile_digest(MOBILE))
        assert session.scalar(select(WorkOrder.address)) == VISIT
        assert session.scalar(select(Member.id).where(Member.mobile_hash == mobile_digest("+86 138-1234-5678"))) == 1


def test_downgrading_decrypts_the_personal_data_again(at_0001: tuple[str, Engine]) -> None:
    # given: a database upgraded from plaintext
    url, engine = at_0001
    seed_plaintext(engine)
    upgrade(url)

    # when
    command.downgrade(alembic_config(url), "0001")

    # then
    assert raw(engine) == (MOBILE, ADDRESS, VISIT)
