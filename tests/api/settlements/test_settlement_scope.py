"""A dealer sees only its own tree's settlements and reports, through lists, counts, node lookups and
nested fields, and reports stock and sell-out for its own tree only."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from engine import clock
from engine.access.permissions import Role
from engine.store.dealer_reports import SellOutReport, StockReport
from tests.api.access.tenants import Post, acting_as, snapshot
from tests.api.service.arrange import pk_of
from tests.api.settlements.arrange import (
    PAYMENT_RECORD,
    SELL_OUT_REPORT,
    SETTLEMENT_RUN,
    STATEMENTS,
    STOCK_REPORT,
    approved_order,
    codes,
    created,
    dealer,
    payload,
    product,
    published_policy,
    store,
)
from tests.api.settlements.test_rebate_settlement_flow import BANDS
from tests.conftest import GraphQL, data_of, make_api_key

NODE = "query Node($id: ID!) { node(id: $id) { __typename id } }"
PAYMENTS = """
query Payments { dealerPayments(first: 100) { totalCount edges { node { id dealer { code } order { orderNo } } } } }
"""
STOCK = "query Stock { stockReports(first: 100) { totalCount edges { node { dealer { code } onHand } } } }"


@pytest.fixture
def world(gql: GraphQL) -> dict[str, Any]:
    """Dealer A with sub-dealer A1, and dealer B, each with a store, an approved order of one air
    conditioner, a payment for it, and the month's draft accrual."""
    dealers: dict[str, str] = {}
    for code, parent in (("A", None), ("A1", "A"), ("B", None)):
        dealers[code] = dealer(gql, code, parent=None if parent is None else dealers[parent])
    ac = product(gql, "KFR-35GW", 100_00)
    stores = {code: store(gql, f"S-{code}", pk) for code, pk in dealers.items()}
    for pk in dealers.values():
        order = approved_order(gql, pk, [(ac, 1)])
        created(gql, PAYMENT_RECORD, "dealerPayment", dealerId=pk, orderId=order["id"], amountFen=100_00,
                receivedAt=clock.now().isoformat())
    published_policy(gql, "dealer-bands", "REBATE", BANDS)
    start = clock.today().replace(day=1).isoformat()
    run = payload(gql(SETTLEMENT_RUN, {"input": {"period": {"kind": "MONTH", "start": start}}}))["run"]
    statements = {s["dealer"]["code"]: s["id"] for s in run["statements"]}
    return {"dealers": dealers, "stores": stores, "product": ac, "statements": statements}


def as_dealer(client: TestClient, db: Engine, world: dict[str, Any], code: str) -> Post:
    return acting_as(client, make_api_key(db, [Role.DEALER], dealer_id=pk_of(world["dealers"][code])))


def test_a_dealer_lists_and_counts_only_its_trees_statements(client: TestClient, db: Engine,
                                                            world: dict[str, Any]) -> None:
    # given the statements of A, A1 and B, and A's key
    as_a = as_dealer(client, db, world, "A")

    # when A lists every statement, then asks for B's by name and by id
    everything = data_of(as_a(STATEMENTS))["settlementStatements"]
    filtered = data_of(as_a(STATEMENTS, {"where": {"dealer": [world["dealers"]["B"]]}}))["settlementStatements"]
    by_id = data_of(as_a(NODE, {"id": world["statements"]["B"]}))["node"]

    # then it sees its own and its sub-dealer's, with their items and lines, and nothing of B
    codes_seen = sorted(e["node"]["dealer"]["code"] for e in everything["edges"])
    assert (codes_seen, everything["totalCount"]) == (["A", "A1"], 2)
    assert all(e["node"]["items"][0]["lines"][0]["order"] for e in everything["edges"])
    assert (filtered["totalCount"], filtered["edges"], by_id) == (0, [], None)


def test_a_sub_dealer_sees_neither_its_parents_nor_another_trees_statements(client: TestClient, db: Engine,
                                                                          world: dict[str, Any]) -> None:
    # given A1's key
    as_a1 = as_dealer(client, db, world, "A1")

    # when it lists statements and payments, and asks for A's statement by id
    statements = data_of(as_a1(STATEMENTS))["settlementStatements"]
    payments = data_of(as_a1(PAYMENTS))["dealerPayments"]
    parent = data_of(as_a1(NODE, {"id": world["statements"]["A"]}))["node"]

    # then only A1's own
    assert [e["node"]["dealer"]["code"] for e in statements["edges"]] == ["A1"]
    assert ([e["node"]["dealer"]["code"] for e in payments["edges"]], payments["totalCount"]) == (["A1"], 1)
    assert parent is None


def test_a_dealer_reports_stock_for_its_tree_and_another_dealer_is_not_found(client: TestClient, db: Engine,
                                                                            world: dict[str, Any]) -> None:
    # given A's key and a stock batch
    as_a = as_dealer(client, db, world, "A")
    rows = [{"productId": world["product"], "onHand": 7}]
    day = clock.today().isoformat()
    before = snapshot(db, StockReport)

    # when A reports for B, then for its sub-dealer A1
    foreign = payload(as_a(STOCK_REPORT, {"input": {"dealerId": world["dealers"]["B"], "asOf": day, "rows": rows}}))
    unchanged = snapshot(db, StockReport)
    own = payload(as_a(STOCK_REPORT, {"input": {"dealerId": world["dealers"]["A1"], "asOf": day, "rows": rows}}))

    # then B is refused exactly as a dealer that does not exist, A1's report is stored and listed
    assert (foreign["stockReports"], codes(foreign)) == (None, [("input.dealerId", "NOT_FOUND")])
    assert unchanged == before
    assert codes(own) == [] and [(r["dealer"]["code"], r["onHand"]) for r in own["stockReports"]] == [("A1", 7)]
    assert data_of(as_a(STOCK))["stockReports"]["totalCount"] == 1


def test_a_dealer_cannot_name_another_trees_store_in_its_sell_out(client: TestClient, db: Engine,
                                                                 world: dict[str, Any]) -> None:
    # given A's key, and a sale of A's to B's store
    as_a = as_dealer(client, db, world, "A")
    row = {"productId": world["product"], "soldOn": clock.today().isoformat(), "quantity": 2, "buyer": "STORE"}
    before = snapshot(db, SellOutReport)

    # when A reports it, then the same sale to its own store
    foreign = payload(as_a(SELL_OUT_REPORT, {"input": {"dealerId": world["dealers"]["A"],
                                                       "rows": [{**row, "storeCode": "S-B"}]}}))
    unchanged = snapshot(db, SellOutReport)
    own = payload(as_a(SELL_OUT_REPORT, {"input": {"dealerId": world["dealers"]["A"],
                                                   "rows": [{**row, "storeCode": "S-A"}]}}))

    # then B's store is unknown to A and nothing was stored; its own store is accepted
    assert codes(foreign) == [("input.rows.0.storeCode", "NOT_FOUND")]
    assert unchanged == before
    assert [(r["store"]["code"], r["quantity"]) for r in own["sellOutReports"]] == [("S-A", 2)]
