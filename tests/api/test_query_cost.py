"""The query cost limit: every field counts 1, a connection's selection counts once per item of
its `first`, `nodes` once per id, any other list LIST_ITEMS times; an operation over the limit is
refused before it runs, with its cost and the limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from api.app import create_app
from api.console.page import OPERATIONS_DIR, example_variables
from api.cost import LIST_ITEMS, operation_cost
from api.schema import build_schema
from engine.settings import Settings
from engine.store.access import AuditEvent
from engine.store.channel import Dealer
from graphql import parse
from tests.conftest import GraphQL, data_of

DEFAULT_LIMIT = Settings().max_query_cost

# 20 dealer fields + stores (a list: 1 + LIST_ITEMS × 13 store fields) a dealer.
_FRAGMENTS = """
fragment StoreFields on Store {
  id code name regionCode address latitude longitude manager phone grade displayStatus createdAt updatedAt
}
fragment DealerFields on Dealer {
  id code name legalRepresentative channelType cooperationLevel registeredCapitalFen signingDate agreementRef
  mainBrands mainCategories warehouseM2 vehicles staff outletsCovered creditLimitFen paymentTermsDays regionCodes
  createdAt updatedAt stores { ...StoreFields }
}
"""
DEALER_COST = 20 + 1 + LIST_ITEMS * 13
# A node: the dealer and two levels of children below it; `children` is a list (LIST_ITEMS each).
TREE_NODE_COST = DEALER_COST + 1 + LIST_ITEMS * (DEALER_COST + 1 + LIST_ITEMS * DEALER_COST)


def tree_cost(first: int) -> int:
    """dealers (1) + first × (edges 1 + node 1 + the tree below the node)."""
    return 1 + first * (1 + 1 + TREE_NODE_COST)


TREES = """
query Trees($first: Int) {
  dealers(first: $first) {
    edges { node { ...DealerFields children { ...DealerFields children { ...DealerFields } } } }
  }
}
""" + _FRAGMENTS

TREES_OF_100 = """
query TreesOf100 {
  dealers(first: 100) {
    edges { node { ...DealerFields children { ...DealerFields children { ...DealerFields } } } }
  }
}
""" + _FRAGMENTS

TREES_BY_DEFAULT = """
query TreesByDefault($first: Int = 100) {
  dealers(first: $first) {
    edges { node { ...DealerFields children { ...DealerFields children { ...DealerFields } } } }
  }
}
""" + _FRAGMENTS

# The same tree with its stores written out and its dealers as an inline fragment.
TREES_INLINE = """
query TreesInline($first: Int) {
  dealers(first: $first) {
    edges { node { ... on Dealer {
      id code name legalRepresentative channelType cooperationLevel registeredCapitalFen signingDate agreementRef
      mainBrands mainCategories warehouseM2 vehicles staff outletsCovered creditLimitFen paymentTermsDays regionCodes
      createdAt updatedAt stores { id code name regionCode address latitude longitude manager phone grade displayStatus createdAt updatedAt }
      children { ...DealerFields children { ...DealerFields } }
    } } }
  }
}
""" + _FRAGMENTS

DEFAULT_PAGE = "query DefaultPage { dealers { totalCount edges { node { code } } } }"

TOTALS = "query Totals($first: Int) { dealers(first: $first) { totalCount } }"

INTROSPECTION = "query Types { __schema { types { name kind fields { name args { name } type { name kind } } } } }"

DEALER_CREATE = """
mutation Create($input: DealerCreateInput!) {
  dealerCreate(input: $input) { dealer { id code name legalRepresentative stores { code } } errors { field code } }
}
"""

OPERATION_FILES = sorted(OPERATIONS_DIR.glob("*.graphql"))


@pytest.fixture
def strict(settings: Settings, admin_key: str) -> Iterator[GraphQL]:
    """A client of an app whose cost limit is 10, so small operations show their figure."""
    app = create_app(settings.model_copy(update={"max_query_cost": 10}))
    with TestClient(app, headers={"X-API-Key": admin_key}) as client:

        def post(query: str, variables: dict[str, object] | None = None) -> dict[str, object]:
            response = client.post("/graphql", json={"query": query, "variables": variables or {}})
            assert response.status_code == 200, response.text
            return response.json()

        yield post


def refusal(body: dict[str, object]) -> dict[str, object]:
    """The one LIMIT_EXCEEDED error of a refused operation that did not run."""
    assert body["data"] is None
    errors = body["errors"]
    assert isinstance(errors, list) and len(errors) == 1, errors
    assert errors[0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    return errors[0]


def test_a_page_of_100_dealer_trees_is_refused_with_its_cost_and_the_limit(gql: GraphQL) -> None:
    # given: 100 dealers, each with five levels of children and their stores
    expected = tree_cost(100)
    assert expected > DEFAULT_LIMIT

    # when
    error = refusal(gql(TREES, {"first": 100}))

    # then
    assert f"costs {expected}" in error["message"] and f"limit of {DEFAULT_LIMIT}" in error["message"]
    assert error["extensions"]["cost"] == expected and error["extensions"]["limit"] == DEFAULT_LIMIT


def test_the_same_trees_in_pages_of_5_run(gql: GraphQL) -> None:
    # given: a dealer, and the tree query at a page size under the limit
    data_of(gql(DEALER_CREATE, {"input": {"code": "P01", "name": "经销商", "legalRepresentative": "张伟",
                                           "channelType": "AGENT", "cooperationLevel": "CITY_AGENT"}}))
    assert tree_cost(5) <= DEFAULT_LIMIT

    # when
    body = gql(TREES, {"first": 5})

    # then
    assert [e["node"]["code"] for e in data_of(body)["dealers"]["edges"]] == ["P01"]


def test_a_page_size_counts_alike_as_a_literal_a_variable_or_a_variable_default(gql: GraphQL) -> None:
    literal = refusal(gql(TREES_OF_100))
    variable = refusal(gql(TREES, {"first": 100}))
    default = refusal(gql(TREES_BY_DEFAULT))

    assert literal["extensions"]["cost"] == variable["extensions"]["cost"] == default["extensions"]["cost"] == tree_cost(100)


def test_fragments_count_where_they_are_spread_as_if_written_out(gql: GraphQL) -> None:
    spread = refusal(gql(TREES, {"first": 100}))
    inline = refusal(gql(TREES_INLINE, {"first": 100}))

    assert spread["extensions"]["cost"] == inline["extensions"]["cost"] == tree_cost(100)


def test_a_connection_without_first_counts_its_default_page_of_20(strict: GraphQL) -> None:
    error = refusal(strict(DEFAULT_PAGE))

    # dealers (1) + 20 × (totalCount 1 + edges 1 + node 1 + code 1)
    assert error["extensions"]["cost"] == 1 + 20 * 4
    assert "costs 81, more than the limit of 10" in error["message"]


def test_a_first_beyond_the_largest_page_counts_as_the_largest_page(strict: GraphQL, gql: GraphQL) -> None:
    # given: a page size of 1,000 where a connection serves at most 100
    largest = Settings().page_size_max

    # when
    costed = refusal(strict(TOTALS, {"first": 1_000}))
    served = gql(TOTALS, {"first": 1_000})

    # then: counted as 100 pages of totalCount; under the default limit, the field refuses it itself
    assert costed["extensions"]["cost"] == 1 + largest * 1
    assert [e["extensions"]["code"] for e in served["errors"]] == ["OUT_OF_RANGE"]


def test_introspection_costs_little(strict: GraphQL) -> None:
    body = strict(INTROSPECTION)

    assert len(data_of(body)["__schema"]["types"]) > 50


def test_a_mutation_over_the_limit_is_not_executed_nor_audited(strict: GraphQL, db: Engine) -> None:
    # given: a create costing dealerCreate 1 + dealer (1 + 4 fields + stores 1 + 10 × 1)
    # + errors (1 + 10 × 2) = 38: payload lists count LIST_ITEMS times like any other list
    variables = {"input": {"code": "P01", "name": "经销商", "legalRepresentative": "张伟",
                           "channelType": "AGENT", "cooperationLevel": "CITY_AGENT"}}

    # when
    error = refusal(strict(DEALER_CREATE, variables))

    # then
    assert error["extensions"]["cost"] == 1 + (1 + 4 + 1 + LIST_ITEMS) + (1 + LIST_ITEMS * 2)
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(Dealer)) == 0
        assert c.scalar(select(func.count()).select_from(AuditEvent)) == 0


@pytest.mark.parametrize("path", OPERATION_FILES, ids=lambda p: p.name)
def test_each_console_operation_costs_less_than_the_default_limit_and_runs(gql: GraphQL, path: Path) -> None:
    # given
    text = path.read_text(encoding="utf-8")
    schema = build_schema(Settings(crm_env="test"))._schema
    variables = example_variables(text) or {}

    # when
    cost = operation_cost(schema, parse(text), None, variables)
    body = gql(text, variables)

    # then
    assert 0 < cost <= DEFAULT_LIMIT
    assert "LIMIT_EXCEEDED" not in [e["extensions"]["code"] for e in body.get("errors", [])]


NODES_TREES = """
query NodesTrees($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Dealer { code children { code children { code stores { code } } } } }
}
"""


def test_nodes_count_once_per_id_and_plain_lists_count_as_many_items(gql: GraphQL) -> None:
    # given: the same nested lists asked for 1 and for 100 dealers by id
    schema = build_schema(Settings(crm_env="test"))._schema
    # code 1 + children (1 + 10 × (code 1 + children (1 + 10 × (code 1 + stores (1 + 10 × code 1)))))
    tree = 1 + 1 + LIST_ITEMS * (1 + 1 + LIST_ITEMS * (1 + 1 + LIST_ITEMS * 1))

    # when
    one = operation_cost(schema, parse(NODES_TREES), None, {"ids": ["x"]}, 100)
    hundred = operation_cost(schema, parse(NODES_TREES), None, {"ids": ["x"] * 100}, 100)

    # then: a fan-out of lists cannot hide behind `nodes` or a list without `first`
    assert one == 1 + tree
    assert hundred == 1 + 100 * tree
