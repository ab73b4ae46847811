"""A month's dealer rebates end to end over GraphQL, on data made through the API: a published
REBATE policy, approved orders and payments, an accrual run, its approval, the final run with its
true-up, approval and issue; re-runs replace drafts and never touch what was approved or issued."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from api.relay import global_id
from engine import clock
from engine.store.settlements import SettlementStatement, StatementItem, StatementLine
from tests.api.access.tenants import snapshot
from tests.api.settlements.arrange import (
    PAYMENT_RECORD,
    RULE_SET_CREATE,
    SETTLEMENT_RUN,
    STATEMENT_APPROVE,
    STATEMENT_ISSUE,
    STATEMENTS,
    approved_order,
    codes,
    created,
    dealer,
    payload,
    product,
    published_policy,
)
from tests.conftest import GraphQL, data_of

# Scenario 1 of the issue as a policy: 5% on the first 100.00 of the month's purchases, 10% up to 350.00.
BANDS = {"policies": [{"id": "bands", "name": "阶梯返利", "period": "month", "mode": "marginal",
                       "tiers": [{"at_least": 0, "percent": 5}, {"at_least": 100_00, "percent": 10}],
                       "up_to": 350_00}]}
SETTLED = (SettlementStatement, StatementItem, StatementLine)


class Month:
    """The brand's current month, which the orders placed now fall in."""

    def __init__(self) -> None:
        self.start = clock.today().replace(day=1)
        self.end = clock.add_months(self.start, 1)
        # The first instant after the month, in the brand's time zone: a run as of then is final.
        self.after = datetime.combine(self.end, datetime.min.time(), tzinfo=clock.BRAND_TZ)

    def run(self, gql: GraphQL, **more: Any) -> dict[str, Any]:
        return payload(gql(SETTLEMENT_RUN, {"input": {"period": {"kind": "MONTH", "start": self.start.isoformat()},
                                                      **more}}))


@pytest.fixture
def month() -> Month:
    return Month()


@pytest.fixture
def books(gql: GraphQL) -> dict[str, str]:
    """Dealers A and B; A bought 2 air conditioners (200.00) and paid for them, B a washer (60.00);
    the bands policy is published."""
    a, b = dealer(gql, "A"), dealer(gql, "B")
    ac, washer = product(gql, "KFR-35GW", 100_00), product(gql, "XQG100", 60_00, "WASHER")
    order_a = approved_order(gql, a, [(ac, 2)])
    approved_order(gql, b, [(washer, 1)])
    created(gql, PAYMENT_RECORD, "dealerPayment", dealerId=a, orderId=order_a["id"], amountFen=200_00,
            receivedAt=clock.now().isoformat())
    published_policy(gql, "dealer-bands", "REBATE", BANDS)
    return {"A": a, "B": b, "order_a": order_a["orderNo"]}


def by_dealer(statements: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["dealer"]["code"]: s for s in statements}


def listed(gql: GraphQL, **where: Any) -> list[dict[str, Any]]:
    connection = data_of(gql(STATEMENTS, {"where": where}))["settlementStatements"]
    assert connection["totalCount"] == len(connection["edges"])
    return [e["node"] for e in connection["edges"]]


