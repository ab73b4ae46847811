"""The work order status machine through GraphQL: every (status, action) pair, assignment
feasibility, history, optimistic versions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from api.relay import global_id
from engine.store.service import WorkOrder, WorkOrderEvent
from schemas.enums import Skill, WorkOrderStatus
from tests.api.service.arrange import (
    add_member,
    add_network,
    add_technician,
    add_work_orders,
    pk_of,
)
from tests.conftest import GraphQL, data_of

RESULT = """
    workOrder { status version rating cancelReason technician { code } history { from to note technician { code } } }
    errors { field message code }
"""
ASSIGN = f"mutation Assign($id: ID!, $input: WorkOrderAssignInput!) {{ workOrderAssign(id: $id, input: $input) {{ {RESULT} }} }}"
ACCEPT = f"mutation Accept($id: ID!, $input: WorkOrderTransitionInput) {{ workOrderAccept(id: $id, input: $input) {{ {RESULT} }} }}"
START_TRAVEL = f"mutation StartTravel($id: ID!, $input: WorkOrderTransitionInput) {{ workOrderStartTravel(id: $id, input: $input) {{ {RESULT} }} }}"
CHECK_IN = f"mutation CheckIn($id: ID!, $input: WorkOrderTransitionInput) {{ workOrderCheckIn(id: $id, input: $input) {{ {RESULT} }} }}"
COMPLETE = f"mutation Complete($id: ID!, $input: WorkOrderTransitionInput) {{ workOrderComplete(id: $id, input: $input) {{ {RESULT} }} }}"
RATE = f"mutation Rate($id: ID!, $input: WorkOrderRateInput!) {{ workOrderRate(id: $id, input: $input) {{ {RESULT} }} }}"
CANCEL = f"mutation Cancel($id: ID!, $input: WorkOrderCancelInput!) {{ workOrderCancel(id: $id, input: $input) {{ {RESULT} }} }}"

S = WorkOrderStatus

# action -> (document, payload field, status it leads to)
ACTIONS: dict[str, tuple[str, str, WorkOrderStatus]] = {
    "assign": (ASSIGN, "workOrderAssign", S.ASSIGNED),
    "accept": (ACCEPT, "workOrderAccept", S.ACCEPTED),
    "startTravel": (START_TRAVEL, "workOrderStartTravel", S.EN_ROUTE),
    "checkIn": (CHECK_IN, "workOrderCheckIn", S.CHECKED_IN),
    "complete": (COMPLETE, "workOrderComplete", S.COMPLETED),
    "rate": (RATE, "workOrderRate", S.RATED),
    "cancel": (CANCEL, "workOrderCancel", S.CANCELLED),
}

# The specification, written out: which actions each status allows.
ALLOWED: dict[WorkOrderStatus, set[str]] = {
    S.CREATED: {"assign", "cancel"},
    S.ASSIGNED: {"assign", "accept", "cancel"},  # assign again = re-assignment
    S.ACCEPTED: {"assign", "startTravel", "cancel"},
    S.EN_ROUTE: {"checkIn", "cancel"},
    S.CHECKED_IN: {"complete"},
    S.COMPLETED: {"rate"},
    S.RATED: set(),
    S.CANCELLED: set(),
}

TABLE = [(status, action, action in ALLOWED[status]) for status in S for action in ACTIONS]


@pytest.fixture
def given(db) -> dict[str, str]:
    """A network with two able technicians (T1 holds the orders already assigned) and a member."""
    network = add_network(db, "SH01")
    return {
        "network": network,
        "member": add_member(db, "M1"),
        "t1": add_technician(db, network, "T1", {Skill.AIR_CONDITIONER: 3}),
        "t2": add_technician(db, network, "T2", {Skill.AIR_CONDITIONER: 4}),
    }


def order_in(db, given: dict[str, str], status: WorkOrderStatus, **extra: Any) -> str:
    """A work order already in `status`; from `assigned` on, it is held by T1."""
    holder = None if status in (S.CREATED,) else pk_of(given["t1"])
    row = {
        "order_no": "WO1",
        "status": status,
        "network_id": pk_of(given["network"]),
        "member_id": pk_of(given["member"]),
    }
    [pk] = add_work_orders(db, [{**row, "technician_id": holder, **extra}])
    return global_id("WorkOrder", pk)


def input_for(action: str, given: dict[str, str]) -> dict[str, Any]:
    return {
        "assign": {"technicianId": given["t2"]},
        "rate": {"rating": 4},
        "cancel": {"reason": "客户改期"},
    }.get(action, {})


def run(gql: GraphQL, action: str, order: str, payload: dict[str, Any]) -> dict[str, Any]:
    document, field, _ = ACTIONS[action]
    return data_of(gql(document, {"id": order, "input": payload}))[field]


def snapshot(db) -> tuple[Any, ...]:
    with db.connect() as c:
        row = c.execute(
            select(
                WorkOrder.status,
                WorkOrder.version,
                WorkOrder.technician_id,
                WorkOrder.rating,
                WorkOrder.cancel_reason,
            )
        ).one()
        events = c.scalar(select(func.count()).select_from(WorkOrderEvent))
    return (*row, events)


@pytest.mark.parametrize(
    ("status", "action", "allowed"), TABLE, ids=[f"{s.value}-{a}" for s, a, _ in TABLE]
)
def test_transition_table(
    gql: GraphQL, db, given, status: WorkOrderStatus, action: str, allowed: bool
) -> None:
    order = order_in(db, given, status)
    before = snapshot(db)

    body = run(gql, action, order, input_for(action, given))

    if allowed:
        target = ACTIONS[action][2]
        assert body["errors"] == []
        assert body["workOrder"]["status"] == target.name and body["workOrder"]["version"] == 2
        assert (
            body["workOrder"]["history"][-1]["from"] == status.name
            and body["workOrder"]["history"][-1]["to"] == target.name
        )
        assert snapshot(db)[:2] == (target, 2) and snapshot(db)[-1] == 2
    else:
        assert body["workOrder"] is None
        assert [(e["field"], e["code"]) for e in body["errors"]] == [("id", "INVALID_TRANSITION")]
        assert status.value in body["errors"][0]["message"]
        assert snapshot(db) == before


def test_a_work_order_lives_its_whole_life_and_the_history_tells_it(
    gql: GraphQL, db, given
) -> None:
    order = order_in(db, given, S.CREATED)

    steps = [
        ("assign", {"technicianId": given["t1"], "note": "就近派单"}),
        ("assign", {"technicianId": given["t2"], "expectedVersion": 2}),
        ("accept", {}),
        ("startTravel", {"note": "出发"}),
        ("checkIn", {}),
        ("complete", {"expectedVersion": 6}),
        ("rate", {"rating": 5, "note": "很满意"}),
    ]
    bodies = [run(gql, action, order, payload) for action, payload in steps]

    assert [b["errors"] for b in bodies] == [[]] * len(steps)
    final = bodies[-1]["workOrder"]
    assert final["status"] == "RATED" and final["rating"] == 5 and final["version"] == 8
    assert final["technician"] == {"code": "T2"}
    assert [
        (e["from"], e["to"], (e["technician"] or {}).get("code"), e["note"])
        for e in final["history"]
    ] == [
        (None, "CREATED", None, None),
        ("CREATED", "ASSIGNED", "T1", "就近派单"),
        ("ASSIGNED", "ASSIGNED", "T2", None),
        ("ASSIGNED", "ACCEPTED", "T2", None),
        ("ACCEPTED", "EN_ROUTE", "T2", "出发"),
        ("EN_ROUTE", "CHECKED_IN", "T2", None),
        ("CHECKED_IN", "COMPLETED", "T2", None),
        ("COMPLETED", "RATED", "T2", "很满意"),
    ]


def test_an_accepted_order_can_be_handed_to_another_technician(gql: GraphQL, db, given) -> None:
    order = order_in(db, given, S.ACCEPTED)

    body = run(gql, "assign", order, {"technicianId": given["t2"]})

    assert body["workOrder"]["status"] == "ASSIGNED" and body["workOrder"]["technician"] == {
        "code": "T2"
    }


def test_cancel_keeps_the_reason_and_the_technician(gql: GraphQL, db, given) -> None:
    order = order_in(db, given, S.EN_ROUTE)

    body = run(gql, "cancel", order, {"reason": "  客户不在家 "})

    assert body["workOrder"]["cancelReason"] == "客户不在家" and body["workOrder"][
        "technician"
    ] == {"code": "T1"}
    assert body["workOrder"]["history"][-1] == {
        "from": "EN_ROUTE",
        "to": "CANCELLED",
        "note": "客户不在家",
        "technician": {"code": "T1"},
    }


@pytest.mark.parametrize(
    ("action", "status", "payload", "expected"),
    [
        ("cancel", S.CREATED, {"reason": "  "}, ("input.reason", "INVALID")),
        ("cancel", S.CREATED, {"reason": "x" * 501}, ("input.reason", "INVALID")),
        ("rate", S.COMPLETED, {"rating": 0}, ("input.rating", "OUT_OF_RANGE")),
        ("rate", S.COMPLETED, {"rating": 6}, ("input.rating", "OUT_OF_RANGE")),
        ("accept", S.ASSIGNED, {"note": "x" * 501}, ("input.note", "INVALID")),
        ("accept", S.ASSIGNED, {"expectedVersion": 2}, ("input.expectedVersion", "CONFLICT")),
        ("complete", S.CHECKED_IN, {"expectedVersion": 3}, ("input.expectedVersion", "CONFLICT")),
        ("rate", S.COMPLETED, {"rating": 5, "expectedVersion": 2}, ("input.expectedVersion", "CONFLICT")),
        ("complete", S.CHECKED_IN, {"expectedVersion": 0}, ("input.expectedVersion", "OUT_OF_RANGE")),
        ("cancel", S.CREATED, {"reason": "改期", "expectedVersion": -1}, ("input.expectedVersion", "OUT_OF_RANGE")),
        ("assign", S.CREATED, {"technicianId": "nope"}, ("input.technicianId", "BAD_GLOBAL_ID")),
    ],
)
def test_bad_or_stale_transition_input_is_refused_and_nothing_changes(
    gql: GraphQL,
    db,
    given,
    action: str,
    status: WorkOrderStatus,
    payload: dict,
    expected: tuple[str, str],
) -> None:
    order = order_in(db, given, status)
    before = snapshot(db)

    body = run(gql, action, order, payload)

    assert body["workOrder"] is None and [(e["field"], e["code"]) for e in body["errors"]] == [
        expected
    ]
    assert snapshot(db) == before


def test_the_current_expected_version_passes(gql: GraphQL, db, given) -> None:
    order = order_in(db, given, S.ASSIGNED)

    body = run(gql, "accept", order, {"expectedVersion": 1})

    assert body["errors"] == [] and body["workOrder"]["version"] == 2


def test_a_transition_on_an_unknown_or_foreign_id_is_refused(gql: GraphQL, given) -> None:
    unknown = run(gql, "accept", global_id("WorkOrder", 999), {})
    foreign = run(gql, "accept", given["t1"], {})

    assert [(e["field"], e["code"]) for e in unknown["errors"]] == [("id", "NOT_FOUND")]
    assert [(e["field"], e["code"]) for e in foreign["errors"]] == [("id", "BAD_GLOBAL_ID")]


def test_the_plain_steps_need_no_input(gql: GraphQL, db, given) -> None:
    order = order_in(db, given, S.ASSIGNED)

    body = data_of(gql(ACCEPT, {"id": order}))["workOrderAccept"]

    assert body["errors"] == [] and body["workOrder"]["status"] == "ACCEPTED"


@pytest.mark.parametrize(
    ("technician", "order_extra", "messages"),
    [
        ("inactive", {}, ["technician X1 is inactive"]),
        (
            "elsewhere",
            {},
            ["technician X2 works for service network SH02, the work order is for SH01"],
        ),
        ("unskilled", {}, ["technician X3 does not hold the skill air_conditioner"]),
        (
            "junior",
            {"min_skill_level": 3},
            [
                "technician X4 holds air_conditioner at level 2, the work order needs level 3 or above"
            ],
        ),
        (
            "inactive_elsewhere_unskilled",
            {},
            [
                "technician X5 is inactive",
                "technician X5 works for service network SH02, the work order is for SH01",
                "technician X5 does not hold the skill air_conditioner",
            ],
        ),
    ],
)
def test_an_infeasible_manual_assignment_says_why_on_the_technician(
    gql: GraphQL, db, given, technician: str, order_extra: dict, messages: list[str]
) -> None:
    other = add_network(db, "SH02")
    candidates = {
        "inactive": add_technician(
            db, given["network"], "X1", {Skill.AIR_CONDITIONER: 5}, active=False
        ),
        "elsewhere": add_technician(db, other, "X2", {Skill.AIR_CONDITIONER: 5}),
        "unskilled": add_technician(db, given["network"], "X3", {Skill.WASHER: 5}),
        "junior": add_technician(db, given["network"], "X4", {Skill.AIR_CONDITIONER: 2}),
        "inactive_elsewhere_unskilled": add_technician(
            db, other, "X5", {Skill.TV: 1}, active=False
        ),
    }
    order = order_in(db, given, S.CREATED, **order_extra)
    before = snapshot(db)

    body = run(gql, "assign", order, {"technicianId": candidates[technician]})

    assert body["workOrder"] is None
    assert [(e["field"], e["code"], e["message"]) for e in body["errors"]] == [
        ("input.technicianId", "INVALID", m) for m in messages
    ]
    assert snapshot(db) == before


def test_assignment_to_a_missing_technician_or_the_current_one_is_refused(
    gql: GraphQL, db, given
) -> None:
    fresh = order_in(db, given, S.ASSIGNED)

    missing = run(gql, "assign", fresh, {"technicianId": global_id("Technician", 999)})
    same = run(gql, "assign", fresh, {"technicianId": given["t1"]})

    assert [(e["field"], e["code"]) for e in missing["errors"]] == [
        ("input.technicianId", "NOT_FOUND")
    ]
    assert [(e["field"], e["code"]) for e in same["errors"]] == [("input.technicianId", "INVALID")]
    assert "already assigned to T1" in same["errors"][0]["message"]


def test_a_skill_level_exactly_at_the_minimum_is_enough(gql: GraphQL, db, given) -> None:
    order = order_in(db, given, S.CREATED, min_skill_level=4)

    body = run(gql, "assign", order, {"technicianId": given["t2"]})  # T2 holds level 4

    assert body["errors"] == [] and body["workOrder"]["technician"] == {"code": "T2"}
