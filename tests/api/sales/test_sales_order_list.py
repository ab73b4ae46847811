"""Listing sales orders: filters, sorting, keyset paging, nested objects in bounded statements."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, update

from api.relay import decode_id
from engine.store.sales import SalesOrder
from tests.api.sales.conftest import World
from tests.conftest import GraphQL, data_of

CREATE = """
mutation Create($input: SalesOrderCreateInput!) {
  salesOrderCreate(input: $input) { salesOrder { id orderNo } errors { field code } }
}
"""

CANCEL = """
mutation Cancel($id: ID!) {
  salesOrderCancel(id: $id) { salesOrder { status } errors { field code } }
}
"""

LIST = """
query List($first: Int!, $after: String, $where: SalesOrderWhereInput, $sortBy: SalesOrderOrder) {
  salesOrders(first: $first, after: $after, where: $where, sortBy: $sortBy) {
    totalCount
    edges {
      cursor
      node {
        orderNo status totalFen placedAt
        dealer { code }
        store { code }
        lines { lineNo product { model } }
        history { toStatus at }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

T0 = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)


def place(
    gql: GraphQL, world: World, order_no: str, dealer: str, quantity: int, store: str | None = None
) -> str:
    input: dict[str, Any] = {
        "dealerId": world.dealers[dealer],
        "orderNo": order_no,
        "lines": [
            {"productId": world.products["XQG100"], "quantity": quantity},
            {"productId": world.products["BCD-520"], "quantity": 1},
        ],
    }
    if store:
        input["storeId"] = world.stores[store]
    payload = data_of(gql(CREATE, {"input": input}))["salesOrderCreate"]
    assert payload["errors"] == []
    return payload["salesOrder"]["id"]


def set_placed_at(db: Engine, order_id: str, at: datetime) -> None:
    with db.begin() as c:
        c.execute(
            update(SalesOrder).where(SalesOrder.id == decode_id(order_id)[1]).values(placed_at=at)
        )


@pytest.fixture
def orders(gql: GraphQL, world: World, db: Engine) -> dict[str, str]:
    """Five orders, placed an hour apart from T0 in this order: A1 (D1, S1), A2 (D1), B1 (D2, S2),
    B2 (D2, cancelled), A3 (D1, S1); quantities 3, 1, 5, 2, 1 (A2 and A3 have equal totals)."""
    rows = [
        ("A1", "D1", 3, "S1"),
        ("A2", "D1", 1, None),
        ("B1", "D2", 5, "S2"),
        ("B2", "D2", 2, None),
        ("A3", "D1", 1, "S1"),
    ]
    ids = {}
    for hour, (no, dealer, quantity, store) in enumerate(rows):
        ids[no] = place(gql, world, no, dealer, quantity, store)
        set_placed_at(db, ids[no], T0 + timedelta(hours=hour))
    assert data_of(gql(CANCEL, {"id": ids["B2"]}))["salesOrderCancel"]["errors"] == []
    return ids


def numbers(connection: dict[str, Any]) -> list[str]:
    return [e["node"]["orderNo"] for e in connection["edges"]]


def listed(gql: GraphQL, **variables: Any) -> dict[str, Any]:
    return data_of(gql(LIST, {"first": 20, **variables}))["salesOrders"]


def test_orders_are_newest_first_by_default_with_their_nested_objects(
    gql: GraphQL, orders: dict[str, str]
) -> None:
    page = listed(gql)

    assert numbers(page) == ["A3", "B2", "B1", "A2", "A1"] and page["totalCount"] == 5
    first = page["edges"][-1]["node"]
    assert first["dealer"] == {"code": "D1"} and first["store"] == {"code": "S1"}
    assert [(l["lineNo"], l["product"]["model"]) for l in first["lines"]] == [
        (1, "XQG100"),
        (2, "BCD-520"),
    ]
    assert datetime.fromisoformat(first["placedAt"]) == T0
    assert [e["toStatus"] for e in page["edges"][1]["node"]["history"]] == ["PLACED", "CANCELLED"]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"status": ["CANCELLED"]}, ["B2"]),
        ({"status": ["PLACED", "APPROVED"]}, ["A3", "B1", "A2", "A1"]),
        ({"dealer": ["D2"]}, ["B2", "B1"]),
        ({"store": ["S1"]}, ["A3", "A1"]),
        ({"dealer": ["D1"], "store": ["S2"]}, []),
        (
            {"placedAt": {"gte": "2024-03-01T03:00:00+00:00", "lt": "2024-03-01T05:00:00+00:00"}},
            ["B1", "A2"],
        ),
        ({"placedAt": {"gte": "2024-03-01T13:00:00+08:00"}}, ["A3", "B2"]),  # 05:00 UTC
        ({"orderNo": "A2"}, ["A2"]),
    ],
)
def test_where_filters_combine(
    gql: GraphQL, world: World, orders: dict[str, str], where: dict[str, Any], expected: list[str]
) -> None:
    ids = {"dealer": world.dealers, "store": world.stores}
    resolved = {k: [ids[k][code] for code in v] if k in ids else v for k, v in where.items()}

    page = listed(gql, where=resolved)

    assert numbers(page) == expected and page["totalCount"] == len(expected)


@pytest.mark.parametrize(
    ("sort_by", "expected"),
    [
        ({"field": "TOTAL"}, ["A2", "A3", "B2", "A1", "B1"]),  # A2 and A3 tie: by id
        ({"field": "TOTAL", "direction": "DESC"}, ["B1", "A1", "B2", "A3", "A2"]),
        ({"field": "ORDER_NO"}, ["A1", "A2", "A3", "B1", "B2"]),
        ({"field": "PLACED_AT"}, ["A1", "A2", "B1", "B2", "A3"]),
        ({"field": "CREATED_AT", "direction": "DESC"}, ["A3", "B2", "B1", "A2", "A1"]),
    ],
)
def test_sort_orders_by_each_field_and_page_through_them_by_cursor(
    gql: GraphQL, orders: dict[str, str], sort_by: dict[str, str], expected: list[str]
) -> None:
    seen: list[str] = []
    after = None
    for _ in range(3):
        page = listed(gql, first=2, after=after, sortBy=sort_by)
        seen += numbers(page)
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break

    assert seen == expected


def test_bad_filter_ids_and_naive_times_are_client_errors(
    gql: GraphQL, world: World, orders: dict[str, str]
) -> None:
    store_as_dealer = gql(LIST, {"first": 5, "where": {"dealer": [world.stores["S1"]]}})
    naive = gql(LIST, {"first": 5, "where": {"placedAt": {"gte": "2024-03-01T00:00:00"}}})

    assert store_as_dealer["errors"][0]["extensions"] == {
        "code": "BAD_GLOBAL_ID",
        "field": "where.dealer",
    }
    assert naive["errors"][0]["extensions"] == {"code": "INVALID", "field": "where.placedAt"}


@pytest.fixture
def statements(db: Engine) -> Iterator[list[str]]:
    """Every SQL statement any engine runs while the test counts."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    yield seen
    event.remove(Engine, "before_cursor_execute", count)


def test_a_page_costs_the_same_statements_whatever_its_length(
    gql: GraphQL, world: World, statements: list[str]
) -> None:
    for i in range(12):
        place(gql, world, f"N{i:02d}", "D1" if i % 2 else "D2", 1 + i, "S1" if i % 2 else None)

    statements.clear()
    short = listed(gql, first=3)
    short_count = len(statements)
    statements.clear()
    long = listed(gql, first=12)
    long_count = len(statements)

    assert len(short["edges"]) == 3 and len(long["edges"]) == 12
    assert long_count == short_count <= 8, statements
