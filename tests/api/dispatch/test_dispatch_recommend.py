"""dispatchRecommend: the best technicians of the order's network for one work order against the
current routes of its day, every other active technician excluded with a reason; bad ids and
orders past assignment come back as payload errors."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, update

from api.relay import decode_id, global_id
from engine.demo.generate import DemoData
from engine.demo.load import load
from engine.store.service import Technician, WorkOrder
from schemas.enums import WorkOrderStatus
from tests.conftest import GraphQL, data_of

RECOMMEND = """
query Recommend($id: ID!) {
  dispatchRecommend(workOrderId: $id) {
    errors { field message code }
    recommendation {
      workOrderId considered elapsedMs
      candidates { technicianId technician { code } position eta start addedTravelMinutes addedKm distanceKm
                   skillLevel loadMinutesAfter lateMinutes score { travel lateness balance disruption total } }
      excluded { reason technicianIds }
    }
  }
}
"""


@pytest.fixture
def demo(db: Engine, small: DemoData) -> DemoData:
    load(db, small)
    return small


def first_order(db: Engine, status: WorkOrderStatus) -> WorkOrder:
    with db.connect() as c:
        return c.execute(select(WorkOrder).where(WorkOrder.status == status).order_by(WorkOrder.id).limit(1)).one()


def test_an_open_order_gets_candidates_of_its_network_and_every_other_technician_a_reason(
    gql: GraphQL, db: Engine, demo: DemoData
) -> None:
    # given an open demo work order
    order = first_order(db, WorkOrderStatus.CREATED)

    # when a recommendation is asked for it
    payload = data_of(gql(RECOMMEND, {"id": global_id("WorkOrder", order.id)}))["dispatchRecommend"]

    # then its network's active technicians are all accounted for, the candidates best first
    assert payload["errors"] == []
    found = payload["recommendation"]
    assert found["workOrderId"] == global_id("WorkOrder", order.id) and found["candidates"]
    candidates = [decode_id(c["technicianId"])[1] for c in found["candidates"]]
    excluded = [decode_id(t)[1] for g in found["excluded"] for t in g["technicianIds"]]
    with db.connect() as c:
        active = set(c.scalars(select(Technician.id).where(Technician.network_id == order.network_id,
                                                           Technician.active.is_(True))))
    assert set(candidates) | set(excluded) <= active and not set(candidates) & set(excluded)
    assert found["considered"] == len(active)
    totals = [c["score"]["total"] for c in found["candidates"]]
    assert totals == sorted(totals)
    assert all(c["technician"]["code"] for c in found["candidates"])


@pytest.mark.parametrize(
    ("work_order_id", "code"),
    [("nonsense", "BAD_GLOBAL_ID"), (global_id("Technician", 1), "BAD_GLOBAL_ID"), (global_id("WorkOrder", 10**6), "NOT_FOUND")],
)
def test_a_recommendation_for_no_work_order_is_refused(gql: GraphQL, demo: DemoData, work_order_id: str,
                                                        code: str) -> None:
    payload = data_of(gql(RECOMMEND, {"id": work_order_id}))["dispatchRecommend"]

    assert payload["recommendation"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("workOrderId", code)]


def test_an_order_already_under_way_gets_no_recommendation(gql: GraphQL, db: Engine, demo: DemoData) -> None:
    order = first_order(db, WorkOrderStatus.ASSIGNED)
    with db.begin() as c:
        c.execute(update(WorkOrder).where(WorkOrder.id == order.id).values(status=WorkOrderStatus.EN_ROUTE))

    payload = data_of(gql(RECOMMEND, {"id": global_id("WorkOrder", order.id)}))["dispatchRecommend"]

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("workOrderId", "WRONG_STATUS")]
