"""Demo loading: lossless and repeatable on SQLite and PostgreSQL; ids keep counting after."""

from __future__ import annotations

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from engine.demo.generate import TABLES, DemoData, generate
from engine.demo.load import digest_rows, load, row_counts, table, table_digest
from engine.demo.sizes import DemoSize
from engine.store import Dealer, Member, WorkOrder, WorkOrderEvent
from schemas.enums import ChannelType, CooperationLevel, WorkOrderStatus
from tests.conftest import DEMO_SEED as SEED

DIGESTED = ("dealers", "members", "product_registrations", "technician_skills", "work_orders")


def wipe(db: Engine) -> None:
    """Delete every demo row, children first (SQLite checks the dealer tree row by row)."""
    with db.begin() as c:
        c.execute(update(table("dealers")).values(parent_id=None))
        for name in reversed(TABLES):
            c.execute(delete(table(name)))


def test_loading_stores_every_row_exactly_as_generated(db: Engine, small: DemoData) -> None:
    load(db, small)

    with db.connect() as c:
        assert row_counts(c) == small.counts()
        for name in TABLES:
            assert table_digest(c, name) == digest_rows(name, small.tables[name]), name


def test_the_same_seed_loads_the_same_data_and_another_seed_different_data(db: Engine) -> None:
    load(db, generate(DemoSize.SMALL, SEED))
    with db.connect() as c:
        first = {name: table_digest(c, name) for name in DIGESTED}
    wipe(db)

    load(db, generate(DemoSize.SMALL, SEED))
    with db.connect() as c:
        again = {name: table_digest(c, name) for name in DIGESTED}
    wipe(db)
    load(db, generate(DemoSize.SMALL, SEED + 1))
    with db.connect() as c:
        other = {name: table_digest(c, name) for name in DIGESTED}

    assert again == first
    assert all(other[name] != first[name] for name in DIGESTED)


def test_rows_created_after_a_load_get_fresh_ids(db: Engine, small: DemoData) -> None:
    load(db, small)
    order = small.tables["work_orders"][0]

    with Session(db) as session, session.begin():
        dealer = Dealer(
            code="NEW01",
            name="新经销商",
            legal_representative="张伟",
            channel_type=ChannelType.AGENT,
            cooperation_level=CooperationLevel.CITY_AGENT,
        )
        event = WorkOrderEvent(
            work_order_id=order["id"], to_status=WorkOrderStatus.CREATED, at=order["created_at"]
        )
        session.add_all([dealer, event])
        session.flush()
        new_ids = (dealer.id, event.id)

    assert new_ids == (small.counts()["dealers"] + 1, small.counts()["work_order_events"] + 1)
    with Session(db) as session:
        assert (
            session.scalar(select(Member.mobile).where(Member.id == 1))
            == small.tables["members"][0]["mobile"]
        )
        assert session.get_one(WorkOrder, order["id"]).order_no == order["order_no"]
