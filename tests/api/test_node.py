"""`node` and `nodes`: any object by its global id; bad ids are client errors, missing rows null."""

from __future__ import annotations

import base64

import pytest

from api.relay import global_id
from tests.conftest import GraphQL, data_of

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Dealer { code }
    ... on Store { code dealer { code } }
  }
}
"""

NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) { __typename id ... on Dealer { code } ... on Store { code } }
}
"""


SEED_DEALER = """
mutation SeedDealer($input: DealerCreateInput!) {
  dealerCreate(input: $input) { dealer { id } errors { code } }
}
"""

SEED_STORE = """
mutation SeedStore($input: StoreCreateInput!) {
  storeCreate(input: $input) { store { id } errors { code } }
}
"""


def raw_id(text: str) -> str:
    """A global id spelt by hand: base64 of "Type:key", as Relay ids are."""
    return base64.b64encode(text.encode()).decode()


def dealer(gql: GraphQL, code: str) -> str:
    body = {"code": code, "name": f"经销商 {code}", "legalRepresentative": "赵磊", "channelType": "DIRECT_RETAILER",
            "cooperationLevel": "RETAILER"}
    payload = data_of(gql(SEED_DEALER, {"input": body}))["dealerCreate"]
    assert payload["errors"] == []
    return payload["dealer"]["id"]


def store(gql: GraphQL, code: str, dealer_id: str) -> str:
    body = {"code": code, "name": f"门店 {code}", "dealerId": dealer_id, "regionCode": "440305",
            "address": "深圳市南山区科技园 8 号", "latitude": 22.54, "longitude": 113.95, "manager": "陈静",
            "phone": "0755-8888-0001"}
    payload = data_of(gql(SEED_STORE, {"input": body}))["storeCreate"]
    assert payload["errors"] == []
    return payload["store"]["id"]


def codes(body: dict[str, object]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]  # type: ignore[index, union-attr]


def test_node_returns_a_dealer_and_a_store_by_their_global_ids(gql: GraphQL) -> None:
    # given
    dealer_id = dealer(gql, "N1")
    store_id = store(gql, "N1-S1", dealer_id)

    # when
    found_dealer = data_of(gql(NODE, {"id": dealer_id}))["node"]
    found_store = data_of(gql(NODE, {"id": store_id}))["node"]

    # then
    assert found_dealer == {"__typename": "Dealer", "id": dealer_id, "code": "N1"}
    assert found_store == {"__typename": "Store", "id": store_id, "code": "N1-S1", "dealer": {"code": "N1"}}


@pytest.mark.parametrize("pk", [999_999, 2**63 - 1, 0])
def test_node_of_a_row_that_does_not_exist_is_null_without_error(gql: GraphQL, pk: int) -> None:
    dealer(gql, "N1")

    body = gql(NODE, {"id": global_id("Dealer", pk)})

    assert body == {"data": {"node": None}}


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not base64 at all!",
        raw_id("Dealer"),  # no key
        raw_id("Dealer:abc"),
        raw_id("Dealer:-1"),
        raw_id("Dealer: 1"),
        raw_id("Dealer:1_0"),
        raw_id("Dealer:01"),
        raw_id(f"Dealer:{2**63}"),  # beyond BIGINT: must not reach the database
        raw_id("Dealer:" + "9" * 40),
    ],
    ids=["empty", "garbage", "no-key", "letters", "negative", "space", "underscore", "leading-zero", "2^63", "huge"],
)
def test_malformed_ids_are_bad_global_id_errors(gql: GraphQL, value: str) -> None:
    body = gql(NODE, {"id": value})

    assert body["data"] == {"node": None}
    assert codes(body) == ["BAD_GLOBAL_ID"]
    assert body["errors"][0]["extensions"]["field"] == "id"


@pytest.mark.parametrize("type_name", ["PageInfo", "MutationError", "Nope", "dealer", ""])
def test_ids_of_unknown_or_non_node_types_are_bad_global_id_errors(gql: GraphQL, type_name: str) -> None:
    body = gql(NODE, {"id": raw_id(f"{type_name}:1")})

    assert codes(body) == ["BAD_GLOBAL_ID"]
    assert "not the id of any known type" in body["errors"][0]["message"]


def test_nodes_returns_objects_in_the_order_asked_with_null_for_missing_ones(gql: GraphQL) -> None:
    # given: two dealers and a store, asked for in a mixed order with a missing one and a repeat
    first = dealer(gql, "N1")
    second = dealer(gql, "N2")
    shop = store(gql, "N2-S1", second)
    missing = global_id("Store", 424_242)

    # when
    found = data_of(gql(NODES, {"ids": [shop, second, missing, first, shop]}))["nodes"]

    # then
    assert found == [
        {"__typename": "Store", "id": shop, "code": "N2-S1"},
        {"__typename": "Dealer", "id": second, "code": "N2"},
        None,
        {"__typename": "Dealer", "id": first, "code": "N1"},
        {"__typename": "Store", "id": shop, "code": "N2-S1"},
    ]


def test_nodes_takes_at_most_a_page_of_ids(gql: GraphQL) -> None:
    # given: one id more than a page
    dealer_id = dealer(gql, "N1")

    # when
    full_page = gql(NODES, {"ids": [dealer_id] * 100})
    too_many = gql(NODES, {"ids": [dealer_id] * 101})

    # then
    assert len(data_of(full_page)["nodes"]) == 100
    assert too_many["data"] is None
    assert codes(too_many) == ["OUT_OF_RANGE"]
    assert too_many["errors"][0]["extensions"]["field"] == "ids"


def test_nodes_names_the_position_of_a_bad_id(gql: GraphQL) -> None:
    dealer_id = dealer(gql, "N1")

    body = gql(NODES, {"ids": [dealer_id, raw_id(f"Dealer:{2**64}")]})

    assert codes(body) == ["BAD_GLOBAL_ID"]
    assert body["errors"][0]["extensions"]["field"] == "ids.1"
