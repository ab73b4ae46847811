"""dispatchPlanCreate and dispatchPlanApply on the small demo data: a draft with KPIs and
explanations that assigns nothing, applied in one transaction; a stale plan, a second apply and
bad ids are refused with their codes and change nothing; a network-scoped role sees only its
networks' plans."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from starlette.testclient import TestClient

from api.app import create_app
from api.relay import decode_id, global_id
from engine.access.permissions import Role
from engine.demo.generate import DemoData
from engine.demo.load import load
from engine.services.dispatch_problem import digest_of
from engine.settings import Settings
from engine.store.dispatch import DispatchPlan as DispatchPlanRow
from engine.store.service import Technician, WorkOrder, WorkOrderEvent
from schemas.dispatch import Plan, Problem
from schemas.enums import WorkOrderStatus
from tests.api.dispatch.arrange import APPLY, CREATE, DAY, audit_outcomes, plan_rows, work_order_state
from tests.conftest import GraphQL, data_of, make_api_key
from tests.engine.dispatch.checker import check_plan

NETWORK = global_id("ServiceNetwork", 1)
UPDATE_ORDER = """
mutation Reschedule($id: ID!, $input: WorkOrderUpdateInput!) {
  workOrderUpdate(id: $id, input: $input) { errors { code } workOrder { version } }
}
"""


@pytest.fixture
def demo(db: Engine, small: DemoData) -> DemoData:
    load(db, small)
    return small


def create(gql: GraphQL, **input: Any) -> dict[str, Any]:
    body = data_of(gql(CREATE, {"input": {"network": NETWORK, "date": DAY, "timeLimit": 2, **input}}))
    return body["dispatchPlanCreate"]  # type: ignore[no-any-return]


def created(gql: GraphQL, **input: Any) -> dict[str, Any]:
    payload = create(gql, **input)
    assert payload["errors"] == []
    return payload["dispatchPlan"]  # type: ignore[no-any-return]


def apply(gql: GraphQL, plan_id: str) -> dict[str, Any]:
    return data_of(gql(APPLY, {"id": plan_id}))["dispatchPlanApply"]  # type: ignore[no-any-return]


def stored_plan(db: Engine, plan_id: str) -> tuple[Problem, Plan]:
    """The problem and plan a DispatchPlan row keeps."""
    with db.connect() as c:
        row = c.execute(select(DispatchPlanRow.problem, DispatchPlanRow.plan).where(
            DispatchPlanRow.id == decode_id(plan_id)[1])).one()
    return Problem.model_validate(row.problem), Plan.model_validate(row.plan)


def stops(plan: dict[str, Any]) -> dict[int, tuple[int, bool]]:
    """Work order pk -> (technician pk, locked) over the plan's routes."""
    return {decode_id(s["workOrderId"])[1]: (decode_id(r["technicianId"])[1], s["locked"])
            for r in plan["routes"] for s in r["stops"]}


@pytest.mark.parametrize("mode", ["ROUTE", "ASSIGN"])
def test_a_demo_day_plan_is_stored_as_a_draft_that_assigns_nothing(gql: GraphQL, db: Engine, demo: DemoData,
                                                                    mode: str) -> None:
    # given the demo's first network on the demo day
    before = work_order_state(db)

    # when a plan is made
    plan = created(gql, mode=mode)

    # then it is a draft with figures, routes and explanations, and no work order changed
    assert (plan["status"], plan["mode"], plan["date"], plan["network"]["id"]) == ("DRAFT", mode, DAY, NETWORK)
    assert plan["kpis"]["assigned"] > 0 and plan["kpis"]["solverStatus"] in ("OPTIMAL", "FEASIBLE")
    assert plan["kpis"]["assigned"] == sum(len(r["stops"]) for r in plan["routes"])
    assert plan["kpis"]["unassigned"] == len(plan["unassigned"])
    assert {a["workOrderId"] for a in plan["assignments"]} == {s["workOrderId"] for r in plan["routes"] for s in r["stops"]}
    assert plan["originAt"] == "2026-11-30T16:00:00+00:00" and len(plan["digest"]) == 64
    with db.connect() as c:
        networks = set(c.scalars(select(Technician.network_id).where(
            Technician.id.in_([decode_id(r["technicianId"])[1] for r in plan["routes"]]))))
    assert networks == {1}
    assert work_order_state(db) == before
    # and the stored plan passes the independent checker against the stored problem
    problem, stored = stored_plan(db, plan["id"])
    assert check_plan(problem, stored, timing=mode == "ROUTE") == []
    assert digest_of(problem.model_dump(mode="json", by_alias=True)) == plan["digest"]


