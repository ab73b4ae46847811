"""Price protection end to end over GraphQL, on data made through the API: a published protection
policy and price list, orders delivered and stock reported, a cut published with priceChangePublish,
claims approved and rejected, credit statements raised; a dealer sees only its own claims."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from api.relay import global_id
from engine import clock
from engine.access.permissions import Role
from engine.store.rules import RuleSetVersion
from engine.store.settlements import PriceChange, PriceProtectionClaim, SettlementStatement
from tests.api.access.tenants import acting_as, snapshot
from tests.api.service.arrange import pk_of
from tests.api.settlements.arrange import (
    ERRORS,
    ORDER_CREATE,
    STATEMENT_FIELDS,
    STOCK_REPORT,
    codes,
    created,
    dealer,
    payload,
    product,
    published_policy,
)
from tests.conftest import GraphQL, data_of, make_api_key

OLD_FEN, NEW_FEN = 800_00, 700_00
DELIVERED = {"P": 30, "Q": 12}  # TVs each dealer received, all still on hand

VERSION_CREATE = f"""
mutation Draft($input: RuleSetVersionCreateInput!) {{
  ruleSetVersionCreate(input: $input) {{ ruleSetVersion {{ id }} {ERRORS} }}
}}
"""
PUBLISH_CHANGE = f"""
mutation Cut($input: PriceChangePublishInput!) {{
  priceChangePublish(input: $input) {{
    priceChange {{ id changeNo effectiveAt cutCount claimCount creditFen ruleSetVersion {{ status }} }}
    {ERRORS}
  }}
}}
"""
CLAIM_FIELDS = """
  id claimNo status oldPriceFen newPriceFen receivedUnits onHandUnits eligibleUnits creditFen note rowVersion
  dealer { code } product { model } priceChange { changeNo } statement { statementNo }
