"""A member's home is personal data beyond the address: its exact position and the household's
attributes are for `personal_data:read` only; erasure leaves orders a district-level position;
an erased order cannot be rescheduled; a service agent records a unit's store without reading
the channel."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from engine.access.permissions import Role
from tests.api.access.tenants import seed_dealer_trees
from tests.api.consumer.personal import create_member, create_order, key_for, network
from tests.api.service.arrange import add_product
from tests.conftest import GraphQL, data_of

HOME = """
query Home {
  members(first: 1) { edges { node { latitude longitude estate layout householdSize incomeBand specialNeeds } } }
  workOrders(first: 1) { edges { node { latitude longitude } } }
}
"""

ERASE = """
mutation Erase($id: ID!) { memberErase(id: $id, input: { reason: "member request" }) { errors { code } } }
"""

RESCHEDULE = """
mutation Reschedule($id: ID!) { workOrderUpdate(id: $id, input: { priority: 1 }) { errors { field code } } }
"""

REGISTER = """
mutation Register($input: ProductRegistrationCreateInput!) {
  productRegistrationCreate(input: $input) { productRegistration { serialNumber } errors { field code } }
}
"""

EXACT = {"latitude": 31.23456, "longitude": 121.65432}


@pytest.fixture
def home(gql: GraphQL, db: Engine) -> dict[str, Any]:
    """A member with an exact home position and an order there; the network's id under 'network'."""
    network_id = network(db)
    member = create_member(gql, specialNeeds=["DISABILITY"], **EXACT)
    order = create_order(gql, network_id, member["id"])
    return {"member": member, "order": order, "network": network_id}


def test_a_planner_sees_the_home_to_a_kilometre_and_no_household_attributes(
    gql: GraphQL, db: Engine, home: dict[str, Any]
) -> None:
    planner = data_of(gql(HOME, headers=key_for(db, Role.OPS_PLANNER)))
    agent = data_of(gql(HOME, headers=key_for(db, Role.SERVICE_AGENT, home["network"])))

    member = planner["members"]["edges"][0]["node"]
    assert (member["latitude"], member["longitude"]) == (31.23, 121.65)
    assert (member["layout"], member["householdSize"], member["incomeBand"], member["specialNeeds"]) == (None, None, None, [])
    assert member["estate"] != "金桥小区" and member["estate"].endswith("****")
    assert planner["workOrders"]["edges"][0]["node"] == {"latitude": 31.23, "longitude": 121.65}
    whole = agent["members"]["edges"][0]["node"]
    assert (whole["latitude"], whole["longitude"], whole["specialNeeds"]) == (31.23456, 121.65432, ["DISABILITY"])
    assert agent["workOrders"]["edges"][0]["node"] == EXACT


def test_erasure_leaves_the_members_orders_only_a_district_level_position(
    gql: GraphQL, db: Engine, home: dict[str, Any]
) -> None:
    assert data_of(gql(ERASE, {"id": home["member"]["id"]}))["memberErase"]["errors"] == []

    with db.connect() as c:
        assert c.execute(text("SELECT latitude, longitude FROM work_orders")).one() == (31.23, 121.65)


def test_an_erased_members_order_cannot_be_rescheduled_and_says_why(gql: GraphQL, home: dict[str, Any]) -> None:
    data_of(gql(ERASE, {"id": home["member"]["id"]}))

    refused = data_of(gql(RESCHEDULE, {"id": home["order"]["id"]}))["workOrderUpdate"]

    assert refused["errors"] == [{"field": "id", "code": "WRONG_STATUS"}]


def test_a_service_agent_records_where_a_unit_was_bought(gql: GraphQL, db: Engine, home: dict[str, Any]) -> None:
    # given: a store of the channel, which the agent's role cannot read
    store = seed_dealer_trees(db).stores["S-A"]
    agent = key_for(db, Role.SERVICE_AGENT, home["network"])

    # when
    payload = data_of(gql(REGISTER, {"input": {
        "memberId": home["member"]["id"], "productId": add_product(db, "XQG-1"), "serialNumber": "SN-77",
        "purchaseDate": "2025-01-02", "storeId": store,
    }}, headers=agent))["productRegistrationCreate"]

    # then
    assert payload == {"productRegistration": {"serialNumber": "SN-77"}, "errors": []}
