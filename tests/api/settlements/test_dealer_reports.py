"""Dealers' reports and the brand's records over GraphQL: what is stored and listed, and refusals
named by their GraphQL input paths with nothing stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from api.relay import global_id
from engine import clock
from engine.store.dealer_reports import DealerPayment, PriceViolation, SellOutReport, StockReport
from tests.api.access.tenants import snapshot
from tests.api.settlements.arrange import (
    PAYMENT_RECORD,
    SELL_OUT_REPORT,
    STOCK_REPORT,
    VIOLATION_RECORD,
    approved_order,
    codes,
    dealer,
    payload,
    product,
    store,
)
from tests.conftest import GraphQL, data_of

TABLES = (DealerPayment, StockReport, SellOutReport, PriceViolation)
PAYMENTS = """
query Payments($where: DealerPaymentWhereInput) {
  dealerPayments(first: 100, where: $where) { totalCount edges { node { paymentNo amountFen order { orderNo } } } }
}
"""
STOCK = """
query Stock($where: StockReportWhereInput) {
  stockReports(first: 100, where: $where) { totalCount edges { node { asOf onHand product { model } } } }
}
"""
SELL_OUT = """
query SellOut($where: SellOutReportWhereInput) {
  sellOutReports(first: 100, where: $where) { totalCount edges { node { quantity buyer store { code } } } }
}
"""
VIOLATIONS = """
query Violations($where: PriceViolationWhereInput) {
  priceViolations(first: 100, where: $where) { totalCount edges { node { note product { model } } } }
}
"""


@pytest.fixture
def world(gql: GraphQL) -> dict[str, Any]:
    """Dealers D1 (store S1, an approved order of 200.00) and D2 (store S2, an approved order); two models."""
    d1, d2 = dealer(gql, "D1"), dealer(gql, "D2")
    ac, washer = product(gql, "KFR-35GW", 100_00), product(gql, "XQG100", 60_00, "WASHER")
    return {"D1": d1, "D2": d2, "ac": ac, "washer": washer, "S1": store(gql, "S1", d1), "S2": store(gql, "S2", d2),
            "order1": approved_order(gql, d1, [(ac, 2)]), "order2": approved_order(gql, d2, [(ac, 1)])}


def nodes(body: dict[str, Any], field: str) -> tuple[list[dict[str, Any]], int]:
    connection = data_of(body)[field]
    return [e["node"] for e in connection["edges"]], connection["totalCount"]


def test_payments_are_recorded_against_an_order_or_on_account_and_filtered_so(gql: GraphQL,
                                                                            world: dict[str, Any]) -> None:
    # given a payment against D1's order and one on account
    now = clock.now().isoformat()
    against = payload(gql(PAYMENT_RECORD, {"input": {"dealerId": world["D1"], "orderId": world["order1"]["id"],
                                                     "amountFen": 150_00, "receivedAt": now}}))
    ahead = payload(gql(PAYMENT_RECORD, {"input": {"dealerId": world["D1"], "amountFen": 20_00, "receivedAt": now,
                                                   "paymentNo": "BANK-0001", "note": "预付"}}))

    # when D1's payments are listed on account and against orders
    on_account, _ = nodes(gql(PAYMENTS, {"where": {"dealer": [world["D1"]], "onAccount": True}}), "dealerPayments")
    for_orders, total = nodes(gql(PAYMENTS, {"where": {"order": [world["order1"]["id"]]}}), "dealerPayments")

    # then each list holds the one it names, with a generated number for the first
    assert against["errors"] == ahead["errors"] == []
    assert against["dealerPayment"]["paymentNo"] == f"PM{clock.today():%Y%m%d}00001"
    assert [(p["paymentNo"], p["order"]) for p in on_account] == [("BANK-0001", None)]
    assert ([(p["amountFen"], p["order"]["orderNo"]) for p in for_orders], total) == (
        [(150_00, world["order1"]["orderNo"])], 1)


def test_a_refused_payment_reports_every_offender_by_its_input_path(gql: GraphQL, db: Engine,
                                                                   world: dict[str, Any]) -> None:
    # given everything as it is
    before = snapshot(db, *TABLES)

    # when D1 pays, tomorrow, on D2's order; and pays more than its own order owes
    tomorrow = (clock.now() + timedelta(days=1)).isoformat()
    foreign = payload(gql(PAYMENT_RECORD, {"input": {"dealerId": world["D1"], "orderId": world["order2"]["id"],
                                                     "amountFen": 10_00, "receivedAt": tomorrow}}))
    too_much = payload(gql(PAYMENT_RECORD, {"input": {"dealerId": world["D1"], "orderId": world["order1"]["id"],
                                                      "amountFen": 200_01, "receivedAt": clock.now().isoformat()}}))

    # then both offenders of the first are named, the amount of the second, and nothing is stored
    assert (foreign["dealerPayment"], codes(foreign)) == (None, [("input.receivedAt", "OUT_OF_RANGE"),
                                                                 ("input.orderId", "INVALID")])
    assert codes(too_much) == [("input.amountFen", "OUT_OF_RANGE")]
    assert snapshot(db, *TABLES) == before


def test_a_stock_re_report_replaces_the_days_figure(gql: GraphQL, world: dict[str, Any]) -> None:
    # given D1's stock of both models yesterday and today
    today, yesterday = clock.today(), clock.today() - timedelta(days=1)
    both = [{"productId": world["ac"], "onHand": 30}, {"productId": world["washer"], "onHand": 5}]
    for day in (yesterday, today):
        assert codes(payload(gql(STOCK_REPORT, {"input": {"dealerId": world["D1"], "asOf": day.isoformat(),
                                                          "rows": both}}))) == []

    # when today's air conditioners are reported again
    again = payload(gql(STOCK_REPORT, {"input": {"dealerId": world["D1"], "asOf": today.isoformat(),
                                                 "rows": [{"productId": world["ac"], "onHand": 12}]}}))

    # then today's figure is replaced; yesterday's and the washers' stay
    assert [(r["product"]["model"], r["onHand"]) for r in again["stockReports"]] == [("KFR-35GW", 12)]
    listed, total = nodes(gql(STOCK, {"where": {"dealer": [world["D1"]], "product": [world["ac"]]}}), "stockReports")
    assert ([(r["asOf"], r["onHand"]) for r in listed], total) == (
        [(today.isoformat(), 12), (yesterday.isoformat(), 30)], 2)
    assert nodes(gql(STOCK, {"where": {"asOf": {"gte": today.isoformat()}}}), "stockReports")[1] == 2


def test_a_refused_stock_batch_names_its_rows_and_stores_nothing(gql: GraphQL, db: Engine,
                                                                world: dict[str, Any]) -> None:
    # given a batch repeating a model, and one naming a model that does not exist
    before = snapshot(db, *TABLES)
    day = clock.today().isoformat()
    repeated = [{"productId": world["ac"], "onHand": 1}, {"productId": world["ac"], "onHand": 2}]
    unknown = [{"productId": world["ac"], "onHand": 1}, {"productId": global_id("Product", 987_654), "onHand": 2}]

    # when each is reported
    results = [payload(gql(STOCK_REPORT, {"input": {"dealerId": world["D1"], "asOf": day, "rows": rows}}))
               for rows in (repeated, unknown)]

    # then the offending row is named, and nothing of either batch is stored
    assert [codes(r) for r in results] == [[("input.rows.1.productId", "DUPLICATE")],
                                           [("input.rows.1.productId", "NOT_FOUND")]]
    assert snapshot(db, *TABLES) == before


def test_sell_out_is_stored_with_its_store_and_refused_rows_are_named(gql: GraphQL, db: Engine,
                                                                     world: dict[str, Any]) -> None:
    # given D1's sales: to its store S1 and to consumers; then a batch naming D2's store and a bad model id
    day = clock.today().isoformat()
    good = [{"productId": world["ac"], "soldOn": day, "quantity": 3, "buyer": "STORE", "storeCode": "S1"},
            {"productId": world["washer"], "soldOn": day, "quantity": 1, "buyer": "CONSUMER"}]
    stored = payload(gql(SELL_OUT_REPORT, {"input": {"dealerId": world["D1"], "rows": good}}))
    before = snapshot(db, *TABLES)
    foreign = payload(gql(SELL_OUT_REPORT, {"input": {"dealerId": world["D1"], "rows": [
        {**good[0], "storeCode": "S2"}, {**good[1], "quantity": 0}]}}))
    bad_id = payload(gql(SELL_OUT_REPORT, {"input": {"dealerId": world["D1"], "rows": [
        good[0], {**good[1], "productId": world["S1"]}]}}))

    # then the good batch is listed by buyer; the others name their rows and store nothing
    assert [(r["buyer"], r["store"]) for r in stored["sellOutReports"]] == [("STORE", {"code": "S1"}),
                                                                           ("CONSUMER", None)]
    assert nodes(gql(SELL_OUT, {"where": {"buyer": ["STORE"], "store": [world["S1"]]}}), "sellOutReports") == (
        [{"quantity": 3, "buyer": "STORE", "store": {"code": "S1"}}], 1)
    assert codes(foreign) == [("input.rows.1.quantity", "OUT_OF_RANGE")]
    assert codes(bad_id) == [("input.rows.1.productId", "BAD_GLOBAL_ID")]
    assert snapshot(db, *TABLES) == before
    other = payload(gql(SELL_OUT_REPORT, {"input": {"dealerId": world["D1"],
                                                    "rows": [{**good[0], "storeCode": "S2"}]}}))
    assert codes(other) == [("input.rows.0.storeCode", "INVALID")]


def test_price_violations_are_recorded_and_listed_by_model(gql: GraphQL, world: dict[str, Any]) -> None:
    # given two violations at D2, one about the air conditioner
    seen = clock.now().isoformat()
    for extra in ({"productId": world["ac"], "note": "低于限价"}, {"note": "网店低价"}):
        result = payload(gql(VIOLATION_RECORD, {"input": {"dealerId": world["D2"], "observedAt": seen, **extra}}))
        assert result["errors"] == [] and result["priceViolation"]["dealer"] == {"code": "D2"}

    # when they are listed for the model, and for D1
    for_model = nodes(gql(VIOLATIONS, {"where": {"product": [world["ac"]]}}), "priceViolations")
    for_d1 = nodes(gql(VIOLATIONS, {"where": {"dealer": [world["D1"]]}}), "priceViolations")

    # then the model's one, and none for D1
    assert for_model == ([{"note": "低于限价", "product": {"model": "KFR-35GW"}}], 1)
    assert for_d1 == ([], 0)


SCHEMA = "query Schema($kind: RuleSetKind!) { ruleDocumentSchema(kind: $kind) }"


@pytest.mark.parametrize(("kind", "title"), [("REBATE", "RebateDocument"),
                                             ("PRICE_PROTECTION", "PriceProtectionDocument")])
def test_the_policy_kinds_have_their_document_schema(gql: GraphQL, kind: str, title: str) -> None:
    schema = data_of(gql(SCHEMA, {"kind": kind}))["ruleDocumentSchema"]

    assert (schema["title"], "policies" in schema["properties"]) == (title, True)
