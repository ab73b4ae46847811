"""Request limits and malformed requests: each is refused with a client code, never masked."""

from __future__ import annotations

import pytest

import graphql
from engine.settings import Settings
from tests.conftest import GraphQL, data_of

TOTAL = "query Total { dealers(first: 1) { totalCount } }"

BY_CHANNEL = """
query ByChannel($where: DealerWhereInput) {
  dealers(first: 5, where: $where) { totalCount }
}
"""

LIMITS = Settings()


def nested_parents(levels: int) -> str:
    """dealers > edges > node > parent × levels > code: the leaf `code` is at depth levels + 3,
    as the limiter counts the top-level field as depth 0."""
    return "query Deep { dealers(first: 1) { edges { node { " + "parent { " * levels + "code" + " }" * levels + " } } } }"


def aliased_totals(count: int) -> str:
    return "query Aliases { " + " ".join(f"a{i}: dealers(first: 1) {{ totalCount }}" for i in range(count)) + " }"


def codes(body: dict[str, object]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]  # type: ignore[index, union-attr]


def test_a_query_deeper_than_the_limit_is_refused_as_limit_exceeded(gql: GraphQL) -> None:
    # given: one query exactly at the default depth limit, one a level beyond it
    at_limit = nested_parents(LIMITS.max_query_depth - 3)
    over = nested_parents(LIMITS.max_query_depth - 2)

    # when
    allowed, refused = gql(at_limit), gql(over)

    # then
    assert data_of(allowed)["dealers"]["edges"] == []
    assert refused["data"] is None
    assert codes(refused) == ["LIMIT_EXCEEDED"]
    assert "depth" in refused["errors"][0]["message"]


def test_a_document_with_too_many_tokens_is_refused_as_limit_exceeded(gql: GraphQL) -> None:
    # given: one field repeated until the document holds more tokens than allowed
    query = "query Many { dealers(first: 1) { " + "totalCount " * LIMITS.max_query_tokens + "} }"

    # when
    body = gql(query)

    # then
    assert codes(body) == ["LIMIT_EXCEEDED"]
    assert "tokens" in body["errors"][0]["message"]


def test_too_many_aliases_are_refused_as_limit_exceeded(gql: GraphQL) -> None:
    allowed = gql(aliased_totals(LIMITS.max_query_aliases))
    refused = gql(aliased_totals(LIMITS.max_query_aliases + 1))

    assert data_of(allowed)["a0"] == {"totalCount": 0}
    assert codes(refused) == ["LIMIT_EXCEEDED"]


def test_two_operations_in_one_document_are_a_validation_failure(gql: GraphQL) -> None:
    body = gql(TOTAL + "\nquery Other { dealers(first: 2) { totalCount } }")

    assert body["data"] is None
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "one operation" in body["errors"][0]["message"]


def test_an_unknown_field_is_a_validation_failure_with_a_hint_in_development(gql: GraphQL) -> None:
    body = gql("query Typo { dealers(first: 1) { totalCont } }")

    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Did you mean 'totalCount'?" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    "where",
    [
        {"channelType": ["NO_SUCH_CHANNEL"]},
        {"channelType": "AGENTT"},
        {"channelType": [42]},
        {"noSuchFilter": "x"},
    ],
    ids=["unknown-enum-value", "misspelt-enum-value", "number-for-enum", "unknown-input-field"],
)
def test_bad_variables_are_a_client_error_never_an_internal_one(gql: GraphQL, where: dict[str, object]) -> None:
    body = gql(BY_CHANNEL, {"where": where})

    assert body["data"] is None
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


@pytest.mark.parametrize(
    "variables",
    [{"where": {"code": "D\u00001"}}, {"where": {"nameContains": "\u0000"}}],
    ids=["code", "name-contains"],
)
def test_text_holding_a_nul_character_is_refused_before_reaching_the_database(
    gql: GraphQL, variables: dict[str, object]
) -> None:
    # PostgreSQL text cannot hold NUL: unrefused, the statement would fail as an unexpected error.
    from_variables = gql(BY_CHANNEL, variables)
    from_literal = gql('query Literal { dealers(first: 1, where: { code: "D\\u00001" }) { totalCount } }')

    assert codes(from_variables) == ["INVALID"]
    assert codes(from_literal) == ["INVALID"]


def test_graphiqls_introspection_query_passes_every_limit_in_development(gql: GraphQL) -> None:
    # given: the introspection query the console sends on load, with every option GraphiQL may use
    query = graphql.get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )

    # when
    body = gql(query)

    # then: a full schema, so the console can offer completion and docs
    names = {t["name"] for t in data_of(body)["__schema"]["types"]}
    assert {"Query", "Mutation", "Dealer", "Store", "DealerConnection"} <= names


def test_limits_hold_for_every_request_not_only_the_first(gql: GraphQL) -> None:
    # given: extensions are built per request, so no state of one request reaches the next
    over = nested_parents(LIMITS.max_query_depth)

    # when: refused, allowed, refused again, alternating with other limits
    first = gql(over)
    fine = gql(TOTAL)
    aliases = gql(aliased_totals(LIMITS.max_query_aliases + 1))
    second = gql(over)
    fine_again = gql(TOTAL)

    # then
    assert codes(first) == codes(second) == ["LIMIT_EXCEEDED"]
    assert codes(aliases) == ["LIMIT_EXCEEDED"]
    assert data_of(fine) == data_of(fine_again) == {"dealers": {"totalCount": 0}}