"""
CLAIMS = f"""
query Claims($where: PriceProtectionClaimWhereInput) {{
  priceProtectionClaims(first: 100, where: $where) {{ totalCount edges {{ node {{ {CLAIM_FIELDS} }} }} }}
}}
"""
APPROVE = f"""
mutation Approve($id: ID!, $input: PriceProtectionClaimDecisionInput) {{
  priceProtectionClaimApprove(id: $id, input: $input) {{ priceProtectionClaim {{ {CLAIM_FIELDS} }} {ERRORS} }}
}}
"""
REJECT = f"""
mutation Reject($id: ID!, $input: PriceProtectionClaimDecisionInput) {{
  priceProtectionClaimReject(id: $id, input: $input) {{ priceProtectionClaim {{ {CLAIM_FIELDS} }} {ERRORS} }}
}}
"""
CREDIT = f"""
mutation Credit($input: PriceProtectionStatementsCreateInput!) {{
  priceProtectionStatementsCreate(input: $input) {{ settlementStatements {{ {STATEMENT_FIELDS} }} {ERRORS} }}
}}
"""
CHANGES = "query Changes { priceChanges(first: 100) { totalCount edges { node { changeNo claimCount } } } }"
NODE = "query Node($id: ID!) { node(id: $id) { __typename id } }"
PROTECTION_TABLES = (PriceChange, PriceProtectionClaim, SettlementStatement, RuleSetVersion)


def dealer_prices(price_fen: int) -> dict[str, Any]:
    """A price list whose dealer (tier-stage) price of every TV is `price_fen`."""
    return {"rules": [{"id": "tv", "name": "电视经销价", "stage": "tier",
                       "action": {"kind": "fixed_price", "price_fen": price_fen},
                       "conditions": [{"fact": "category", "op": "eq", "value": "tv"}]}]}


PROTECTION = {"policies": [{"id": "pp", "name": "30 天保价", "window_days": 30, "claim_days": 30}]}


def delivered_order(gql: GraphQL, dealer_id: str, product_id: str, quantity: int) -> None:
    order = created(gql, ORDER_CREATE, "salesOrder", dealerId=dealer_id,
                    lines=[{"productId": product_id, "quantity": quantity}])
    for step in ("Approve", "Ship", "Deliver"):
        field = f"salesOrder{step}"
        moved = payload(gql(f"mutation M($id: ID!) {{ {field}(id: $id) {{ {ERRORS} }} }}", {"id": order["id"]}))
        assert moved["errors"] == [], moved


@pytest.fixture
def world(gql: GraphQL) -> dict[str, Any]:
    """Dealers P and Q holding the TVs of DELIVERED (delivered and reported on hand today), the
    protection policy and a price list at OLD_FEN published, and a draft of it at NEW_FEN."""
    dealers = {code: dealer(gql, code) for code in DELIVERED}
    tv = product(gql, "TV-65", 999_00, "TV")
    published_policy(gql, "protection", "PRICE_PROTECTION", PROTECTION)
    first = published_policy(gql, "dealer-prices", "PRICING", dealer_prices(OLD_FEN))
    for code, units in DELIVERED.items():
        delivered_order(gql, dealers[code], tv, units)
        stock = payload(gql(STOCK_REPORT, {"input": {"dealerId": dealers[code], "asOf": clock.today().isoformat(),
                                                     "rows": [{"productId": tv, "onHand": units}]}}))
        assert stock["errors"] == []
    rule_set_id = data_of(gql("query V($id: ID!) { node(id: $id) { ... on RuleSetVersion { ruleSet { id } } } }",
                              {"id": first}))["node"]["ruleSet"]["id"]
    draft = created(gql, VERSION_CREATE, "ruleSetVersion", ruleSetId=rule_set_id, document=dealer_prices(NEW_FEN))
    # Price protection compares receipt and cut times in whole seconds (PostgreSQL rounds a
    # receipt's to the nearest, SQLite truncates), and a receipt at the cut does not count: let the
    # clock pass the deliveries' next second before the cut is published.
    time.sleep(2.01 - time.time() % 1)
    return {"dealers": dealers, "tv": tv, "draft": draft["id"]}


def claims_by_dealer(post: Any, **where: Any) -> dict[str, dict[str, Any]]:
    edges = data_of(post(CLAIMS, {"where": where}))["priceProtectionClaims"]["edges"]
    return {e["node"]["dealer"]["code"]: e["node"] for e in edges}


def test_a_price_cut_credits_each_dealers_protected_stock_through_approval(gql: GraphQL,
                                                                          world: dict[str, Any]) -> None:
    # when the cheaper price list is published as a price change
    change = payload(gql(PUBLISH_CHANGE, {"input": {"ruleSetVersionId": world["draft"]}}))

    # then it is published, and each dealer has a submitted claim for its units at the price difference
    assert change["errors"] == []
    published = change["priceChange"]
    assert (published["ruleSetVersion"]["status"], published["cutCount"], published["claimCount"]) == (
        "PUBLISHED", 2, 2)
    claims = claims_by_dealer(gql, priceChange=[published["id"]])
    assert {code: (c["status"], c["oldPriceFen"], c["newPriceFen"], c["eligibleUnits"], c["creditFen"])
            for code, c in claims.items()} == {
        code: ("SUBMITTED", OLD_FEN, NEW_FEN, units, units * (OLD_FEN - NEW_FEN)) for code, units in DELIVERED.items()}
    assert published["creditFen"] == sum(c["creditFen"] for c in claims.values())

    # when P's claim is approved, Q's rejected, and the approved ones put on statements
    approved = payload(gql(APPROVE, {"id": claims["P"]["id"], "input": {"expectedVersion": claims["P"]["rowVersion"]}}))
    rejected = payload(gql(REJECT, {"id": claims["Q"]["id"], "input": {"note": "库存未核实"}}))
    credited = payload(gql(CREDIT, {"input": {"priceChangeId": published["id"]}}))

    # then P alone gets a PRICE_PROTECTION statement for its credit, its line naming the claim
    assert (approved["errors"], rejected["errors"], credited["errors"]) == ([], [], [])
    assert (rejected["priceProtectionClaim"]["status"], rejected["priceProtectionClaim"]["note"]) == (
        "REJECTED", "库存未核实")
    (statement,) = credited["settlementStatements"]
    assert (statement["dealer"]["code"], statement["kind"], statement["status"], statement["amountFen"]) == (
        "P", "PRICE_PROTECTION", "DRAFT", claims["P"]["creditFen"])
    assert [line["claim"]["claimNo"] for item in statement["items"] for line in item["lines"]] == [
        claims["P"]["claimNo"]]
    after = claims_by_dealer(gql)
    assert (after["P"]["status"], after["P"]["statement"]) == ("CREDITED", {"statementNo": statement["statementNo"]})


def test_a_dealer_sees_only_its_own_claims_and_the_changes_that_raised_them(
    client: TestClient, db: Engine, gql: GraphQL, world: dict[str, Any]
) -> None:
    # given the claims of the cut, and P's key
    change_id = payload(gql(PUBLISH_CHANGE, {"input": {"ruleSetVersionId": world["draft"]}}))["priceChange"]["id"]
    claims = claims_by_dealer(gql)
    as_p = acting_as(client, make_api_key(db, [Role.DEALER], dealer_id=pk_of(world["dealers"]["P"])))

    # when P lists the claims and price changes, and asks for Q's claim by id
    own = claims_by_dealer(as_p)
    changes = data_of(as_p(CHANGES))["priceChanges"]
    foreign = data_of(as_p(NODE, {"id": claims["Q"]["id"]}))["node"]

    # then it sees its claim and the change, not Q's claim
    assert list(own) == ["P"] and own["P"]["priceChange"] is not None
    assert changes["totalCount"] == 1 and foreign is None
    assert change_id == data_of(gql("query { priceChanges(first: 1) { edges { node { id } } } }"))[
        "priceChanges"]["edges"][0]["node"]["id"]


@pytest.mark.parametrize(("given", "expected"), [
    ("a rebate version", [("input.ruleSetVersionId", "INVALID")]),
    ("a bad id", [("input.ruleSetVersionId", "BAD_GLOBAL_ID")]),
    ("an unknown version", [("input.ruleSetVersionId", "NOT_FOUND")]),
])
def test_a_refused_price_change_names_its_field_and_changes_nothing(gql: GraphQL, db: Engine, world: dict[str, Any],
                                                                  given: str, expected: list[Any]) -> None:
    # given a draft of another kind, and everything as it is
    rebate = created(gql, """mutation P($input: RuleSetCreateInput!) {
      ruleSetCreate(input: $input) { ruleSet { versions { id } } errors { field message code } } }""",
                     "ruleSet", key="rebates", kind="REBATE", name="rebates")["versions"][0]["id"]
    version = {"a rebate version": rebate, "a bad id": world["tv"],
               "an unknown version": global_id("RuleSetVersion", 987_654)}[given]
    before = snapshot(db, *PROTECTION_TABLES)

    # when it is published as a price change
    refused = payload(gql(PUBLISH_CHANGE, {"input": {"ruleSetVersionId": version}}))

    # then it is refused on the version, and nothing changed
    assert (refused["priceChange"], codes(refused)) == (None, expected)
    assert snapshot(db, *PROTECTION_TABLES) == before
