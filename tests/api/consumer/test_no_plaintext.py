"""No plaintext personal data at rest: after the small demo load and a member and a work order
made through the API, no table of the database, read raw, holds a mobile number or home address."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, inspect, text

from api.relay import global_id
from engine.demo.generate import DemoData
from engine.demo.load import load
from tests.api.consumer.personal import ADDRESS, ID_NUMBER, MOBILE, create_member
from tests.conftest import GraphQL, data_of

CREATE_ORDER = """
mutation CreateOrder($input: WorkOrderCreateInput!) {
  workOrderCreate(input: $input) { workOrder { address } errors { field code } }
}
"""

VISIT = "上海市浦东新区碧波路690号张江大厦17层1702室"
_DIGITS = re.compile(r"[0-9]{11,}")


def cells(db: Engine) -> Iterator[tuple[str, str]]:
    """(table, text) of every non-null value of every table, as stored; JSON text also decoded."""
    with db.connect() as c:
        for name in inspect(db).get_table_names():
            for row in c.execute(text(f'SELECT * FROM "{name}"')):
                for value in row:
                    if value is None:
                        continue
                    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
                    yield name, shown
                    if shown[:1] in "[{":
                        try:
                            yield name, json.dumps(json.loads(shown), ensure_ascii=False)
                        except ValueError:
                            pass


def found(db: Engine, mobiles: set[str], texts: set[str]) -> set[tuple[str, str]]:
    """(table, secret) for each mobile number (within any run of digits) or other text found in
    plaintext anywhere."""
    hits: set[tuple[str, str]] = set()
    blobs: dict[str, list[str]] = {}
    for table, value in cells(db):
        for run in _DIGITS.findall(value):
            hits |= {(table, run[i : i + 11]) for i in range(len(run) - 10) if run[i : i + 11] in mobiles}
        blobs.setdefault(table, []).append(value)
    for table, values in blobs.items():
        blob = "\n".join(values)
        hits |= {(table, t) for t in texts if t in blob}
    return hits


def test_no_table_holds_a_mobile_number_address_or_id_number_in_plaintext(
    gql: GraphQL, db: Engine, small: DemoData
) -> None:
    load(db, small)
    member = create_member(gql)
    order = data_of(gql(CREATE_ORDER, {"input": {
        "kind": "REPAIR", "networkId": global_id("ServiceNetwork", 1), "memberId": member["id"], "address": VISIT,
        "requiredSkill": "WASHER", "durationMinutes": 60,
        "windowStart": "2025-03-01T09:00:00+08:00", "windowEnd": "2025-03-01T12:00:00+08:00",
    }}))["workOrderCreate"]
    assert order["errors"] == [] and order["workOrder"]["address"] == VISIT
    members: list[dict[str, Any]] = small.tables["members"]
    mobiles = {m["mobile"] for m in members} | {MOBILE}
    addresses = {m["address"] for m in members} | {w["address"] for w in small.tables["work_orders"]} | {ADDRESS, VISIT}

    leaks = found(db, mobiles, addresses | {ID_NUMBER})

    assert len(mobiles) > 1000 and leaks == set()


def test_the_scan_finds_plaintext_where_it_is_stored(db: Engine, small: DemoData) -> None:
    load(db, small)
    store_addresses = {s["address"] for s in small.tables["stores"][:5]}  # business addresses: plaintext
    with db.begin() as c:  # as a careless writer would leave them
        c.execute(text("UPDATE stores SET phone = '+86 13912345678' WHERE id = 1"))
        c.execute(text("UPDATE technicians SET name = :n WHERE id = 1"), {"n": f"师傅{ID_NUMBER}"})

    hits = found(db, {"13912345678"}, store_addresses | {ID_NUMBER})

    assert hits == {("stores", a) for a in store_addresses} | {("stores", "13912345678"), ("technicians", ID_NUMBER)}
