"""Sales targets: period rules, exactly one owner, one target per owner and period, listing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from api.relay import global_id
from engine.store.sales import SalesTarget
from tests.api.sales.conftest import World
from tests.conftest import GraphQL, data_of

CREATE = """
mutation Create($input: SalesTargetCreateInput!) {
  salesTargetCreate(input: $input) {
    salesTarget { id ownerKind dealer { code } store { code } periodKind periodStart periodEnd amountFen }
    errors { field message code }
  }
}
"""

UPDATE = """
mutation Update($id: ID!, $input: SalesTargetUpdateInput!) {
  salesTargetUpdate(id: $id, input: $input) {
    salesTarget { id periodKind periodStart periodEnd amountFen dealer { code } }
    errors { field message code }
  }
}
"""

LIST = """
query List($first: Int!, $after: String, $where: SalesTargetWhereInput, $sortBy: SalesTargetOrder) {
  salesTargets(first: $first, after: $after, where: $where, sortBy: $sortBy) {
    totalCount
    edges { node { periodKind periodStart amountFen dealer { code } store { code } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def create(gql: GraphQL, input: dict[str, Any]) -> dict[str, Any]:
    return data_of(gql(CREATE, {"input": input}))["salesTargetCreate"]


def created(gql: GraphQL, input: dict[str, Any]) -> dict[str, Any]:
    payload = create(gql, input)
    assert payload["errors"] == []
    return payload["salesTarget"]


def target_count(db: Engine) -> int:
    with db.connect() as c:
        return c.scalar(select(func.count()).select_from(SalesTarget))  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("kind", "start", "end"),
    [
        ("MONTH", "2024-02-01", "2024-02-29"),
        ("MONTH", "2023-02-01", "2023-02-28"),
        ("MONTH", "2024-12-01", "2024-12-31"),
        ("QUARTER", "2024-01-01", "2024-03-31"),
        ("QUARTER", "2024-04-01", "2024-06-30"),
        ("QUARTER", "2024-10-01", "2024-12-31"),
        ("YEAR", "2025-01-01", "2025-12-31"),
        ("MONTH", "9999-12-01", "9999-12-31"),  # the last periods a date can hold
        ("QUARTER", "9999-10-01", "9999-12-31"),
        ("YEAR", "9999-01-01", "9999-12-31"),
    ],
)
def test_a_target_period_ends_on_the_last_day_of_its_month_quarter_or_year(
    gql: GraphQL, world: World, kind: str, start: str, end: str
) -> None:
    target = created(
        gql,
        {
            "dealerId": world.dealers["D1"],
            "periodKind": kind,
            "periodStart": start,
            "amountFen": 1_000_000_00,
        },
    )

    assert (target["periodStart"], target["periodEnd"]) == (start, end)
    assert (
        target["ownerKind"] == "DEALER"
        and target["dealer"] == {"code": "D1"}
        and target["store"] is None
    )


@pytest.mark.parametrize(
    ("kind", "start"),
    [
        ("MONTH", "2024-01-15"),
        ("QUARTER", "2024-02-01"),
        ("QUARTER", "2024-04-02"),
        ("YEAR", "2024-04-01"),
        ("YEAR", "2024-01-31"),
    ],
)
def test_a_period_must_start_on_its_first_day(
    gql: GraphQL, world: World, db: Engine, kind: str, start: str
) -> None:
    payload = create(
        gql,
        {"storeId": world.stores["S1"], "periodKind": kind, "periodStart": start, "amountFen": 100},
    )

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("input.periodStart", "INVALID")
    ]
    assert target_count(db) == 0


def test_a_store_target_belongs_to_the_store_only(gql: GraphQL, world: World) -> None:
    target = created(
        gql,
        {
            "storeId": world.stores["S2"],
            "periodKind": "QUARTER",
            "periodStart": "2024-07-01",
            "amountFen": 5,
        },
    )

    assert (
        target["ownerKind"] == "STORE"
        and target["store"] == {"code": "S2"}
        and target["dealer"] is None
    )


@pytest.mark.parametrize(
    ("owner", "field", "code"),
    [
        ({}, "input.dealerId", "REQUIRED"),
        ({"dealerId": "D1", "storeId": "S1"}, "input.storeId", "INVALID"),
        ({"dealerId": global_id("Dealer", 404)}, "input.dealerId", "NOT_FOUND"),
        ({"storeId": global_id("Store", 404)}, "input.storeId", "NOT_FOUND"),
        ({"dealerId": global_id("Store", 1)}, "input.dealerId", "BAD_GLOBAL_ID"),
    ],
)
def test_a_target_needs_exactly_one_existing_owner(
    gql: GraphQL, world: World, db: Engine, owner: dict[str, str], field: str, code: str
) -> None:
    ids = {**world.dealers, **world.stores}
    resolved = {k: ids.get(v, v) for k, v in owner.items()}

    payload = create(
        gql, {**resolved, "periodKind": "MONTH", "periodStart": "2024-01-01", "amountFen": 100}
    )

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert target_count(db) == 0


def test_owner_and_field_errors_are_reported_together(gql: GraphQL) -> None:
    payload = create(gql, {"periodKind": "YEAR", "periodStart": "2024-03-01", "amountFen": -5})

    assert sorted((e["field"], e["code"]) for e in payload["errors"]) == [
        ("input.amountFen", "OUT_OF_RANGE"),
        ("input.dealerId", "REQUIRED"),
        ("input.periodStart", "INVALID"),
    ]


def test_one_target_per_owner_and_period(gql: GraphQL, world: World, db: Engine) -> None:
    month = {"periodKind": "MONTH", "periodStart": "2024-01-01", "amountFen": 100}
    created(gql, {"dealerId": world.dealers["D1"], **month})
    created(gql, {"dealerId": world.dealers["D2"], **month})  # another dealer
    created(gql, {"storeId": world.stores["S1"], **month})  # D1's store: a different owner
    created(
        gql, {"dealerId": world.dealers["D1"], **month, "periodKind": "QUARTER"}
    )  # another period

    payload = create(gql, {"dealerId": world.dealers["D1"], **month, "amountFen": 200})

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("input.periodStart", "DUPLICATE")
    ]
    assert target_count(db) == 4


def test_update_changes_amount_and_period_and_keeps_the_rules(gql: GraphQL, world: World) -> None:
    january = created(
        gql,
        {
            "dealerId": world.dealers["D1"],
            "periodKind": "MONTH",
            "periodStart": "2024-01-01",
            "amountFen": 100,
        },
    )
    february = created(
        gql,
        {
            "dealerId": world.dealers["D1"],
            "periodKind": "MONTH",
            "periodStart": "2024-02-01",
            "amountFen": 100,
        },
    )

    raised = data_of(gql(UPDATE, {"id": january["id"], "input": {"amountFen": 250}}))[
        "salesTargetUpdate"
    ]
    to_quarter = data_of(gql(UPDATE, {"id": january["id"], "input": {"periodKind": "QUARTER"}}))[
        "salesTargetUpdate"
    ]
    bad_quarter = data_of(gql(UPDATE, {"id": february["id"], "input": {"periodKind": "QUARTER"}}))[
        "salesTargetUpdate"
    ]
    onto_quarter = data_of(
        gql(
            UPDATE,
            {"id": february["id"], "input": {"periodKind": "QUARTER", "periodStart": "2024-01-01"}},
        )
    )["salesTargetUpdate"]

    assert raised["salesTarget"]["amountFen"] == 250 and raised["salesTarget"]["dealer"] == {
        "code": "D1"
    }
    assert (to_quarter["salesTarget"]["periodKind"], to_quarter["salesTarget"]["periodEnd"]) == (
        "QUARTER",
        "2024-03-31",
    )
    assert to_quarter["salesTarget"]["amountFen"] == 250
    assert [(e["field"], e["code"]) for e in bad_quarter["errors"]] == [
        ("input.periodStart", "INVALID")
    ]
    assert [(e["field"], e["code"]) for e in onto_quarter["errors"]] == [
        ("input.periodStart", "DUPLICATE")
    ]


def test_update_of_an_unknown_target_or_another_type_is_refused_on_the_id(
    gql: GraphQL, world: World
) -> None:
    unknown = data_of(
        gql(UPDATE, {"id": global_id("SalesTarget", 404), "input": {"amountFen": 1}})
    )["salesTargetUpdate"]
    dealer = data_of(gql(UPDATE, {"id": world.dealers["D1"], "input": {"amountFen": 1}}))[
        "salesTargetUpdate"
    ]

    assert [(e["field"], e["code"]) for e in unknown["errors"]] == [("id", "NOT_FOUND")]
    assert [(e["field"], e["code"]) for e in dealer["errors"]] == [("id", "BAD_GLOBAL_ID")]


@pytest.fixture
def targets(gql: GraphQL, world: World) -> None:
    """D1: Jan month 300, Q1 900; D2: Feb month 200; S1: Jan month 100; S2: year 2024 1200."""
    for owner, kind, start, amount in [
        ({"dealerId": world.dealers["D1"]}, "MONTH", "2024-01-01", 300),
        ({"dealerId": world.dealers["D1"]}, "QUARTER", "2024-01-01", 900),
        ({"dealerId": world.dealers["D2"]}, "MONTH", "2024-02-01", 200),
        ({"storeId": world.stores["S1"]}, "MONTH", "2024-01-01", 100),
        ({"storeId": world.stores["S2"]}, "YEAR", "2024-01-01", 1200),
    ]:
        created(gql, {**owner, "periodKind": kind, "periodStart": start, "amountFen": amount})


def amounts(connection: dict[str, Any]) -> list[int]:
    return [e["node"]["amountFen"] for e in connection["edges"]]


@pytest.mark.parametrize(
    ("where", "sort_by", "expected"),
    [
        (None, {"field": "AMOUNT"}, [100, 200, 300, 900, 1200]),
        (None, {"field": "AMOUNT", "direction": "DESC"}, [1200, 900, 300, 200, 100]),
        (None, None, [300, 900, 100, 1200, 200]),  # by period start, then id
        ({"dealer": ["D1"]}, {"field": "AMOUNT"}, [300, 900]),
        ({"store": ["S1", "S2"]}, {"field": "AMOUNT"}, [100, 1200]),
        ({"periodKind": ["MONTH"]}, {"field": "AMOUNT"}, [100, 200, 300]),
        ({"periodStart": {"gte": "2024-02-01"}}, None, [200]),
        (
            {"periodStart": {"lte": "2024-01-01"}, "dealer": ["D1", "D2"]},
            {"field": "CREATED_AT", "direction": "DESC"},
            [900, 300],
        ),
    ],
)
def test_targets_filter_and_sort(
    gql: GraphQL,
    world: World,
    targets: None,
    where: dict[str, Any] | None,
    sort_by: dict[str, str] | None,
    expected: list[int],
) -> None:
    ids = {"dealer": world.dealers, "store": world.stores}
    resolved = (
        None
        if where is None
        else {k: [ids[k][c] for c in v] if k in ids else v for k, v in where.items()}
    )

    page = data_of(gql(LIST, {"first": 20, "where": resolved, "sortBy": sort_by}))["salesTargets"]

    assert amounts(page) == expected and page["totalCount"] == len(expected)


def test_targets_page_by_cursor(gql: GraphQL, targets: None) -> None:
    first = data_of(gql(LIST, {"first": 2, "sortBy": {"field": "AMOUNT"}}))["salesTargets"]
    rest = data_of(
        gql(
            LIST,
            {"first": 5, "after": first["pageInfo"]["endCursor"], "sortBy": {"field": "AMOUNT"}},
        )
    )["salesTargets"]

    assert amounts(first) == [100, 200] and first["pageInfo"]["hasNextPage"]
    assert amounts(rest) == [300, 900, 1200] and not rest["pageInfo"]["hasNextPage"]
