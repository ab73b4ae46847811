"""The workOrders connection: every filter, every sort key, and keyset paging."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from schemas.enums import Skill, WorkOrderKind, WorkOrderStatus
from tests.api.service.arrange import (
    NOON,
    add_member,
    add_network,
    add_technician,
    add_work_orders,
    pk_of,
)
from tests.conftest import GraphQL, data_of

LIST = """
query List($first: Int!, $after: String, $where: WorkOrderWhereInput, $sortBy: WorkOrderOrder) {
  workOrders(first: $first, after: $after, where: $where, sortBy: $sortBy) {
    totalCount
    edges { node { orderNo } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

S = WorkOrderStatus
HOUR = timedelta(hours=1)
INSTALL, REPAIR = WorkOrderKind.INSTALL, WorkOrderKind.REPAIR


@pytest.fixture
def given(db) -> dict[str, str]:
    """Five orders, WO1..WO5, differing in every filtered and sorted field."""
    north, south = add_network(db, "N"), add_network(db, "S")
    member = pk_of(add_member(db, "M1"))
    t1, t2 = add_technician(db, north, "T1"), add_technician(db, south, "T2", {Skill.WASHER: 3})
    n, s = pk_of(north), pk_of(south)
    columns = (
        "order_no",
        "network_id",
        "technician_id",
        "status",
        "required_skill",
        "region_code",
        "kind",
    )
    table = [  # ... then priority, window start and SLA deadline, in hours from NOON
        (("WO1", n, None, S.CREATED, Skill.AIR_CONDITIONER, "310101", INSTALL), 3, 2, 30),
        (("WO2", n, pk_of(t1), S.ASSIGNED, Skill.AIR_CONDITIONER, "310101", REPAIR), 1, 0, 10),
        (("WO3", s, pk_of(t2), S.COMPLETED, Skill.WASHER, "310115", REPAIR), 2, 24, 20),
        (("WO4", s, None, S.CANCELLED, Skill.TV, "310115", INSTALL), 5, -24, 40),
        (("WO5", n, pk_of(t1), S.ACCEPTED, Skill.WASHER, "310104", INSTALL), 1, 1, 0),
    ]
    rows: list[dict[str, Any]] = [
        {
            **dict(zip(columns, values, strict=True)),
            "priority": priority,
            "window_start": NOON + start * HOUR,
            "sla_deadline": NOON + sla * HOUR,
        }
        for values, priority, start, sla in table
    ]
    for row in rows:
        row.update(member_id=member, window_end=row["window_start"] + 3 * HOUR)
    add_work_orders(db, rows)
    return {"north": north, "south": south, "t1": t1, "t2": t2}


def order_nos(gql: GraphQL, **variables: Any) -> list[str]:
    connection = data_of(gql(LIST, {"first": 20, **variables}))["workOrders"]
    return [e["node"]["orderNo"] for e in connection["edges"]]


def iso(value: Any) -> str:
    return value.isoformat()


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"status": ["CREATED", "ACCEPTED"]}, ["WO1", "WO5"]),
        ({"unassigned": True}, ["WO1", "WO4"]),
        ({"unassigned": False}, ["WO2", "WO3", "WO5"]),
        ({"requiredSkill": ["WASHER", "TV"]}, ["WO3", "WO4", "WO5"]),
        ({"regionCode": ["310115", "310104"]}, ["WO3", "WO4", "WO5"]),
        ({"kind": "REPAIR"}, ["WO2", "WO3"]),
        ({"priority": [1, 2]}, ["WO2", "WO3", "WO5"]),
        ({"windowStart": {"gte": iso(NOON), "lt": iso(NOON + 2 * HOUR)}}, ["WO2", "WO5"]),
        ({"windowStart": {"gte": iso(NOON + 2 * HOUR)}}, ["WO1", "WO3"]),
        ({"slaDeadline": {"lt": iso(NOON + 20 * HOUR)}}, ["WO2", "WO5"]),
        (
            {"status": ["ASSIGNED", "ACCEPTED", "CREATED"], "priority": [1], "unassigned": False},
            ["WO2", "WO5"],
        ),
    ],
)
def test_work_orders_filter(gql: GraphQL, given, where: dict, expected: list[str]) -> None:
    assert sorted(order_nos(gql, where=where)) == expected


