"""Rescheduling work orders through GraphQL (workOrderUpdate): which statuses allow it, field
rules, and the optimistic version check."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from api.relay import global_id
from engine.store.service import WorkOrder
from schemas.enums import WorkOrderStatus
from tests.api.service.arrange import (
    add_member,
    add_network,
    add_technician,
    add_work_orders,
    pk_of,
)
from tests.conftest import GraphQL, data_of

UPDATE = """
mutation Update($id: ID!, $input: WorkOrderUpdateInput!) {
  workOrderUpdate(id: $id, input: $input) {
    workOrder { windowStart windowEnd durationMinutes priority slaDeadline address latitude description version status }
    errors { field message code }
  }
}
"""

S = WorkOrderStatus
# 09:00-12:00 in Shanghai on 2025-03-01, the SLA deadline at the window's end.
WINDOW_START = datetime(2025, 3, 1, 1, 0, tzinfo=UTC)
WINDOW_END = datetime(2025, 3, 1, 4, 0, tzinfo=UTC)


@pytest.fixture
def given(db) -> dict[str, str]:
    """A network with a technician, and a member."""
    network = add_network(db, "SH01")
    return {"network": network, "member": add_member(db, "M1"), "t1": add_technician(db, network, "T1")}


def order_in(db, given: dict[str, str], status: WorkOrderStatus = S.CREATED) -> str:
    """A work order at version 1 in `status`; from `assigned` on, it is held by T1."""
    [pk] = add_work_orders(
        db,
        [
            {
                "order_no": "WO1",
                "status": status,
                "network_id": pk_of(given["network"]),
                "member_id": pk_of(given["member"]),
                "technician_id": None if status is S.CREATED else pk_of(given["t1"]),
                "window_start": WINDOW_START,
                "window_end": WINDOW_END,
                "sla_deadline": WINDOW_END,
            }
        ],
    )
    return global_id("WorkOrder", pk)


def reschedule(gql: GraphQL, order: str, patch: dict[str, Any]) -> dict[str, Any]:
    return data_of(gql(UPDATE, {"id": order, "input": patch}))["workOrderUpdate"]


def stored(db) -> tuple[int, int]:
    """(version, priority) of the one work order."""
    with db.connect() as c:
        return tuple(c.execute(select(WorkOrder.version, WorkOrder.priority)).one())  # type: ignore[return-value]


def test_update_reschedules_and_bumps_the_version(gql: GraphQL, db, given) -> None:
    order = order_in(db, given)

    body = reschedule(
        gql,
        order,
        {
            "expectedVersion": 1,
            "windowStart": "2025-03-02T14:00:00+08:00",
            "windowEnd": "2025-03-02T16:00:00+08:00",
            "durationMinutes": 45,
            "priority": 2,
            "description": "改约到周日",
        },
    )

    assert body["errors"] == []
    assert body["workOrder"] == {
        "windowStart": "2025-03-02T06:00:00+00:00",
        "windowEnd": "2025-03-02T08:00:00+00:00",
        "durationMinutes": 45,
        "priority": 2,
        "slaDeadline": "2025-03-01T04:00:00+00:00",  # kept: not part of the patch
        "address": "上海市",
        "latitude": 31.2,
        "description": "改约到周日",
        "version": 2,
        "status": "CREATED",
    }


@pytest.mark.parametrize("status", [S.CREATED, S.ASSIGNED, S.ACCEPTED, S.EN_ROUTE])
def test_rescheduling_is_allowed_until_check_in(gql: GraphQL, db, given, status: WorkOrderStatus) -> None:
    order = order_in(db, given, status)

    body = reschedule(gql, order, {"priority": 1})

    assert body["errors"] == []
    assert (body["workOrder"]["status"], body["workOrder"]["priority"]) == (status.name, 1)
    assert stored(db) == (2, 1)


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ({"windowEnd": "2025-03-01T08:00:00+08:00"}, ("input.windowEnd", "INVALID")),
        ({"windowStart": "2025-03-01T13:00:00+08:00"}, ("input.windowEnd", "INVALID")),
        ({"windowStart": "2025-03-01T08:00:00"}, ("input.windowStart", "INVALID")),
        ({"durationMinutes": 0}, ("input.durationMinutes", "OUT_OF_RANGE")),
        ({"priority": 9}, ("input.priority", "OUT_OF_RANGE")),
        ({"slaDeadline": None}, ("input.slaDeadline", "INVALID")),
        ({"expectedVersion": 7}, ("input.expectedVersion", "CONFLICT")),
        ({"expectedVersion": 2, "priority": 1}, ("input.expectedVersion", "CONFLICT")),
        ({"expectedVersion": 0}, ("input.expectedVersion", "OUT_OF_RANGE")),
        ({"expectedVersion": -1, "priority": 1}, ("input.expectedVersion", "OUT_OF_RANGE")),
    ],
)
def test_invalid_or_stale_update_is_refused_and_changes_nothing(
    gql: GraphQL, db, given, patch: dict[str, Any], expected: tuple[str, str]
) -> None:
    order = order_in(db, given)

    body = reschedule(gql, order, patch)

    assert body["workOrder"] is None
    assert [(e["field"], e["code"]) for e in body["errors"]] == [expected]
    assert stored(db) == (1, 3)


@pytest.mark.parametrize("status", [S.CHECKED_IN, S.COMPLETED, S.RATED, S.CANCELLED])
def test_no_rescheduling_once_checked_in_or_closed(gql: GraphQL, db, given, status: WorkOrderStatus) -> None:
    order = order_in(db, given, status)

    body = reschedule(gql, order, {"priority": 1})

    assert body["workOrder"] is None
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("id", "WRONG_STATUS")]
    assert status.value in body["errors"][0]["message"]
    assert stored(db) == (1, 3)


def test_a_stale_version_is_reported_before_the_status(gql: GraphQL, db, given) -> None:
    order = order_in(db, given, S.COMPLETED)

    body = reschedule(gql, order, {"expectedVersion": 3, "priority": 1})

    assert [(e["field"], e["code"]) for e in body["errors"]] == [("input.expectedVersion", "CONFLICT")]
    assert stored(db) == (1, 3)


def test_update_of_an_unknown_work_order_is_not_found(gql: GraphQL) -> None:
    body = reschedule(gql, global_id("WorkOrder", 999), {"priority": 1})

    assert [(e["field"], e["code"]) for e in body["errors"]] == [("id", "NOT_FOUND")]