def test_a_month_is_accrued_approved_then_settled_finally_and_issued(gql: GraphQL, books: dict[str, str],
                                                                   month: Month) -> None:
    # when the month is run now, before its end
    accrual = month.run(gql)

    # then each dealer has a draft accrual at the marginal bands' amount, its line naming the order
    assert accrual["errors"] == []
    run = accrual["run"]
    assert (run["stage"], run["created"], run["kept"], run["replaced"]) == ("ACCRUAL", 2, 0, 0)
    drafts = by_dealer(run["statements"])
    assert {code: (s["status"], s["stage"], s["amountFen"]) for code, s in drafts.items()} == {
        "A": ("DRAFT", "ACCRUAL", 100_00 * 5 // 100 + 100_00 * 10 // 100), "B": ("DRAFT", "ACCRUAL", 60_00 * 5 // 100)}
    (item,) = drafts["A"]["items"]
    assert (item["ruleSet"], item["ruleId"], item["basis"], item["volume"]) == ("dealer-bands", "bands",
                                                                               "PURCHASE_AMOUNT", "20000")
    assert [(line["order"]["orderNo"], line["amountFen"], line["quantity"]) for line in item["lines"]] == [
        (books["order_a"], 200_00, 2)]

    # when A's accrual is approved and the month is run again
    approved = payload(gql(STATEMENT_APPROVE, {"id": drafts["A"]["id"], "input": {"note": "月中预提"}}))
    again = month.run(gql)["run"]

    # then the approval is kept as it is and only B's draft is replaced
    assert approved["errors"] == []
    assert (approved["settlementStatement"]["status"], approved["settlementStatement"]["note"]) == ("APPROVED", "月中预提")
    assert (again["created"], again["kept"], again["replaced"]) == (1, 1, 1)
    assert [s["dealer"]["code"] for s in again["statements"]] == ["B"]

    # when the month is run as of its end
    final = by_dealer(month.run(gql, asOf=month.after.isoformat())["run"]["statements"])

    # then the final statements true up against the approved accrual (none for B)
    assert {code: (s["stage"], s["amountFen"], s["accruedFen"], s["trueUpFen"]) for code, s in final.items()} == {
        "A": ("FINAL", 15_00, 15_00, 0), "B": ("FINAL", 3_00, 0, 3_00)}

    # when A's final statement is approved and issued
    approve = payload(gql(STATEMENT_APPROVE, {"id": final["A"]["id"]}))["settlementStatement"]
    expected = {"expectedVersion": approve["rowVersion"]}
    issued = payload(gql(STATEMENT_ISSUE, {"id": final["A"]["id"], "input": expected}))

    # then it is issued by the caller
    assert issued["errors"] == []
    assert (issued["settlementStatement"]["status"], issued["settlementStatement"]["issuedBy"]) == (
        "ISSUED", approve["approvedBy"])


def test_a_rerun_never_duplicates_an_issued_statement(gql: GraphQL, books: dict[str, str], month: Month) -> None:
    # given A's final statement issued
    after = month.after.isoformat()
    first = by_dealer(month.run(gql, asOf=after)["run"]["statements"])
    for operation in (STATEMENT_APPROVE, STATEMENT_ISSUE):
        assert payload(gql(operation, {"id": first["A"]["id"]}))["errors"] == []

    # when the month is run again, twice
    runs = [month.run(gql, asOf=after)["run"] for _ in range(2)]

    # then A's is kept each time, and the month holds one final statement per dealer
    assert [(r["created"], r["kept"], r["replaced"]) for r in runs] == [(1, 1, 1), (1, 1, 1)]
    finals = listed(gql, scopeKey=f"month:{month.start.isoformat()}", stage=["FINAL"])
    assert sorted((s["dealer"]["code"], s["status"]) for s in finals) == [("A", "ISSUED"), ("B", "DRAFT")]
    assert first["A"]["id"] in {s["id"] for s in finals}


def test_statement_transitions_are_refused_with_their_codes(gql: GraphQL, books: dict[str, str], month: Month) -> None:
    # given A's draft accrual
    draft = by_dealer(month.run(gql)["run"]["statements"])["A"]

    # when it is issued as a draft, approved with a stale version, approved, approved again and issued
    as_draft = payload(gql(STATEMENT_ISSUE, {"id": draft["id"]}))
    stale = payload(gql(STATEMENT_APPROVE, {"id": draft["id"], "input": {"expectedVersion": draft["rowVersion"] + 1}}))
    payload(gql(STATEMENT_APPROVE, {"id": draft["id"]}))
    twice = payload(gql(STATEMENT_APPROVE, {"id": draft["id"]}))
    accrual = payload(gql(STATEMENT_ISSUE, {"id": draft["id"]}))

    # then each is refused on its argument with its code; an accrual is never issued
    assert codes(as_draft) == [("id", "WRONG_STATUS")]
    assert codes(stale) == [("input.expectedVersion", "CONFLICT")]
    assert codes(twice) == [("id", "INVALID_TRANSITION")]
    assert codes(accrual) == [("id", "WRONG_STATUS")]


@pytest.mark.parametrize(("change", "expected"), [
    ({"period": {"kind": "QUARTER", "start": "2026-02-01"}}, [("input.period", "INVALID")]),
    ({"dealerIds": ["not an id"]}, [("input.dealerIds.0", "BAD_GLOBAL_ID")]),
    ({"dealerIds": [global_id("Dealer", 987_654)]}, [("input.dealerIds.0", "NOT_FOUND")]),
    ({"asOf": "2000-01-01T00:00:00+08:00"}, [("input.asOf", "OUT_OF_RANGE")]),
], ids=["a quarter starting in February", "a bad dealer id", "an unknown dealer", "before the period"])
def test_a_refused_run_names_its_field_and_changes_nothing(gql: GraphQL, db: Engine, books: dict[str, str],
                                                         month: Month, change: dict[str, Any],
                                                         expected: list[Any]) -> None:
    # given a run of the month already made, and everything settled as it is
    month.run(gql)
    before = snapshot(db, *SETTLED)

    # when a run with one thing wrong is sent
    refused = payload(gql(SETTLEMENT_RUN, {"input": {"period": {"kind": "MONTH", "start": month.start.isoformat()},
                                                     **change}}))

    # then it is refused on that field, with its code, and no statement changed
    assert (refused["run"], codes(refused)) == (None, expected)
    assert snapshot(db, *SETTLED) == before


def test_statements_are_filtered_by_dealer_kind_status_and_period(gql: GraphQL, books: dict[str, str],
                                                                month: Month) -> None:
    # given the month's accruals, A's approved
    drafts = by_dealer(month.run(gql)["run"]["statements"])
    payload(gql(STATEMENT_APPROVE, {"id": drafts["A"]["id"]}))
    this_month = {"gte": month.start.isoformat(), "lte": month.start.isoformat()}

    # when they are listed by several filters
    found = {
        "A's": listed(gql, dealer=[books["A"]]),
        "approved": listed(gql, status=["APPROVED"]),
        "dealer rebates of the month": listed(gql, kind=["DEALER_REBATE"], periodStart=this_month),
        "price protection": listed(gql, kind=["PRICE_PROTECTION"]),
        "last month's": listed(gql, periodStart={"lte": (month.start - timedelta(days=1)).isoformat()}),
    }

    # then each lists exactly the statements it names
    assert {name: sorted(s["dealer"]["code"] for s in statements) for name, statements in found.items()} == {
        "A's": ["A"], "approved": ["A"], "dealer rebates of the month": ["A", "B"], "price protection": [],
        "last month's": []}


def test_a_rebate_policy_is_checked_when_authored_and_refused_by_its_document_path(gql: GraphQL) -> None:
    # given a policy whose second tier gives two rewards
    bad = {"policies": [{"id": "bands", "name": "阶梯返利", "period": "month", "mode": "marginal", "tiers": [
        {"at_least": 0, "percent": 5}, {"at_least": 100_00, "percent": 10, "amount_fen": 1_00}]}]}

    # when it is authored as a REBATE rule set
    refused = payload(gql(RULE_SET_CREATE, {"input": {"key": "bad-bands", "kind": "REBATE", "name": "x",
                                                      "document": bad}}))

    # then it is refused with the paths into the document, and no rule set exists
    assert (refused["ruleSet"], codes(refused)) == (None, [("input.document.policies.0.tiers.1", "INVALID")])
    assert data_of(gql("query { ruleSets(first: 1) { totalCount } }"))["ruleSets"]["totalCount"] == 0