def test_work_orders_filter_by_network_and_technician_ids(gql: GraphQL, given) -> None:
    assert sorted(order_nos(gql, where={"network": [given["south"]]})) == ["WO3", "WO4"]
    assert sorted(order_nos(gql, where={"technician": [given["t1"]]})) == ["WO2", "WO5"]
    assert sorted(
        order_nos(
            gql, where={"technician": [given["t1"], given["t2"]], "network": [given["north"]]}
        )
    ) == ["WO2", "WO5"]


@pytest.mark.parametrize(
    ("sort_by", "expected"),
    [
        (None, ["WO4", "WO2", "WO5", "WO1", "WO3"]),  # default: soonest window first
        ({"field": "WINDOW_START", "direction": "DESC"}, ["WO3", "WO1", "WO5", "WO2", "WO4"]),
        ({"field": "SLA_DEADLINE"}, ["WO5", "WO2", "WO3", "WO1", "WO4"]),
        ({"field": "PRIORITY"}, ["WO2", "WO5", "WO3", "WO1", "WO4"]),  # ties by id
        ({"field": "PRIORITY", "direction": "DESC"}, ["WO4", "WO1", "WO3", "WO5", "WO2"]),
        ({"field": "ORDER_NO", "direction": "DESC"}, ["WO5", "WO4", "WO3", "WO2", "WO1"]),
        ({"field": "CREATED_AT"}, ["WO1", "WO2", "WO3", "WO4", "WO5"]),
    ],
)
def test_work_orders_sort(gql: GraphQL, given, sort_by: dict | None, expected: list[str]) -> None:
    assert order_nos(gql, sortBy=sort_by) == expected


@pytest.mark.parametrize("field", ["WINDOW_START", "SLA_DEADLINE", "PRIORITY", "ORDER_NO"])
def test_paging_two_at_a_time_visits_every_order_once_in_sort_order(
    gql: GraphQL, given, field: str
) -> None:
    whole = order_nos(gql, sortBy={"field": field})
    seen: list[str] = []
    after = None
    while True:
        page = data_of(gql(LIST, {"first": 2, "after": after, "sortBy": {"field": field}}))[
            "workOrders"
        ]
        seen += [e["node"]["orderNo"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == whole and len(seen) == 5


def test_total_count_counts_the_filter_across_pages(gql: GraphQL, given) -> None:
    page = data_of(gql(LIST, {"first": 1, "where": {"unassigned": False}}))["workOrders"]

    assert page["totalCount"] == 3 and len(page["edges"]) == 1 and page["pageInfo"]["hasNextPage"]


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"where": {"network": ["garbage"]}}, "BAD_GLOBAL_ID", "where.network"),
        ({"where": {"technician": ["garbage"]}}, "BAD_GLOBAL_ID", "where.technician"),
        (
            {"where": {"windowStart": {"gte": "2025-03-01T00:00:00"}}},
            "INVALID",
            "where.windowStart",
        ),
        ({"where": {"slaDeadline": {"lt": "2025-03-01T00:00:00"}}}, "INVALID", "where.slaDeadline"),
        ({"after": "garbage"}, "BAD_CURSOR", "after"),
        ({"first": 0}, "OUT_OF_RANGE", "first"),
    ],
)
def test_bad_list_arguments_are_client_errors(
    gql: GraphQL, given, variables: dict, code: str, field: str
) -> None:
    body = gql(LIST, {"first": 10, **variables})

    assert body["errors"][0]["extensions"] == {"code": code, "field": field}
