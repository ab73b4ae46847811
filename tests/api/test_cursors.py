"""Keyset cursors through GraphQL: paging by a time column, and forged cursors refused as BAD_CURSOR."""

from __future__ import annotations

import base64
import json

import pytest

from tests.conftest import GraphQL, data_of

PAGE = """
query Page($first: Int!, $after: String, $sortBy: DealerOrder) {
  dealers(first: $first, after: $after, sortBy: $sortBy) {
    edges { node { code } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

SEED = """
mutation Seed($input: DealerCreateInput!) {
  dealerCreate(input: $input) { errors { code } }
}
"""


def seed(gql: GraphQL, code: str) -> None:
    body = {"code": code, "name": f"经销商 {code}", "legalRepresentative": "周强", "channelType": "AGENT",
            "cooperationLevel": "DISTRICT_AGENT"}
    assert data_of(gql(SEED, {"input": body}))["dealerCreate"]["errors"] == []


def forged(value: object, pk: object) -> str:
    """A cursor in the list's own encoding, with a value and key of our choosing."""
    return base64.urlsafe_b64encode(json.dumps([value, pk]).encode()).decode()


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_dealers_page_one_by_one_in_creation_order_by_created_at(gql: GraphQL, direction: str) -> None:
    # given: three dealers created one after the other
    for code in ("T1", "T2", "T3"):
        seed(gql, code)
    sort = {"field": "CREATED_AT", "direction": direction}

    # when: walked a page of one at a time
    seen: list[str] = []
    after = None
    for _ in range(4):
        page = data_of(gql(PAGE, {"first": 1, "after": after, "sortBy": sort}))["dealers"]
        seen += [e["node"]["code"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break

    # then
    assert seen == (["T1", "T2", "T3"] if direction == "ASC" else ["T3", "T2", "T1"])


@pytest.mark.parametrize(
    ("sort_field", "cursor"),
    [
        ("CODE", forged("T1", 2**63)),
        ("CODE", forged("T1", True)),
        ("CODE", forged("T\u00001", 1)),
        ("CODE", forged(["T1"], 1)),
        ("CREATED_AT", forged("2024-05-01T08:00:00", 1)),  # no offset: the column refuses naive times
        ("CREATED_AT", forged("yesterday", 1)),
    ],
    ids=["key-beyond-bigint", "key-boolean", "nul-in-text", "list-value", "naive-time", "not-a-time"],
)
def test_forged_cursors_are_bad_cursor_errors(gql: GraphQL, sort_field: str, cursor: str) -> None:
    seed(gql, "T1")

    body = gql(PAGE, {"first": 1, "after": cursor, "sortBy": {"field": sort_field}})

    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_CURSOR"]