@pytest.mark.parametrize("mode", ["ROUTE", "ASSIGN"])
def test_the_same_day_and_seed_give_the_same_plan(gql: GraphQL, db: Engine, demo: DemoData, mode: str) -> None:
    first, second = (created(gql, mode=mode, seed=5) for _ in range(2))

    plans = [stored_plan(db, p["id"])[1].model_dump(exclude={"kpis": {"wall_seconds"}}) for p in (first, second)]
    assert first["digest"] == second["digest"] and plans[0] == plans[1]


def test_applying_a_plan_assigns_its_orders_in_one_go_with_their_history(gql: GraphQL, db: Engine, demo: DemoData) -> None:
    # given a draft plan of the demo day
    plan = created(gql)
    planned = stops(plan)

    # when it is applied
    payload = apply(gql, plan["id"])

    # then it is applied, and every planned order is held by its planned technician
    assert payload["errors"] == [] and payload["dispatchPlan"]["status"] == "APPLIED"
    assert payload["dispatchPlan"]["appliedAt"] is not None
    with db.connect() as c:
        held = {r.id: (r.technician_id, r.status) for r in c.execute(
            select(WorkOrder.id, WorkOrder.technician_id, WorkOrder.status).where(WorkOrder.id.in_(planned)))}
        notes = list(c.scalars(select(WorkOrderEvent.work_order_id).where(
            WorkOrderEvent.note == f"dispatch plan {decode_id(plan['id'])[1]}")))
    assert {pk: t for pk, (t, _) in held.items()} == {pk: t for pk, (t, _) in planned.items()}
    assert {s for pk, (_, s) in held.items() if not planned[pk][1]} <= {WorkOrderStatus.ASSIGNED, WorkOrderStatus.ACCEPTED}
    assert notes and set(notes) <= set(planned)
    assert audit_outcomes(db, "dispatchPlanCreate") == [("ok", [])]
    assert audit_outcomes(db, "dispatchPlanApply") == [("ok", [])]


def test_a_plan_is_stale_once_one_of_its_orders_changed_and_applying_it_changes_nothing(
    gql: GraphQL, db: Engine, demo: DemoData
) -> None:
    # given a draft plan, then one of its orders rescheduled
    plan = created(gql)
    order = next(iter(stops(plan)))
    changed = data_of(gql(UPDATE_ORDER, {"id": global_id("WorkOrder", order), "input": {"priority": 1}}))
    assert changed["workOrderUpdate"]["errors"] == []
    before, plans = work_order_state(db), plan_rows(db)

    # when the plan is applied
    payload = apply(gql, plan["id"])

    # then it is refused as stale, naming the order, and nothing changed
    assert payload["dispatchPlan"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("id", "STALE_PLAN")]
    [error] = payload["errors"]
    with db.connect() as c:
        order_no = c.scalar(select(WorkOrder.order_no).where(WorkOrder.id == order))
    assert order_no in error["message"]
    assert work_order_state(db) == before and plan_rows(db) == plans
    assert audit_outcomes(db, "dispatchPlanApply") == [("refused", ["STALE_PLAN"])]


def test_a_plan_is_stale_once_a_technician_it_read_changed(gql: GraphQL, db: Engine, demo: DemoData) -> None:
    # given a draft plan, then a technician of it working an hour less
    plan = created(gql)
    technician = decode_id(plan["routes"][0]["technicianId"])[1]
    with db.begin() as c:
        code = c.scalar(select(Technician.code).where(Technician.id == technician))
        c.execute(update(Technician).where(Technician.id == technician).values(
            daily_capacity_minutes=Technician.daily_capacity_minutes - 60))
    before = work_order_state(db)

    # when it is applied
    payload = apply(gql, plan["id"])

    # then
    assert [e["code"] for e in payload["errors"]] == ["STALE_PLAN"] and code in payload["errors"][0]["message"]
    assert work_order_state(db) == before


