"""Work orders of an erased member: rescheduling, which would need the erased visit address, is
refused on `id` with WRONG_STATUS; every status move still works on the orders kept for the
record; no mutation ends in an unexpected error."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from api.relay import global_id
from engine.store.service import WorkOrder
from schemas.enums import Skill, WorkOrderStatus
from tests.api.service.arrange import (
    add_member,
    add_network,
    add_technician,
    add_work_orders,
    pk_of,
)
from tests.conftest import GraphQL, data_of

RESULT = "workOrder { status address latitude longitude } errors { field message code }"
ERASE = """
mutation Erase($id: ID!) { memberErase(id: $id, input: { reason: "member request" }) { errors { code } } }
"""
UPDATE = f"mutation Update($id: ID!, $input: WorkOrderUpdateInput!) {{ workOrderUpdate(id: $id, input: $input) {{ {RESULT} }} }}"
ASSIGN = f"mutation Assign($id: ID!, $input: WorkOrderAssignInput!) {{ workOrderAssign(id: $id, input: $input) {{ {RESULT} }} }}"
ACCEPT = f"mutation Accept($id: ID!, $input: WorkOrderTransitionInput) {{ workOrderAccept(id: $id, input: $input) {{ {RESULT} }} }}"
START_TRAVEL = f"mutation StartTravel($id: ID!, $input: WorkOrderTransitionInput) {{ workOrderStartTravel(id: $id, input: $input) {{ {RESULT} }} }}"
CHECK_IN = f"mutation CheckIn($id: ID!, $input: WorkOrderTransitionInput) {{ workOrderCheckIn(id: $id, input: $input) {{ {RESULT} }} }}"
COMPLETE = f"mutation Complete($id: ID!, $input: WorkOrderTransitionInput) {{ workOrderComplete(id: $id, input: $input) {{ {RESULT} }} }}"
RATE = f"mutation Rate($id: ID!, $input: WorkOrderRateInput!) {{ workOrderRate(id: $id, input: $input) {{ {RESULT} }} }}"
CANCEL = f"mutation Cancel($id: ID!, $input: WorkOrderCancelInput!) {{ workOrderCancel(id: $id, input: $input) {{ {RESULT} }} }}"

S = WorkOrderStatus
HOME = (31.23456, 121.65432)
DISTRICT = (31.23, 121.65)

# action -> (document, payload field, status it leads to)
MOVES: dict[str, tuple[str, str, WorkOrderStatus]] = {
    "assign": (ASSIGN, "workOrderAssign", S.ASSIGNED),
    "accept": (ACCEPT, "workOrderAccept", S.ACCEPTED),
    "startTravel": (START_TRAVEL, "workOrderStartTravel", S.EN_ROUTE),
    "checkIn": (CHECK_IN, "workOrderCheckIn", S.CHECKED_IN),
    "complete": (COMPLETE, "workOrderComplete", S.COMPLETED),
    "rate": (RATE, "workOrderRate", S.RATED),
    "cancel": (CANCEL, "workOrderCancel", S.CANCELLED),
}
# Each move from a status that allows it.
ALLOWED = [
    (S.CREATED, "assign"), (S.ASSIGNED, "accept"), (S.ACCEPTED, "startTravel"), (S.EN_ROUTE, "checkIn"),
    (S.CHECKED_IN, "complete"), (S.COMPLETED, "rate"), (S.CREATED, "cancel"), (S.EN_ROUTE, "cancel"),
]
RESCHEDULABLE = [S.CREATED, S.ASSIGNED, S.ACCEPTED, S.EN_ROUTE]


@pytest.fixture
def given(db: Engine) -> dict[str, str]:
    """A network with two able technicians (T1 holds the orders already assigned) and a member at HOME."""
    network = add_network(db, "SH01")
    return {
        "network": network,
        "member": add_member(db, "M1", latitude=HOME[0], longitude=HOME[1]),
        "t1": add_technician(db, network, "T1", {Skill.AIR_CONDITIONER: 3}),
        "t2": add_technician(db, network, "T2", {Skill.AIR_CONDITIONER: 4}),
    }


def erased_order_in(gql: GraphQL, db: Engine, given: dict[str, str], status: WorkOrderStatus) -> str:
    """An order at the member's home in `status` (held by T1 from `assigned` on); then the member is erased."""
    [pk] = add_work_orders(db, [{
        "order_no": "WO1", "status": status, "network_id": pk_of(given["network"]),
        "member_id": pk_of(given["member"]), "technician_id": None if status is S.CREATED else pk_of(given["t1"]),
        "address": "上海市黄浦区 M1 号", "latitude": HOME[0], "longitude": HOME[1],
    }])
    assert data_of(gql(ERASE, {"id": given["member"]}))["memberErase"]["errors"] == []
    return global_id("WorkOrder", pk)


