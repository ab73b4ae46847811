"""memberErase and positions: the member's home coordinates are emptied, and each of her work
orders (whose position is NOT NULL: dispatch needs one) keeps it only to 2 decimals (~1 km,
district level), in the database, the export and every read, whatever the reader's role."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from engine.access.permissions import Role
from engine.store import Member, WorkOrder
from tests.api.consumer.personal import create_member, create_order, key_for, network
from tests.conftest import GraphQL, data_of

ERASE = """
mutation Erase($id: ID!) { memberErase(id: $id, input: { reason: "member request" }) { errors { code } } }
"""

EXPORT = """
query Export($id: ID!) { memberExport(id: $id) }
"""

POSITIONS = """
query Positions($member: ID!, $order: ID!) {
  member: node(id: $member) { ... on Member { latitude longitude } }
  order: node(id: $order) { ... on WorkOrder { address latitude longitude } }
}
"""

HOME = (31.23456, 121.65432)
DISTRICT = (31.23, 121.65)


@pytest.fixture
def erased(gql: GraphQL, db: Engine) -> dict[str, Any]:
    """A member with an exact home position, two orders there, erased; ids under member, orders, network."""
    network_id = network(db)
    member = create_member(gql, latitude=HOME[0], longitude=HOME[1])
    orders = [create_order(gql, network_id, member["id"])["id"] for _ in range(2)]
    assert data_of(gql(ERASE, {"id": member["id"]}))["memberErase"]["errors"] == []
    return {"member": member["id"], "orders": orders, "network": network_id}


def test_erasure_rounds_every_order_of_the_member_to_two_decimals_in_the_database(db: Engine, erased: dict[str, Any]) -> None:
    with db.connect() as c:
        orders = c.execute(select(WorkOrder.latitude, WorkOrder.longitude)).all()
        home = c.execute(select(Member.latitude, Member.longitude)).one()

    assert [tuple(o) for o in orders] == [DISTRICT, DISTRICT]
    assert tuple(home) == (None, None)


def test_the_export_after_erasure_shows_only_the_district_level_position(gql: GraphQL, erased: dict[str, Any]) -> None:
    document = data_of(gql(EXPORT, {"id": erased["member"]}))["memberExport"]

    assert (document["member"]["latitude"], document["member"]["longitude"]) == (None, None)
    assert [(o["address"], o["latitude"], o["longitude"]) for o in document["work_orders"]] == [(None, *DISTRICT)] * 2


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SERVICE_AGENT, Role.OPS_PLANNER])
def test_every_read_after_erasure_shows_only_the_district_level_position(
    gql: GraphQL, db: Engine, erased: dict[str, Any], role: Role
) -> None:
    headers = key_for(db, role, erased["network"] if role is Role.SERVICE_AGENT else None)

    body = data_of(gql(POSITIONS, {"member": erased["member"], "order": erased["orders"][0]}, headers=headers))

    assert body["member"] == {"latitude": None, "longitude": None}
    assert body["order"] == {"address": None, "latitude": DISTRICT[0], "longitude": DISTRICT[1]}
