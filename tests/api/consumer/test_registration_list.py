"""Product registrations listed through GraphQL: a member's registrations, filters, sorting,
paging and the statement count of a page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event

from tests.api.consumer.arrange import register
from tests.conftest import GraphQL, data_of

MEMBER_REGISTRATIONS = """
query MemberRegistrations($id: ID!) {
  node(id: $id) { ... on Member { registrations { serialNumber } } }
}
"""

LIST = """
query List($first: Int!, $after: String, $where: ProductRegistrationWhereInput, $sortBy: ProductRegistrationOrder) {
  productRegistrations(first: $first, after: $after, where: $where, sortBy: $sortBy) {
    totalCount
    edges { node { serialNumber member { memberNo } product { model } store { code } warrantyStatus } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def test_a_member_lists_its_registrations_by_purchase_date(gql: GraphQL, refs: dict[str, str]) -> None:
    register(gql, memberId=refs["member"], productId=refs["washer"], serialNumber="LATE", purchaseDate="2024-03-01")
    register(gql, memberId=refs["member"], productId=refs["ac"], serialNumber="EARLY", purchaseDate="2023-03-01")
    register(gql, memberId=refs["other_member"], productId=refs["ac"], serialNumber="OTHER", purchaseDate="2023-04-01")

    node = data_of(gql(MEMBER_REGISTRATIONS, {"id": refs["member"]}))["node"]

    assert node["registrations"] == [{"serialNumber": "EARLY"}, {"serialNumber": "LATE"}]


def serials(body: dict[str, Any]) -> list[str]:
    return [e["node"]["serialNumber"] for e in data_of(body)["productRegistrations"]["edges"]]


@pytest.fixture
def four(gql: GraphQL, refs: dict[str, str]) -> dict[str, str]:
    """R1..R4 over two members and two products; warranty ends 2025-01-10, 2029-02-10, 2025-03-10, 2029-04-10."""
    rows = [
        ("R1", "member", "washer", "2024-01-10"),
        ("R2", "member", "ac", "2023-02-10"),
        ("R3", "other_member", "washer", "2024-03-10"),
        ("R4", "other_member", "ac", "2023-04-10"),
    ]
    for serial, owner, model, purchased in rows:
        register(gql, memberId=refs[owner], productId=refs[model], storeId=refs["store"], serialNumber=serial, purchaseDate=purchased)
    return refs


def test_registrations_filter_by_member_product_serial_and_dates(gql: GraphQL, four: dict[str, str]) -> None:
    def where(**condition: object) -> list[str]:
        return serials(gql(LIST, {"first": 10, "where": condition, "sortBy": {"field": "CREATED_AT"}}))

    assert where(member=[four["member"]]) == ["R1", "R2"]
    assert where(product=[four["ac"]]) == ["R2", "R4"]
    assert where(member=[four["other_member"]], product=[four["washer"]]) == ["R3"]
    assert where(serialNumber="R4") == ["R4"]
    assert where(purchaseDate={"gte": "2023-04-10", "lte": "2024-01-10"}) == ["R1", "R4"]
    assert where(warrantyActiveOn="2025-03-10") == ["R2", "R3", "R4"]
    assert where(warrantyActiveOn="2025-03-11") == ["R2", "R4"]


def test_a_filter_id_of_the_wrong_type_is_a_client_error(gql: GraphQL, four: dict[str, str]) -> None:
    body = gql(LIST, {"first": 10, "where": {"member": [four["washer"]]}})

    assert body["errors"][0]["extensions"] == {"code": "BAD_GLOBAL_ID", "field": "where.member"}


def test_registrations_sort_by_dates_and_page_by_cursor(gql: GraphQL, four: dict[str, str]) -> None:
    first = data_of(gql(LIST, {"first": 3}))["productRegistrations"]
    rest = data_of(gql(LIST, {"first": 3, "after": first["pageInfo"]["endCursor"]}))["productRegistrations"]
    by_end = serials(gql(LIST, {"first": 10, "sortBy": {"field": "WARRANTY_END", "direction": "DESC"}}))
    newest = serials(gql(LIST, {"first": 10, "sortBy": {"field": "PURCHASE_DATE", "direction": "DESC"}}))

    assert [e["node"]["serialNumber"] for e in first["edges"]] == ["R2", "R4", "R1"] and first["pageInfo"]["hasNextPage"]
    assert [e["node"]["serialNumber"] for e in rest["edges"]] == ["R3"] and not rest["pageInfo"]["hasNextPage"]
    assert first["totalCount"] == 4
    assert by_end == ["R4", "R2", "R3", "R1"]
    assert newest == ["R3", "R1", "R4", "R2"]


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine runs while the test is active."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    yield seen
    event.remove(Engine, "before_cursor_execute", record)


def test_a_page_issues_the_same_statements_however_long_it_is(gql: GraphQL, four: dict[str, str], statements: list[str]) -> None:
    statements.clear()
    data_of(gql(LIST, {"first": 1}))
    one_row = len(statements)
    statements.clear()
    data_of(gql(LIST, {"first": 4}))
    four_rows = len(statements)

    # page, totalCount, then one batch each for members, products and stores
    assert one_row >= 5
    assert four_rows == one_row