def input_for(action: str, given: dict[str, str]) -> dict[str, Any]:
    return {"assign": {"technicianId": given["t2"]}, "rate": {"rating": 4}, "cancel": {"reason": "会员已注销"}}.get(action, {})


def stored(db: Engine) -> tuple[Any, ...]:
    with db.connect() as c:
        return tuple(c.execute(select(WorkOrder.status, WorkOrder.version, WorkOrder.priority)).one())


@pytest.mark.parametrize("status", RESCHEDULABLE, ids=[s.value for s in RESCHEDULABLE])
def test_an_erased_members_order_cannot_be_rescheduled_and_the_refusal_says_why(
    gql: GraphQL, db: Engine, given: dict[str, str], status: WorkOrderStatus
) -> None:
    # given
    order = erased_order_in(gql, db, given, status)
    before = stored(db)

    # when: a change that would not even touch the address
    body = data_of(gql(UPDATE, {"id": order, "input": {"priority": 1}}))["workOrderUpdate"]

    # then
    assert body["workOrder"] is None
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("id", "WRONG_STATUS")]
    assert "erased member" in body["errors"][0]["message"] and "cancel" in body["errors"][0]["message"]
    assert stored(db) == before


@pytest.mark.parametrize("patch", [{"address": "上海市徐汇区漕溪北路 1 号"}, {"latitude": HOME[0], "longitude": HOME[1]}])
def test_an_erased_members_order_takes_no_new_address_or_exact_position(
    gql: GraphQL, db: Engine, given: dict[str, str], patch: dict[str, Any]
) -> None:
    order = erased_order_in(gql, db, given, S.CREATED)

    body = data_of(gql(UPDATE, {"id": order, "input": patch}))["workOrderUpdate"]

    assert [(e["field"], e["code"]) for e in body["errors"]] == [("id", "WRONG_STATUS")]
    with db.connect() as c:
        assert tuple(c.execute(select(WorkOrder.address, WorkOrder.latitude, WorkOrder.longitude)).one()) == (None, *DISTRICT)


@pytest.mark.parametrize(("status", "action"), ALLOWED, ids=[f"{s.value}-{a}" for s, a in ALLOWED])
def test_every_status_move_works_on_an_erased_members_order(
    gql: GraphQL, db: Engine, given: dict[str, str], status: WorkOrderStatus, action: str
) -> None:
    # given
    order = erased_order_in(gql, db, given, status)
    document, field, target = MOVES[action]
    payload = input_for(action, given)

    # when
    body = data_of(gql(document, {"id": order, "input": payload}))[field]

    # then: the move is made, and the order still shows no address and only the district
    assert body["errors"] == []
    assert body["workOrder"]["status"] == target.name
    assert (body["workOrder"]["address"], body["workOrder"]["latitude"], body["workOrder"]["longitude"]) == (None, *DISTRICT)


@pytest.mark.parametrize("action", list(MOVES))
def test_a_move_the_status_forbids_on_an_erased_members_order_is_a_client_error(
    gql: GraphQL, db: Engine, given: dict[str, str], action: str
) -> None:
    order = erased_order_in(gql, db, given, S.RATED)
    document, field, _ = MOVES[action]
    payload = input_for(action, given)

    body = data_of(gql(document, {"id": order, "input": payload}))[field]

    assert [(e["field"], e["code"]) for e in body["errors"]] == [("id", "INVALID_TRANSITION")]
