"""Key rotation: values written under k1 stay readable when k2 becomes active, are re-encrypted
under k2 by `rotate`, and are still readable once k1 is dropped."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from engine.privacy import keys
from engine.privacy.cipher import DecryptionError
from engine.privacy.lookup import mobile_digest
from engine.privacy.rotation import encrypted_columns, rotate, stale_counts
from engine.store import Member, WorkOrder
from schemas.enums import MemberTier
from tests.api.service.arrange import add_network, add_work_orders, pk_of
from tests.engine.privacy.keyrings import process_keyring, ring  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("process_keyring")

MEMBERS = [(f"1380000000{i}", f"上海市黄浦区西藏南路{i}号", f"11010519491231{i:03d}0") for i in range(1, 6)]
PURPOSES = {"members.mobile", "members.address", "members.id_number", "work_orders.address"}


def seed(db: Engine) -> None:
    """Five members (mobile, address, ID number) and two work orders at their homes."""
    with Session(db) as session, session.begin():
        for i, (mobile, address, id_number) in enumerate(MEMBERS, start=1):
            session.add(Member(member_no=f"R{i}", name="王小明", mobile=mobile, region_code="310101",
                               address=address, id_number=id_number, tier=MemberTier.NORMAL))
    network = pk_of(add_network(db))
    add_work_orders(
        db, [{"order_no": f"WO{i}", "network_id": network, "member_id": i, "address": MEMBERS[i - 1][1]} for i in (1, 2)]
    )


def stored(db: Engine) -> list[str]:
    """Every encrypted value as stored (raw SQL, no decryption)."""
    with db.connect() as c:
        rows = c.execute(text("SELECT mobile, address, id_number FROM members")).all()
        rows += c.execute(text("SELECT address FROM work_orders")).all()
    return [value for row in rows for value in row if value is not None]


def read(db: Engine) -> tuple[list[tuple[str, str, str]], list[str]]:
    with Session(db) as session:
        members = [tuple(r) for r in session.execute(select(Member.mobile, Member.address, Member.id_number).order_by(Member.id))]
        orders = list(session.scalars(select(WorkOrder.address).order_by(WorkOrder.id)))
    return members, orders  # type: ignore[return-value]


def test_every_encrypted_column_of_the_model_is_found() -> None:
    assert {c.purpose for c in encrypted_columns()} == PURPOSES


def test_rotation_moves_every_value_to_the_active_key_and_reads_survive_each_step(db: Engine) -> None:
    keys.configure(ring("k1"))
    seed(db)
    expected = ([tuple(m) for m in MEMBERS], [MEMBERS[0][1], MEMBERS[1][1]])
    assert all(v.startswith("k1:") for v in stored(db)) and len(stored(db)) == 17

    # k2 becomes active, k1 still listed: old values read, new writes use k2
    keys.configure(ring("k2", "k1"))
    assert read(db) == expected
    assert stale_counts(db) == {"members.mobile": 5, "members.address": 5, "members.id_number": 5, "work_orders.address": 2}
    with db.connect() as c:
        before = c.execute(text("SELECT id, updated_at FROM members ORDER BY id")).all()

    rewritten = rotate(db, batch_rows=2)

    assert rewritten == {"members.mobile": 5, "members.address": 5, "members.id_number": 5, "work_orders.address": 2}
    assert not [v for v in stored(db) if v.startswith("k1:")]
    assert all(v.startswith("k2:") for v in stored(db))
    with db.connect() as c:
        assert c.execute(text("SELECT id, updated_at FROM members ORDER BY id")).all() == before
        assert c.execute(text("SELECT version FROM work_orders")).scalars().all() == [1, 1]

    # k1 dropped: everything still reads, and the mobile lookup still finds members
    keys.configure(ring("k2"))
    assert read(db) == expected
    with Session(db) as session:
        found = session.scalar(select(Member.member_no).where(Member.mobile_hash == mobile_digest(MEMBERS[2][0])))
    assert found == "R3"
    assert rotate(db) == dict.fromkeys(PURPOSES, 0)


def test_a_value_no_listed_key_decrypts_stops_rotation_without_showing_it(db: Engine) -> None:
    keys.configure(ring("k1"))
    seed(db)
    keys.configure(ring("k2"))  # k1 forgotten: its values are unreadable

    with pytest.raises(DecryptionError) as stopped:
        rotate(db)

    assert "members.mobile of members id 1" in str(stopped.value)
    assert not any(mobile in str(stopped.value) for mobile, _, _ in MEMBERS)