def test_an_applied_plan_cannot_be_applied_again(gql: GraphQL, db: Engine, demo: DemoData) -> None:
    plan = created(gql)
    assert apply(gql, plan["id"])["errors"] == []
    before = work_order_state(db)

    payload = apply(gql, plan["id"])

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("id", "WRONG_STATUS")]
    assert work_order_state(db) == before


@pytest.mark.parametrize(
    ("variables", "field", "code"),
    [
        ({"network": global_id("Technician", 1)}, "input.network", "BAD_GLOBAL_ID"),
        ({"network": "not-an-id"}, "input.network", "BAD_GLOBAL_ID"),
        ({"network": global_id("ServiceNetwork", 999)}, "input.network", "NOT_FOUND"),
        ({"timeLimit": 0}, "input.timeLimit", "OUT_OF_RANGE"),
        ({"timeLimit": 601}, "input.timeLimit", "OUT_OF_RANGE"),
        ({"seed": -1}, "input.seed", "OUT_OF_RANGE"),
    ],
)
def test_a_plan_request_with_a_bad_field_is_refused_and_stores_nothing(
    gql: GraphQL, db: Engine, demo: DemoData, variables: dict[str, Any], field: str, code: str
) -> None:
    payload = create(gql, **variables)

    assert payload["dispatchPlan"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert plan_rows(db) == []


@pytest.mark.parametrize(
    ("plan_id", "code"),
    [(global_id("WorkOrder", 1), "BAD_GLOBAL_ID"), ("garbage", "BAD_GLOBAL_ID"), (global_id("DispatchPlan", 42), "NOT_FOUND")],
)
def test_applying_a_plan_that_is_not_one_is_refused(gql: GraphQL, db: Engine, demo: DemoData, plan_id: str,
                                                     code: str) -> None:
    before = work_order_state(db)

    payload = apply(gql, plan_id)

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("id", code)]
    assert work_order_state(db) == before


PLANS = """
query Plans($id: ID!) {
  dispatchPlans(first: 10) { totalCount edges { node { id network { code } } } }
  node(id: $id) { ... on DispatchPlan { id } }
}
"""


def test_a_network_scoped_agent_sees_and_applies_only_its_networks_plans(
    gql: GraphQL, db: Engine, demo: DemoData, settings: Settings
) -> None:
    # given a plan of network 1, and service agents of network 1 and of network 2
    plan = created(gql)
    ours = make_api_key(db, [Role.SERVICE_AGENT], network_ids=[1])
    theirs = make_api_key(db, [Role.SERVICE_AGENT], network_ids=[2])
    before = work_order_state(db)

    with TestClient(create_app(settings)) as client:
        def post(key: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
            response = client.post("/graphql", json={"query": query, "variables": variables}, headers={"X-API-Key": key})
            return data_of(response.json())

        # when each lists plans, looks the plan up and the other network's agent applies it
        seen_by_ours = post(ours, PLANS, {"id": plan["id"]})
        seen_by_theirs = post(theirs, PLANS, {"id": plan["id"]})
        refused = post(theirs, APPLY, {"id": plan["id"]})["dispatchPlanApply"]

    # then the plan exists only for its own network's agent
    assert seen_by_ours["dispatchPlans"]["totalCount"] == 1 and seen_by_ours["node"] == {"id": plan["id"]}
    assert seen_by_theirs["dispatchPlans"] == {"totalCount": 0, "edges": []} and seen_by_theirs["node"] is None
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]
    assert work_order_state(db) == before


