"""Dealers through GraphQL: create, update, the tree, filters, paging and client errors."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.store.channel import Dealer
from tests.conftest import GraphQL, data_of

CREATE = """
mutation Create($input: DealerCreateInput!) {
  dealerCreate(input: $input) {
    dealer { id code name channelType cooperationLevel regionCodes registeredCapitalFen parent { code } }
    errors { field message code }
  }
}
"""

UPDATE = """
mutation Update($id: ID!, $input: DealerUpdateInput!) {
  dealerUpdate(id: $id, input: $input) {
    dealer { id code parent { code } regionCodes }
    errors { field message code }
  }
}
"""

LIST = """
query List($first: Int!, $after: String, $where: DealerWhereInput, $sortBy: DealerOrder) {
  dealers(first: $first, after: $after, where: $where, sortBy: $sortBy) {
    totalCount
    edges { cursor node { code children { code } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def dealer_input(code: str, **extra: object) -> dict[str, object]:
    return {
        "code": code,
        "name": f"经销商 {code}",
        "legalRepresentative": "张伟",
        "channelType": "AGENT",
        "cooperationLevel": "CITY_AGENT",
        **extra,
    }


def create(gql: GraphQL, code: str, **extra: object) -> dict[str, object]:
    payload = data_of(gql(CREATE, {"input": dealer_input(code, **extra)}))["dealerCreate"]
    assert payload["errors"] == []
    return payload["dealer"]


def test_dealer_create_returns_the_dealer_with_its_regions_and_parent(gql: GraphQL) -> None:
    top = create(gql, "P01", cooperationLevel="PROVINCIAL_AGENT", registeredCapitalFen=50_000_000_00)
    child = create(gql, "C01", parentId=top["id"], regionCodes=["310115", "310101"])

    assert top["registeredCapitalFen"] == 50_000_000_00  # beyond GraphQL's 32-bit Int
    assert child["parent"] == {"code": "P01"}
    assert child["regionCodes"] == ["310101", "310115"]


def test_invalid_dealer_input_lists_every_offender_and_writes_nothing(gql: GraphQL, db) -> None:
    body = data_of(
        gql(CREATE, {"input": dealer_input("bad code!", name=" ", parentId="not-an-id", regionCodes=["x"])})
    )["dealerCreate"]

    fields = {(e["field"], e["code"]) for e in body["errors"]}
    assert body["dealer"] is None
    assert ("input.parentId", "BAD_GLOBAL_ID") in fields
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(Dealer)) == 0


def test_validation_errors_carry_camel_case_paths(gql: GraphQL) -> None:
    body = data_of(gql(CREATE, {"input": dealer_input("D1", name=" ", regionCodes=["310101", "x"], paymentTermsDays=400)}))

    fields = {(e["field"], e["code"]) for e in body["dealerCreate"]["errors"]}
    assert fields == {("input.name", "INVALID"), ("input.regionCodes.1", "INVALID"), ("input.paymentTermsDays", "OUT_OF_RANGE")}


def test_duplicate_dealer_code_is_refused(gql: GraphQL) -> None:
    create(gql, "D1")
    body = data_of(gql(CREATE, {"input": dealer_input("D1")}))["dealerCreate"]

    assert body["errors"] == [{"field": "input.code", "message": "'D1' is already used by another Dealer", "code": "DUPLICATE"}]


def test_unknown_parent_is_a_not_found_error(gql: GraphQL) -> None:
    body = data_of(gql(CREATE, {"input": dealer_input("D1", parentId="RGVhbGVyOjk5OQ==")}))["dealerCreate"]

    assert [(e["field"], e["code"]) for e in body["errors"]] == [("input.parentId", "NOT_FOUND")]


def test_dealer_update_changes_only_given_fields_and_refuses_a_cycle(gql: GraphQL) -> None:
    top = create(gql, "P01", regionCodes=["310000"])
    child = create(gql, "C01", parentId=top["id"])

    renamed = data_of(gql(UPDATE, {"id": top["id"], "input": {"code": "P02"}}))["dealerUpdate"]
    cycle = data_of(gql(UPDATE, {"id": top["id"], "input": {"parentId": child["id"]}}))["dealerUpdate"]

    assert renamed["dealer"]["code"] == "P02" and renamed["dealer"]["regionCodes"] == ["310000"]
    assert [(e["field"], e["code"]) for e in cycle["errors"]] == [("input.parentId", "INVALID")]


def test_update_of_a_store_id_as_dealer_is_a_bad_global_id(gql: GraphQL) -> None:
    body = data_of(gql(UPDATE, {"id": "U3RvcmU6MQ==", "input": {"name": "x"}}))["dealerUpdate"]

    assert [(e["field"], e["code"]) for e in body["errors"]] == [("id", "BAD_GLOBAL_ID")]


def test_dealers_page_by_cursor_and_filter_by_region_and_channel(gql: GraphQL) -> None:
    for i in range(5):
        create(gql, f"D{i}", regionCodes=["310101" if i % 2 else "310115"], channelType="AGENT" if i < 4 else "E_COMMERCE")

    first = data_of(gql(LIST, {"first": 2}))["dealers"]
    second = data_of(gql(LIST, {"first": 2, "after": first["pageInfo"]["endCursor"]}))["dealers"]
    filtered = data_of(gql(LIST, {"first": 10, "where": {"regionCode": "310115", "channelType": ["AGENT"]}}))["dealers"]
    backwards = data_of(gql(LIST, {"first": 10, "sortBy": {"field": "CODE", "direction": "DESC"}}))["dealers"]

    assert [e["node"]["code"] for e in first["edges"]] == ["D0", "D1"] and first["pageInfo"]["hasNextPage"]
    assert [e["node"]["code"] for e in second["edges"]] == ["D2", "D3"]
    assert first["totalCount"] == 5
    assert [e["node"]["code"] for e in filtered["edges"]] == ["D0", "D2"]
    assert [e["node"]["code"] for e in backwards["edges"]] == ["D4", "D3", "D2", "D1", "D0"]


def test_bad_cursor_and_page_size_are_client_errors(gql: GraphQL) -> None:
    bad_cursor = gql(LIST, {"first": 2, "after": "garbage"})
    too_many = gql(LIST, {"first": 101})

    assert bad_cursor["errors"][0]["extensions"]["code"] == "BAD_CURSOR"
    assert too_many["errors"][0]["extensions"]["code"] == "OUT_OF_RANGE"
