"""Listing statements: keyset pages that neither repeat nor skip, and nested items, lines, orders
and dealers in a bounded number of statements whatever the page's length."""

from __future__ import annotations

from typing import Any

import pytest

from engine import clock
from tests.api.settlements.arrange import SETTLEMENT_RUN, approved_order, dealer, payload, product, published_policy
from tests.api.settlements.test_rebate_settlement_flow import BANDS
from tests.conftest import GraphQL, data_of

DEALERS = 6
PAGE = """
query Page($first: Int!, $after: String) {
  settlementStatements(first: $first, after: $after, sortBy: {field: AMOUNT, direction: DESC}) {
    pageInfo { hasNextPage endCursor }
    edges { node { id amountFen dealer { code } items { ruleSet lines { quantity order { orderNo dealer { code } } } } } }
  }
}
"""


@pytest.fixture
def month_settled(gql: GraphQL) -> None:
    """DEALERS dealers, the i-th bought i air conditioners this month; the month's accruals (the
    bands' ceiling gives the largest buyers equal amounts: ties the keyset must break by id)."""
    ac = product(gql, "KFR-35GW", 100_00)
    for i in range(1, DEALERS + 1):
        approved_order(gql, dealer(gql, f"D{i}"), [(ac, i)])
    published_policy(gql, "dealer-bands", "REBATE", BANDS)
    start = clock.today().replace(day=1).isoformat()
    run = payload(gql(SETTLEMENT_RUN, {"input": {"period": {"kind": "MONTH", "start": start}}}))
    assert run["errors"] == [] and run["run"]["created"] == DEALERS


def page(gql: GraphQL, first: int, after: str | None = None) -> dict[str, Any]:
    return data_of(gql(PAGE, {"first": first, "after": after}))["settlementStatements"]  # type: ignore[no-any-return]


def test_pages_by_amount_neither_repeat_nor_skip(gql: GraphQL, month_settled: None) -> None:
    # when the statements are read two at a time, largest first
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        current = page(gql, 2, after)
        seen += [e["node"] for e in current["edges"]]
        if not current["pageInfo"]["hasNextPage"]:
            break
        after = current["pageInfo"]["endCursor"]

    # then every dealer's statement comes once, in descending amounts, ties included
    assert sorted(s["dealer"]["code"] for s in seen) == [f"D{i}" for i in range(1, DEALERS + 1)]
    amounts = [s["amountFen"] for s in seen]
    assert amounts == sorted(amounts, reverse=True) and len(set(amounts)) < DEALERS


def test_a_page_with_its_items_and_lines_costs_the_same_statements_whatever_its_length(
    gql: GraphQL, month_settled: None, statements: list[str]
) -> None:
    # when a page of 2 and a page of all statements are read with their nested objects
    statements.clear()
    short = page(gql, 2)
    short_count = len(statements)
    statements.clear()
    long = page(gql, DEALERS)
    long_count = len(statements)

    # then both cost the same few statements, and every line names its dealer's order
    assert (len(short["edges"]), len(long["edges"])) == (2, DEALERS)
    assert long_count == short_count <= 8, statements
    for edge in long["edges"]:
        node = edge["node"]
        assert {line["order"]["dealer"]["code"] for item in node["items"] for line in item["lines"]} == {
            node["dealer"]["code"]}
