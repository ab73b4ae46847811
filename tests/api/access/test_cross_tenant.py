"""A dealer cannot read or change another dealer's objects through any path: node lookups,
connections and their counts, filters, nested fields and mutations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from engine.access.permissions import Role
from engine.store.channel import Dealer, Store
from engine.store.sales import SalesOrder, SalesOrderEvent, SalesOrderLine, SalesTarget
from tests.api.access.tenants import (
    TREE_A,
    TREE_B,
    DealerTrees,
    Post,
    acting_as,
    seed_dealer_trees,
    snapshot,
)
from tests.api.service.arrange import pk_of
from tests.conftest import data_of, make_api_key

NODE = "query Node($id: ID!) { node(id: $id) { __typename id } }"
NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
DEALERS = """
query Dealers($where: DealerWhereInput) {
  dealers(first: 100, where: $where) {
    totalCount
    edges { node { id code parent { code } children { code } stores { code } } }
  }
}
"""
STORES = """
query Stores($where: StoreWhereInput) {
  stores(first: 100, where: $where) { totalCount edges { node { id code dealer { code } } } }
}
"""
SALES_ORDERS = """
query Orders($where: SalesOrderWhereInput) {
  salesOrders(first: 100, where: $where) {
    totalCount
    edges { node { id orderNo dealer { code } store { code } lines { product { model } } } }
  }
}
"""
SALES_TARGETS = """
query Targets($where: SalesTargetWhereInput) {
  salesTargets(first: 100, where: $where) { totalCount edges { node { id dealer { code } store { code } } } }
}
"""
STORE_CREATE = """
mutation StoreCreate($input: StoreCreateInput!) {
  storeCreate(input: $input) { store { id } errors { field code message } }
}
"""
STORE_UPDATE = """
mutation StoreUpdate($id: ID!, $input: StoreUpdateInput!) {
  storeUpdate(id: $id, input: $input) { store { id } errors { field code message } }
}
"""
ORDER_CREATE = """
mutation OrderCreate($input: SalesOrderCreateInput!) {
  salesOrderCreate(input: $input) { salesOrder { id } errors { field code message } }
}
"""
ORDER_UPDATE = """
mutation OrderUpdate($id: ID!, $input: SalesOrderUpdateInput!) {
  salesOrderUpdate(id: $id, input: $input) { salesOrder { id } errors { field code message } }
}
"""
ORDER_CANCEL = """
mutation OrderCancel($id: ID!) { salesOrderCancel(id: $id) { salesOrder { id } errors { field code message } } }
"""
ORDER_SIGN = """
mutation OrderSign($id: ID!) { salesOrderSign(id: $id) { salesOrder { id } errors { field code message } } }
"""

CONNECTIONS = {"dealers": DEALERS, "stores": STORES, "salesOrders": SALES_ORDERS, "salesTargets": SALES_TARGETS}
# The kind of DealerTrees.of_tree each connection lists.
KIND_OF = {"dealers": "dealers", "stores": "stores", "salesOrders": "orders", "salesTargets": "targets"}
SALES_TABLES = (Dealer, Store, SalesOrder, SalesOrderLine, SalesOrderEvent, SalesTarget)


@pytest.fixture
def trees(client: TestClient, db: Engine) -> DealerTrees:
    return seed_dealer_trees(db)


def dealer_key(client: TestClient, db: Engine, trees: DealerTrees, code: str) -> Post:
    return acting_as(client, make_api_key(db, [Role.DEALER], dealer_id=pk_of(trees.dealers[code])))


def listed(body: dict[str, Any], field: str) -> tuple[set[str], int]:
    connection = data_of(body)[field]
    return {e["node"]["id"] for e in connection["edges"]}, connection["totalCount"]


@pytest.mark.parametrize("field", CONNECTIONS)
def test_connections_list_and_count_exactly_the_dealers_subtree(client: TestClient, db: Engine, trees: DealerTrees, field: str) -> None:
    # given a key for dealer A, the top of tree A
    as_a = dealer_key(client, db, trees, "A")

    # when it lists the connection without a filter
    ids, total = listed(as_a(CONNECTIONS[field]), field)

    # then it sees every object of tree A, none of tree B, and the count agrees
    expected = set(trees.of_tree(TREE_A)[KIND_OF[field]])
    assert ids == expected
    assert total == len(expected)


@pytest.mark.parametrize("field", CONNECTIONS)
def test_a_sub_dealer_sees_its_own_subtree_but_not_its_parent(client: TestClient, db: Engine, trees: DealerTrees, field: str) -> None:
    # given a key for A1, a sub-dealer of A
    as_a1 = dealer_key(client, db, trees, "A1")

    # when it lists the connection
    ids, total = listed(as_a1(CONNECTIONS[field]), field)

    # then only A1 and A11 and their objects: not A's, not B's
    expected = set(trees.of_tree(("A1", "A11"))[KIND_OF[field]])
    assert ids == expected and total == len(expected)


def test_node_and_nodes_with_another_trees_ids_return_null(client: TestClient, db: Engine, trees: DealerTrees) -> None:
    # given dealer A's key and the global ids of every object of tree B
    as_a = dealer_key(client, db, trees, "A")
    foreign = [gid for ids in trees.of_tree(TREE_B).values() for gid in ids]
    own = trees.dealers["A11"]

    # when it asks for each of them by id, and for all of them at once beside one of its own
    one_by_one = [data_of(as_a(NODE, {"id": gid}))["node"] for gid in foreign]
    together = data_of(as_a(NODES, {"ids": [own, *foreign]}))["nodes"]

    # then it gets null, exactly as for an id that does not exist
    assert one_by_one == [None] * len(foreign)
    assert together == [{"__typename": "Dealer", "id": own}] + [None] * len(foreign)


def test_a_sub_dealer_cannot_read_its_parent_by_id(client: TestClient, db: Engine, trees: DealerTrees) -> None:
    # given A1's key
    as_a1 = dealer_key(client, db, trees, "A1")

    # when it asks for A, A's store and A's order by id
    found = [data_of(as_a1(NODE, {"id": gid}))["node"] for gid in (trees.dealers["A"], trees.stores["S-A"], trees.orders["SO-A-P"])]

    # then none of them is found
    assert found == [None, None, None]


# Filters naming objects of tree B: name -> (connection, the `where` argument).
FILTERS: dict[str, tuple[str, Callable[[DealerTrees], dict[str, Any]]]] = {
    "dealers whose parent is B": ("dealers", lambda t: {"parent": t.dealers["B"]}),
    "dealers coded B1": ("dealers", lambda t: {"code": "B1"}),
    "stores of B and B1": ("stores", lambda t: {"dealer": [t.dealers["B"], t.dealers["B1"]]}),
    "stores coded S-B": ("stores", lambda t: {"code": "S-B"}),
    "orders of B and B1": ("salesOrders", lambda t: {"dealer": [t.dealers["B"], t.dealers["B1"]]}),
    "orders for store S-B": ("salesOrders", lambda t: {"store": [t.stores["S-B"]]}),
    "orders numbered SO-B-P": ("salesOrders", lambda t: {"orderNo": "SO-B-P"}),
    "targets of B": ("salesTargets", lambda t: {"dealer": [t.dealers["B"]]}),
    "targets of stores S-B and S-B1": ("salesTargets", lambda t: {"store": [t.stores["S-B"], t.stores["S-B1"]]}),
}


@pytest.mark.parametrize("name", FILTERS)
def test_filters_naming_another_trees_objects_find_nothing(client: TestClient, db: Engine, trees: DealerTrees, name: str) -> None:
    # given dealer A's key, and a filter naming objects of tree B (which an admin finds)
    as_a = dealer_key(client, db, trees, "A")
    as_admin = acting_as(client, client.headers["X-API-Key"])
    field, where = FILTERS[name]
    variables = {"where": where(trees)}
    assert listed(as_admin(CONNECTIONS[field], variables), field)[0]

    # when A lists with that filter
    ids, total = listed(as_a(CONNECTIONS[field], variables), field)

    # then nothing is listed or counted
    assert (ids, total) == (set(), 0)


def test_nested_fields_of_a_sub_dealer_stay_inside_its_subtree(client: TestClient, db: Engine, trees: DealerTrees) -> None:
    # given A1's key
    as_a1 = dealer_key(client, db, trees, "A1")

    # when it reads dealers with their parent, children and stores, stores with their dealer,
    # and orders with their dealer and store
    dealers = {e["node"]["code"]: e["node"] for e in data_of(as_a1(DEALERS))["dealers"]["edges"]}
    stores = [e["node"] for e in data_of(as_a1(STORES))["stores"]["edges"]]
    orders = [e["node"] for e in data_of(as_a1(SALES_ORDERS))["salesOrders"]["edges"]]
    targets = [e["node"] for e in data_of(as_a1(SALES_TARGETS))["salesTargets"]["edges"]]

    # then the parent A (outside the subtree) is null, and every nested object is inside
    assert dealers["A1"]["parent"] is None
    assert dealers["A11"]["parent"] == {"code": "A1"}
    assert dealers["A1"]["children"] == [{"code": "A11"}]
    assert dealers["A1"]["stores"] == [{"code": "S-A1"}]
    assert {s["dealer"]["code"] for s in stores} == {"A1", "A11"}
    assert {o["dealer"]["code"] for o in orders} == {"A1", "A11"}
    assert {o["store"]["code"] for o in orders if o["store"]} == {"S-A1", "S-A11"}
    assert {t["dealer"]["code"] for t in targets if t["dealer"]} == {"A1", "A11"}
    assert {t["store"]["code"] for t in targets if t["store"]} == {"S-A1", "S-A11"}


def test_the_top_dealers_children_never_include_another_tree(client: TestClient, db: Engine, trees: DealerTrees) -> None:
    # given A's key
    as_a = dealer_key(client, db, trees, "A")

    # when it reads its tree through nested fields
    dealers = {e["node"]["code"]: e["node"] for e in data_of(as_a(DEALERS))["dealers"]["edges"]}

    # then the tree is A -> A1 -> A11 and nothing else, each parent inside it
    assert {code: [c["code"] for c in d["children"]] for code, d in dealers.items()} == {"A": ["A1"], "A1": ["A11"], "A11": []}
    assert {code: d["parent"] for code, d in dealers.items()} == {"A": None, "A1": {"code": "A"}, "A11": {"code": "A1"}}


STORE_INPUT = {"code": "S-NEW", "name": "新门店", "regionCode": "310115", "address": "上海市", "latitude": 31.2,
               "longitude": 121.4, "manager": "王芳", "phone": "021-5555-0199"}


@dataclass(frozen=True)
class Attempt:
    """A mutation by dealer A: its variables aimed at tree B (refused, NOT_FOUND on `fields`), and
    the same aimed at A's own tree (carried out), which shows the refusal is the scope's doing."""

    document: str
    foreign: dict[str, Any]
    fields: list[str]
    own: dict[str, Any]


def _attempts(t: DealerTrees) -> dict[str, Attempt]:
    def lines() -> list[dict[str, Any]]:
        return [{"productId": t.product, "quantity": 2}]

    return {
        "storeUpdate of B's store": Attempt(
            STORE_UPDATE, {"id": t.stores["S-B"], "input": {"name": "改名"}}, ["id"],
            {"id": t.stores["S-A11"], "input": {"name": "改名"}}),
        "storeUpdate moving A's store under B": Attempt(
            STORE_UPDATE, {"id": t.stores["S-A"], "input": {"dealerId": t.dealers["B1"]}}, ["input.dealerId"],
            {"id": t.stores["S-A"], "input": {"dealerId": t.dealers["A11"]}}),
        "storeCreate under B": Attempt(
            STORE_CREATE, {"input": {**STORE_INPUT, "dealerId": t.dealers["B"]}}, ["input.dealerId"],
            {"input": {**STORE_INPUT, "dealerId": t.dealers["A11"]}}),
        "salesOrderCreate for B": Attempt(
            ORDER_CREATE, {"input": {"dealerId": t.dealers["B"], "lines": lines()}}, ["input.dealerId"],
            {"input": {"dealerId": t.dealers["A11"], "lines": lines()}}),
        "salesOrderCreate for B and B's store": Attempt(
            ORDER_CREATE, {"input": {"dealerId": t.dealers["B1"], "storeId": t.stores["S-B1"], "lines": lines()}},
            ["input.dealerId", "input.storeId"],
            {"input": {"dealerId": t.dealers["A1"], "storeId": t.stores["S-A1"], "lines": lines()}}),
        "salesOrderCreate for A at B's store": Attempt(
            ORDER_CREATE, {"input": {"dealerId": t.dealers["A"], "storeId": t.stores["S-B"], "lines": lines()}},
            ["input.storeId"],
            {"input": {"dealerId": t.dealers["A"], "storeId": t.stores["S-A"], "lines": lines()}}),
        "salesOrderUpdate of B's order": Attempt(
            ORDER_UPDATE, {"id": t.orders["SO-B-P"], "input": {"note": "改"}}, ["id"],
            {"id": t.orders["SO-A11-P"], "input": {"note": "改"}}),
        "salesOrderUpdate moving A's order to B's store": Attempt(
            ORDER_UPDATE, {"id": t.orders["SO-A-P"], "input": {"storeId": t.stores["S-B"]}}, ["input.storeId"],
            {"id": t.orders["SO-A-P"], "input": {"storeId": t.stores["S-A"]}}),
        "salesOrderCancel of B's order": Attempt(
            ORDER_CANCEL, {"id": t.orders["SO-B1-P"]}, ["id"], {"id": t.orders["SO-A11-P"]}),
        "salesOrderSign of B's order": Attempt(
            ORDER_SIGN, {"id": t.orders["SO-B-D"]}, ["id"], {"id": t.orders["SO-A11-D"]}),
    }


ATTEMPTS = [
    "storeUpdate of B's store",
    "storeUpdate moving A's store under B",
    "storeCreate under B",
    "salesOrderCreate for B",
    "salesOrderCreate for B and B's store",
    "salesOrderCreate for A at B's store",
    "salesOrderUpdate of B's order",
    "salesOrderUpdate moving A's order to B's store",
    "salesOrderCancel of B's order",
    "salesOrderSign of B's order",
]


def payload_of(body: dict[str, Any]) -> dict[str, Any]:
    """The payload of the one mutation field in a response."""
    (payload,) = data_of(body).values()
    return payload


@pytest.mark.parametrize("name", ATTEMPTS)
def test_mutations_on_another_trees_objects_are_not_found_and_change_nothing(
    client: TestClient, db: Engine, trees: DealerTrees, name: str
) -> None:
    # given dealer A's key, a mutation aimed at tree B, and every sales row as it is
    as_a = dealer_key(client, db, trees, "A")
    attempt = _attempts(trees)[name]
    before = snapshot(db, *SALES_TABLES)

    # when A sends it
    errors = payload_of(as_a(attempt.document, attempt.foreign))["errors"]

    # then it is refused exactly as for an id that does not exist, and no row changed
    assert [(e["field"], e["code"]) for e in errors] == [(f, "NOT_FOUND") for f in attempt.fields]
    assert all(e["message"].endswith("does not exist") for e in errors)
    assert snapshot(db, *SALES_TABLES) == before


@pytest.mark.parametrize("name", ATTEMPTS)
def test_the_same_mutations_within_its_own_tree_succeed(client: TestClient, db: Engine, trees: DealerTrees, name: str) -> None:
    # given dealer A's key and the same mutation aimed at A's own tree
    as_a = dealer_key(client, db, trees, "A")
    attempt = _attempts(trees)[name]

    # when A sends it
    errors = payload_of(as_a(attempt.document, attempt.own))["errors"]

    # then it is carried out
    assert errors == []
