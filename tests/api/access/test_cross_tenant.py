"""A dealer cannot read or change another dealer's objects through any path: node lookups,
connections and their counts, filters, nested fields and mutations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from api.relay import global_id
from engine.access.permissions import Role
from engine.store.base import Base
from engine.store.channel import Dealer, Store
from engine.store.dealer_reports import DealerPayment, PriceViolation, SellOutReport, StockReport
from engine.store.rules import RuleSet, RuleSetVersion
from engine.store.sales import SalesOrder, SalesOrderEvent, SalesOrderLine, SalesTarget
from engine.store.settlements import (
    PriceChange,
    PriceProtectionClaim,
    SettlementStatement,
    StatementItem,
    StatementLine,
)
from schemas.dealer_reports import SellOutBuyer
from schemas.rebates import ClaimStatus, SettlementForm, StatementKind, StatementStage, StatementStatus
from schemas.rules import RuleSetKind, RuleSetStatus
from tests.api.access.tenants import (
    PARENTS,
    PRICE_FEN,
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


# --- settlements and dealers' reports -------------------------------------------------------------
SETTLEMENT_CONNECTIONS = {
    "settlementStatements": "settlementStatements(first: 100) { totalCount edges { node { id dealer { code } "
                            "items { lines { order { orderNo } claim { claimNo } } } } } }",
    "priceProtectionClaims": "priceProtectionClaims(first: 100) { totalCount edges { node { id dealer { code } "
                             "priceChange { changeNo } statement { statementNo } } } }",
    "dealerPayments": "dealerPayments(first: 100) { totalCount edges { node { id dealer { code } order { orderNo } } } }",
    "stockReports": "stockReports(first: 100) { totalCount edges { node { id dealer { code } } } }",
    "sellOutReports": "sellOutReports(first: 100) { totalCount edges { node { id dealer { code } store { code } } } }",
    "priceViolations": "priceViolations(first: 100) { totalCount edges { node { id dealer { code } } } }",
}


@pytest.fixture
def records(trees: DealerTrees, db: Engine) -> dict[str, dict[str, str]]:
    """Per connection, the global id of each dealer's one row: a statement (its line naming the
    dealer's delivered order, another its claim), a claim on one price change, a payment for the
    delivered order, a stock and a sell-out report (to its store), a price violation."""
    at = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    product = pk_of(trees.product)
    found: dict[str, dict[str, str]] = {field: {} for field in SETTLEMENT_CONNECTIONS}
    with Session(db) as session, session.begin():
        rule_set = RuleSet(key="prices", kind=RuleSetKind.PRICING, name="prices", created_by="tests")
        session.add(rule_set)
        session.flush()
        version = RuleSetVersion(rule_set_id=rule_set.id, version=1, status=RuleSetStatus.PUBLISHED, document={},
                                 digest="0" * 64, author="tests")
        session.add(version)
        session.flush()
        change = PriceChange(change_no="PC-1", rule_set_version_id=version.id, effective_at=at, published_by="tests")
        session.add(change)
        session.flush()
        for code in PARENTS:
            dealer_id, order_id = pk_of(trees.dealers[code]), pk_of(trees.orders[f"SO-{code}-D"])
            claim = PriceProtectionClaim(
                claim_no=f"PPC-{code}", price_change_id=change.id, dealer_id=dealer_id, product_id=product,
                rule_set="protection", rule_set_version=1, rule_id="pp", old_price_fen=800_00, new_price_fen=700_00,
                received_units=1, on_hand_units=1, eligible_units=1, credit_fen=100_00,
                settlement_form=SettlementForm.CREDIT, deadline=at, status=ClaimStatus.SUBMITTED)
            statement = SettlementStatement(
                statement_no=f"DR-{code}", kind=StatementKind.DEALER_REBATE, stage=StatementStage.FINAL,
                status=StatementStatus.DRAFT, dealer_id=dealer_id, scope_key="month:2025-03-01",
                settlement_form=SettlementForm.CASH, amount_fen=15_00, as_of=at, computed_by="tests",
                items=[StatementItem(item_no=1, rule_set="rebates", rule_set_version=1, digest="0" * 64, rule_id="r",
                                     policy_name="r", volume=Decimal(PRICE_FEN), measure=Decimal(PRICE_FEN),
                                     amount_fen=15_00)])
            rows: dict[str, Base] = {
                "priceProtectionClaims": claim,
                "settlementStatements": statement,
                "dealerPayments": DealerPayment(payment_no=f"PAY-{code}", dealer_id=dealer_id, order_id=order_id,
                                                amount_fen=PRICE_FEN, received_at=at),
                "stockReports": StockReport(dealer_id=dealer_id, product_id=product, as_of=date(2025, 3, 10),
                                            on_hand=3),
                "sellOutReports": SellOutReport(dealer_id=dealer_id, product_id=product, sold_on=date(2025, 3, 10),
                                                quantity=1, buyer=SellOutBuyer.STORE,
                                                store_id=pk_of(trees.stores[f"S-{code}"])),
                "priceViolations": PriceViolation(dealer_id=dealer_id, observed_at=at, note="低价"),
            }
            session.add_all(rows.values())
            session.flush()
            item_id = statement.items[0].id
            session.add_all([StatementLine(item_id=item_id, order_id=order_id, amount_fen=PRICE_FEN, quantity=1),
                             StatementLine(item_id=item_id, claim_id=claim.id, amount_fen=100_00, quantity=1)])
            for field, row in rows.items():
                found[field][code] = global_id(type(row).__name__, row.id)
    return found


@pytest.mark.parametrize("field", SETTLEMENT_CONNECTIONS)
@pytest.mark.parametrize(("dealer", "tree"), [("A", TREE_A), ("A1", ("A1", "A11"))])
def test_settlement_connections_list_and_count_exactly_the_dealers_subtree(
    client: TestClient, db: Engine, trees: DealerTrees, records: dict[str, dict[str, str]], field: str, dealer: str,
    tree: tuple[str, ...],
) -> None:
    # given a dealer's key, and one row of the connection for every dealer of both trees
    as_dealer = dealer_key(client, db, trees, dealer)

    # when it lists the connection
    ids, total = listed(as_dealer(f"{{ {SETTLEMENT_CONNECTIONS[field]} }}"), field)

    # then it lists and counts its subtree's rows only
    expected = {records[field][code] for code in tree}
    assert (ids, total) == (expected, len(expected))


def test_settlement_nested_fields_stay_inside_the_subtree(client: TestClient, db: Engine, trees: DealerTrees,
                                                          records: dict[str, dict[str, str]]) -> None:
    # given A1's key
    as_a1 = dealer_key(client, db, trees, "A1")

    # when it reads its statements' lines, its claims' price change, its payments' orders and reports' stores
    body = {field: [e["node"] for e in data_of(as_a1(f"{{ {query} }}"))[field]["edges"]]
            for field, query in SETTLEMENT_CONNECTIONS.items()}

    # then every nested object is its own tree's, and the price change that raised its claims is seen
    lines = [line for s in body["settlementStatements"] for item in s["items"] for line in item["lines"]]
    assert sorted(line["order"]["orderNo"] for line in lines if line["order"]) == ["SO-A1-D", "SO-A11-D"]
    assert sorted(line["claim"]["claimNo"] for line in lines if line["claim"]) == ["PPC-A1", "PPC-A11"]
    assert {c["priceChange"]["changeNo"] for c in body["priceProtectionClaims"]} == {"PC-1"}
    assert sorted(p["order"]["orderNo"] for p in body["dealerPayments"]) == ["SO-A1-D", "SO-A11-D"]
    assert sorted(r["store"]["code"] for r in body["sellOutReports"]) == ["S-A1", "S-A11"]


def test_node_lookups_of_another_trees_settlement_rows_return_null(client: TestClient, db: Engine, trees: DealerTrees,
                                                                   records: dict[str, dict[str, str]]) -> None:
    # given dealer A's key and the ids of every settlement row of tree B
    as_a = dealer_key(client, db, trees, "A")
    foreign = [ids[code] for ids in records.values() for code in TREE_B]

    # when it asks for them all at once
    found = data_of(as_a(NODES, {"ids": foreign}))["nodes"]

    # then none is found
    assert found == [None] * len(foreign)
