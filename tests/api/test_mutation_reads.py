"""Several mutation fields in one request: each payload shows the state after its own change."""

from __future__ import annotations

from tests.api.channel.test_dealers import create
from tests.conftest import GraphQL, data_of

TWO_UPDATES = """
mutation Twice($id: ID!) {
  first: dealerUpdate(id: $id, input: { regionCodes: ["110000"] }) { dealer { regionCodes } errors { code } }
  second: dealerUpdate(id: $id, input: { regionCodes: ["220000"] }) { dealer { regionCodes } errors { code } }
}
"""


def test_a_later_mutation_field_sees_its_own_change_not_the_cached_earlier_one(gql: GraphQL) -> None:
    dealer = create(gql, "D1", regionCodes=["310101"])

    data = data_of(gql(TWO_UPDATES, {"id": dealer["id"]}))

    assert data["first"]["dealer"]["regionCodes"] == ["110000"]
    assert data["second"]["dealer"]["regionCodes"] == ["220000"]
