"""workOrderAssign checks a planner's manual choice against the technician's day with the
recommend machinery: a choice that does not fit is refused with INFEASIBLE and the reason, and
changes nothing; one that fits is assigned; the earlier checks (skill, network) still come first."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import Engine, update

from api.relay import global_id
from engine.store.service import Technician
from schemas.enums import Skill, WorkOrderStatus
from tests.api.dispatch.arrange import audit_outcomes, work_order_state
from tests.api.service.arrange import add_member, add_network, add_technician, add_work_orders, pk_of
from tests.conftest import GraphQL, data_of

ASSIGN = """
mutation Assign($id: ID!, $input: WorkOrderAssignInput!) {
  workOrderAssign(id: $id, input: $input) {
    errors { field message code }
    workOrder { status version technician { code } }
  }
}
"""
_NUMBERS = itertools.count(1)


def an_order(db: Engine, network: str, **values: Any) -> str:
    """An open air-conditioner order with a 12:00-14:00 window in Shanghai (60 minutes)."""
    member = pk_of(add_member(db, f"M{next(_NUMBERS)}"))
    [pk] = add_work_orders(db, [{"order_no": f"WO{next(_NUMBERS)}", "network_id": pk_of(network), "member_id": member,
                                 **values}])
    return global_id("WorkOrder", pk)


def assign(gql: GraphQL, order: str, technician: str) -> dict[str, Any]:
    return data_of(gql(ASSIGN, {"id": order, "input": {"technicianId": technician}}))["workOrderAssign"]  # type: ignore[no-any-return]


def at(hours_after_eight: int) -> datetime:
    return datetime(2025, 3, 1, hours_after_eight, 0, tzinfo=UTC)  # 00:00 UTC is 08:00 in Shanghai


def morning_only(db: Engine, technician: str) -> None:
    with db.begin() as c:
        c.execute(update(Technician).where(Technician.id == pk_of(technician)).values(shift_end=time(11)))


def test_a_technician_whose_shift_ends_before_the_window_is_refused_with_the_reason(gql: GraphQL, db: Engine) -> None:
    # given an order at 12:00-14:00 and a technician working 08:00-11:00
    network = add_network(db)
    technician = add_technician(db, network, "T1")
    morning_only(db, technician)
    order = an_order(db, network)
    before = work_order_state(db)

    # when the planner assigns it to him
    payload = assign(gql, order, technician)

    # then it is refused as infeasible, saying why, and nothing changed
    assert payload["workOrder"] is None
    [error] = payload["errors"]
    assert (error["field"], error["code"]) == ("input.technicianId", "INFEASIBLE")
    assert "T1" in error["message"] and "no shift fits" in error["message"]
    assert work_order_state(db) == before
    assert audit_outcomes(db, "workOrderAssign") == [("refused", ["INFEASIBLE"])]


def test_a_technician_whose_day_is_full_is_refused(gql: GraphQL, db: Engine) -> None:
    # given a technician already holding 7 of his 8 hours' capacity that day, and a 2-hour order
    network = add_network(db)
    technician = add_technician(db, network, "T1")
    for hour in (0, 2, 4):  # windows from 08:00, 10:00 and 12:00 in Shanghai
        an_order(db, network, duration_minutes=140, status=WorkOrderStatus.ASSIGNED, technician_id=pk_of(technician),
                 window_start=at(hour), window_end=at(hour + 1), sla_deadline=at(hour + 3))
    order = an_order(db, network, duration_minutes=120, window_start=at(1), window_end=at(9), sla_deadline=at(9))
    before = work_order_state(db)

    # when the planner adds the order
    payload = assign(gql, order, technician)

    # then
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("input.technicianId", "INFEASIBLE")]
    assert "capacity full" in payload["errors"][0]["message"]
    assert work_order_state(db) == before


def test_a_technician_whose_day_has_room_gets_the_order(gql: GraphQL, db: Engine) -> None:
    network = add_network(db)
    technician = add_technician(db, network, "T1")
    order = an_order(db, network)

    payload = assign(gql, order, technician)

    assert payload["errors"] == []
    assert payload["workOrder"]["status"] == "ASSIGNED" and payload["workOrder"]["technician"] == {"code": "T1"}


def test_a_technician_lacking_the_skill_is_still_refused_for_that_first(gql: GraphQL, db: Engine) -> None:
    # given a washer technician who also could not make the window
    network = add_network(db)
    technician = add_technician(db, network, "T1", {Skill.WASHER: 5})
    morning_only(db, technician)
    order = an_order(db, network)

    payload = assign(gql, order, technician)

    # then the skill is what is reported, as before
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("input.technicianId", "INVALID")]
    assert "does not hold the skill" in payload["errors"][0]["message"]