@pytest.mark.parametrize("mode", ["ROUTE", "ASSIGN"])
def test_a_day_with_nothing_open_is_an_empty_plan_that_applies_as_a_no_op(gql: GraphQL, db: Engine, demo: DemoData,
                                                                         mode: str) -> None:
    # given a day of the demo network with no work orders
    before = work_order_state(db)

    # when it is planned and applied
    plan = created(gql, mode=mode, date="2027-01-05")
    payload = apply(gql, plan["id"])

    # then the plan is empty and applying it changes no work order
    assert (plan["kpis"]["assigned"], plan["kpis"]["unassigned"]) == (0, 0)
    assert payload["errors"] == [] and payload["dispatchPlan"]["status"] == "APPLIED"
    assert work_order_state(db) == before


@pytest.mark.parametrize("mode", ["ROUTE", "ASSIGN"])
def test_a_network_without_active_technicians_leaves_every_order_unassigned_saying_why(
    gql: GraphQL, db: Engine, demo: DemoData, mode: str
) -> None:
    # given the demo network's technicians all off duty
    with db.begin() as c:
        c.execute(update(Technician).where(Technician.network_id == 1).values(active=False))

    # when its day is planned
    plan = created(gql, mode=mode)

    # then nothing is assigned, and each order says nobody has the skill
    assert plan["kpis"]["assigned"] == 0 and plan["routes"] == []
    assert plan["kpis"]["unassigned"] == len(plan["unassigned"]) > 0
    assert {u["reason"] for u in plan["unassigned"]} == {"NO_SKILLED_TECHNICIAN"}


LIST = """
query List($where: DispatchPlanWhereInput, $sortBy: DispatchPlanOrder) {
  dispatchPlans(first: 10, where: $where, sortBy: $sortBy) { totalCount edges { node { id date status } } }
}
"""


def test_plans_are_listed_newest_first_and_filtered_by_network_day_and_status(gql: GraphQL, demo: DemoData) -> None:
    # given two plans of two days, the later-made one applied
    first = created(gql, mode="ASSIGN", date="2027-01-05")
    second = created(gql, mode="ASSIGN", date="2027-01-06")
    assert apply(gql, second["id"])["errors"] == []

    def listed(**variables: Any) -> list[str]:
        found = data_of(gql(LIST, variables))["dispatchPlans"]
        assert found["totalCount"] == len(found["edges"])
        return [e["node"]["id"] for e in found["edges"]]

    # then
    assert listed() == [second["id"], first["id"]]
    assert listed(sortBy={"field": "DAY", "direction": "ASC"}) == [first["id"], second["id"]]
    assert listed(where={"date": "2027-01-05"}) == [first["id"]]
    assert listed(where={"status": ["DRAFT"]}) == [first["id"]]
    assert listed(where={"network": [global_id("ServiceNetwork", 2)]}) == []
    assert listed(where={"network": [NETWORK], "status": ["APPLIED"]}) == [second["id"]]


def test_a_plan_that_cannot_be_applied_to_its_last_order_assigns_none_of_them(gql: GraphQL, db: Engine,
                                                                              demo: DemoData) -> None:
    # given a draft whose stored last route was tampered to a technician of another network
    plan = created(gql)
    pk = decode_id(plan["id"])[1]
    with db.begin() as c:
        stored = c.scalar(select(DispatchPlanRow.plan).where(DispatchPlanRow.id == pk))
        outsider = c.scalar(select(Technician.id).where(Technician.network_id == 2).limit(1))
        routes = [r for r in stored["routes"] if any(not s["locked"] for s in r["stops"])]
        assert len(routes) >= 2
        routes[-1]["technician_id"] = str(outsider)
        c.execute(update(DispatchPlanRow).where(DispatchPlanRow.id == pk).values(plan=stored))
    before, plans = work_order_state(db), plan_rows(db)

    # when it is applied
    payload = apply(gql, plan["id"])

    # then the refusal names the order, and the orders of the routes before it were not assigned either
    assert payload["dispatchPlan"] is None
    assert {(e["field"], e["code"]) for e in payload["errors"]} == {("id", "INVALID")}
    assert all(e["message"].startswith("work order ") for e in payload["errors"])
    assert work_order_state(db) == before and plan_rows(db) == plans
