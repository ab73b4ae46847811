"""Row scope of the service roles: a service agent sees its networks' work orders, technicians
and members (living in its territory or served by it); a technician sees its own work orders and
their members, and cannot act on another technician's order."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from engine.access.permissions import Role
from engine.store.consumer import Member
from engine.store.service import WorkOrder, WorkOrderEvent
from tests.api.access.tenants import Post, ServiceWorld, acting_as, seed_service_world, snapshot
from tests.api.service.arrange import pk_of
from tests.conftest import GraphQL, data_of, make_api_key

NODE = "query Node($id: ID!) { node(id: $id) { __typename id } }"
MEMBERS = "query { members(first: 100) { totalCount edges { node { id } } } }"
REGISTRATIONS = "query { productRegistrations(first: 100) { totalCount edges { node { id } } } }"
WORK_ORDERS = "query { workOrders(first: 100) { totalCount edges { node { id } } } }"
TECHNICIANS = "query { technicians(first: 100) { totalCount edges { node { id } } } }"
NETWORKS = "query { serviceNetworks(first: 100) { totalCount edges { node { id } } } }"
WORK_ORDERS_NESTED = """
query { workOrders(first: 100) { edges { node { id member { id } technician { id } network { id } } } } }
"""
WORK_ORDER_NETWORK = "query { workOrders(first: 100) { edges { node { orderNo network { code } } } } }"
WORK_ORDER_ACCEPT = """
mutation Accept($id: ID!) { workOrderAccept(id: $id) { workOrder { id status } errors { field code message } } }
"""
WORK_ORDER_CANCEL = """
mutation Cancel($id: ID!, $input: WorkOrderCancelInput!) {
  workOrderCancel(id: $id, input: $input) { workOrder { id } errors { field code message } }
}
"""
WORK_ORDER_ASSIGN = """
mutation Assign($id: ID!, $input: WorkOrderAssignInput!) {
  workOrderAssign(id: $id, input: $input) { workOrder { id } errors { field code message } }
}
"""
MEMBER_UPDATE = """
mutation MemberUpdate($id: ID!, $input: MemberUpdateInput!) {
  memberUpdate(id: $id, input: $input) { member { id } errors { field code message } }
}
"""
TECHNICIAN_UPDATE = """
mutation TechnicianUpdate($id: ID!, $input: TechnicianUpdateInput!) {
  technicianUpdate(id: $id, input: $input) { technician { id } errors { field code } }
}
"""

SERVICE_TABLES = (Member, WorkOrder, WorkOrderEvent)


@pytest.fixture
def world(client: TestClient, db: Engine) -> ServiceWorld:
    return seed_service_world(db)


@pytest.fixture
def agent_of_n(client: TestClient, db: Engine, world: ServiceWorld) -> Post:
    return acting_as(client, make_api_key(db, [Role.SERVICE_AGENT], network_ids=[pk_of(world.networks["N"])]))


@pytest.fixture
def technician_n_t1(client: TestClient, db: Engine, world: ServiceWorld) -> Post:
    return acting_as(client, make_api_key(db, [Role.TECHNICIAN], technician_id=pk_of(world.technicians["N-T1"])))


def listed(body: dict[str, Any]) -> tuple[set[str], int]:
    (connection,) = data_of(body).values()
    return {e["node"]["id"] for e in connection["edges"]}, connection["totalCount"]


def payload_of(body: dict[str, Any]) -> dict[str, Any]:
    (payload,) = data_of(body).values()
    return payload


# What the service agent of network N sees: document -> (ServiceWorld attribute, names).
AGENT_SEES = {
    "members": (MEMBERS, "members", {"N-resident", "served"}),
    "productRegistrations": (REGISTRATIONS, "registrations", {"N-resident", "served"}),
    "workOrders": (WORK_ORDERS, "work_orders", {"WO-N1", "WO-N2"}),
    "technicians": (TECHNICIANS, "technicians", {"N-T1", "N-T2"}),
    "serviceNetworks": (NETWORKS, "networks", {"N"}),
}
# What technician N-T1 sees: its one work order, that order's member, itself and its network.
TECHNICIAN_SEES = {
    "members": (MEMBERS, "members", {"served"}),
    "productRegistrations": (REGISTRATIONS, "registrations", {"served"}),
    "workOrders": (WORK_ORDERS, "work_orders", {"WO-N1"}),
    "technicians": (TECHNICIANS, "technicians", {"N-T1"}),
    "serviceNetworks": (NETWORKS, "networks", {"N"}),
}


@pytest.mark.parametrize("field", AGENT_SEES)
def test_a_service_agent_lists_and_counts_only_its_networks_rows(world: ServiceWorld, agent_of_n: Post, field: str) -> None:
    # given the service agent of network N
    document, kind, names = AGENT_SEES[field]

    # when it lists the connection
    ids, total = listed(agent_of_n(document))

    # then exactly N's rows (members by region or by service), and the count agrees
    assert ids == {getattr(world, kind)[n] for n in names}
    assert total == len(names)


@pytest.mark.parametrize("field", TECHNICIAN_SEES)
def test_a_technician_lists_and_counts_only_its_own_orders_and_their_members(
    world: ServiceWorld, technician_n_t1: Post, field: str
) -> None:
    # given technician N-T1
    document, kind, names = TECHNICIAN_SEES[field]

    # when it lists the connection
    ids, total = listed(technician_n_t1(document))

    # then only what its own work order leads to
    assert ids == {getattr(world, kind)[n] for n in names}
    assert total == len(names)


def test_a_service_agent_gets_null_for_another_networks_objects_by_id(world: ServiceWorld, agent_of_n: Post) -> None:
    # given the ids of network M's objects and of a member outside N's territory and service
    foreign = [world.networks["M"], world.technicians["M-T1"], world.work_orders["WO-M1"],
               world.members["M-resident"], world.members["elsewhere"], world.registrations["M-resident"]]

    # when N's service agent asks for them
    found = [data_of(agent_of_n(NODE, {"id": gid}))["node"] for gid in foreign]

    # then none is found
    assert found == [None] * len(foreign)


def test_a_technician_gets_null_for_its_colleagues_orders_and_members_by_id(world: ServiceWorld, technician_n_t1: Post) -> None:
    # given the ids of a colleague's order and its member, and of the colleague
    foreign = [world.work_orders["WO-N2"], world.members["N-resident"], world.technicians["N-T2"]]

    # when N-T1 asks for them
    found = [data_of(technician_n_t1(NODE, {"id": gid}))["node"] for gid in foreign]

    # then none is found
    assert found == [None, None, None]


def test_nested_fields_of_a_technicians_orders_stay_inside_its_scope(world: ServiceWorld, technician_n_t1: Post) -> None:
    # when N-T1 reads its work orders with their member, technician and network
    edges = data_of(technician_n_t1(WORK_ORDERS_NESTED))["workOrders"]["edges"]

    # then it reads its own order and the rows it leads to
    assert [e["node"] for e in edges] == [{
        "id": world.work_orders["WO-N1"], "member": {"id": world.members["served"]},
        "technician": {"id": world.technicians["N-T1"]}, "network": {"id": world.networks["N"]},
    }]


def test_a_technician_cannot_accept_another_technicians_order(db: Engine, world: ServiceWorld, technician_n_t1: Post) -> None:
    # given N-T2's order, assigned and waiting for acceptance
    before = snapshot(db, *SERVICE_TABLES)

    # when N-T1 tries to accept it
    errors = payload_of(technician_n_t1(WORK_ORDER_ACCEPT, {"id": world.work_orders["WO-N2"]}))["errors"]

    # then the order is not found and stays as it was
    assert [(e["field"], e["code"]) for e in errors] == [("id", "NOT_FOUND")]
    assert snapshot(db, *SERVICE_TABLES) == before


def test_a_technician_accepts_its_own_order(world: ServiceWorld, technician_n_t1: Post) -> None:
    # when N-T1 accepts the order assigned to it
    payload = payload_of(technician_n_t1(WORK_ORDER_ACCEPT, {"id": world.work_orders["WO-N1"]}))

    # then it is accepted
    assert payload["errors"] == [] and payload["workOrder"]["status"] == "ACCEPTED"


# Mutations by N's service agent aimed at network M's rows: name -> (document, variables, error field).
def _agent_attempts(w: ServiceWorld) -> dict[str, tuple[str, dict[str, Any], str]]:
    return {
        "cancel M's work order": (WORK_ORDER_CANCEL, {"id": w.work_orders["WO-M1"], "input": {"reason": "重复"}}, "id"),
        "assign N's order to M's technician": (
            WORK_ORDER_ASSIGN, {"id": w.work_orders["WO-N1"], "input": {"technicianId": w.technicians["M-T1"]}},
            "input.technicianId"),
        "update a member of M's territory": (MEMBER_UPDATE, {"id": w.members["M-resident"], "input": {"tags": ["x"]}}, "id"),
    }


@pytest.mark.parametrize("name", ["cancel M's work order", "assign N's order to M's technician", "update a member of M's territory"])
def test_a_service_agent_cannot_change_another_networks_rows(db: Engine, world: ServiceWorld, agent_of_n: Post, name: str) -> None:
    # given every member and work order row as it is
    document, variables, field = _agent_attempts(world)[name]
    before = snapshot(db, *SERVICE_TABLES)

    # when N's service agent aims a mutation at network M
    errors = payload_of(agent_of_n(document, variables))["errors"]

    # then it is not found and nothing changed
    assert [(e["field"], e["code"]) for e in errors] == [(field, "NOT_FOUND")]
    assert snapshot(db, *SERVICE_TABLES) == before


def test_a_service_agent_changes_its_own_networks_rows(world: ServiceWorld, agent_of_n: Post) -> None:
    # when N's service agent reassigns N's order to N's other technician and updates a served member
    assign = payload_of(agent_of_n(WORK_ORDER_ASSIGN, {"id": world.work_orders["WO-N1"],
                                                       "input": {"technicianId": world.technicians["N-T2"]}}))
    update = payload_of(agent_of_n(MEMBER_UPDATE, {"id": world.members["served"], "input": {"tags": ["x"]}}))

    # then both are carried out
    assert (assign["errors"], update["errors"]) == ([], [])


def test_a_relation_hidden_by_the_scope_is_a_not_found_error_not_an_internal_one(
    gql: GraphQL, world: ServiceWorld, technician_n_t1: Post
) -> None:
    # given technician N-T1 moved to network M while it still holds WO-N1 of network N
    moved = data_of(gql(TECHNICIAN_UPDATE, {"id": world.technicians["N-T1"], "input": {"networkId": world.networks["M"]}}))
    assert moved["technicianUpdate"]["errors"] == []

    # when it reads its order's network, which it may no longer see
    body = technician_n_t1(WORK_ORDER_NETWORK)

    # then that field is refused as not found, with a readable message
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["workOrders", "edges", 0, "node", "network"], "NOT_FOUND")
    ]
    assert "ServiceNetwork" in body["errors"][0]["message"]
