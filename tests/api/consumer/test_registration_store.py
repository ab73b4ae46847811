"""A service agent records where a unit was bought: the store reference is checked whatever the
caller's row scope (an agent reads no channel data), while reading the store back stays
`channel:read` only."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from api.relay import global_id
from engine.access.permissions import Role
from engine.store.consumer import ProductRegistration
from tests.api.consumer.arrange import product, store
from tests.api.consumer.personal import create_member, key_for, network
from tests.api.service.arrange import pk_of
from tests.conftest import GraphQL, data_of

CREATE = """
mutation Create($input: ProductRegistrationCreateInput!) {
  productRegistrationCreate(input: $input) { productRegistration { id serialNumber } errors { field message code } }
}
"""

UPDATE = """
mutation Update($id: ID!, $input: ProductRegistrationUpdateInput!) {
  productRegistrationUpdate(id: $id, input: $input) { productRegistration { serialNumber } errors { field message code } }
}
"""

STORE = """
query Store($id: ID!) { node(id: $id) { ... on ProductRegistration { serialNumber store { code } } } }
"""


@pytest.fixture
def given(gql: GraphQL, db: Engine) -> dict[str, Any]:
    """A member of an agent's network, a product, a dealer's store, and the agent's headers."""
    network_id = network(db)
    return {
        "member": create_member(gql)["id"],
        "product": product(gql, "XQG100", 12),
        "store": store(gql),
        "agent": key_for(db, Role.SERVICE_AGENT, network_id),
    }


def create_as(gql: GraphQL, headers: dict[str, str], given: dict[str, Any], **extra: object) -> dict[str, Any]:
    fields = {"memberId": given["member"], "productId": given["product"], "serialNumber": "SN-77", "purchaseDate": "2025-01-02"}
    return data_of(gql(CREATE, {"input": fields | extra}, headers=headers))["productRegistrationCreate"]


def stored_store_ids(db: Engine) -> list[int | None]:
    with db.connect() as c:
        return list(c.scalars(select(ProductRegistration.store_id)))


def test_a_service_agent_records_the_store_a_unit_was_bought_at(gql: GraphQL, db: Engine, given: dict[str, Any]) -> None:
    # when
    payload = create_as(gql, given["agent"], given, storeId=given["store"])

    # then
    assert payload["errors"] == [] and payload["productRegistration"]["serialNumber"] == "SN-77"
    assert stored_store_ids(db) == [pk_of(given["store"])]


def test_a_service_agent_adds_the_store_to_an_existing_registration(gql: GraphQL, db: Engine, given: dict[str, Any]) -> None:
    # given: a registration without a store
    registration = create_as(gql, given["agent"], given)["productRegistration"]["id"]

    # when
    payload = data_of(gql(UPDATE, {"id": registration, "input": {"storeId": given["store"]}}, headers=given["agent"]))

    # then
    assert payload["productRegistrationUpdate"] == {"productRegistration": {"serialNumber": "SN-77"}, "errors": []}
    assert stored_store_ids(db) == [pk_of(given["store"])]


def test_an_unknown_store_is_still_not_found_for_a_service_agent(gql: GraphQL, db: Engine, given: dict[str, Any]) -> None:
    payload = create_as(gql, given["agent"], given, storeId=global_id("Store", 999_999))

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("input.storeId", "NOT_FOUND")]
    assert stored_store_ids(db) == []


def test_the_store_of_a_registration_stays_forbidden_to_a_service_agent(gql: GraphQL, given: dict[str, Any]) -> None:
    # given: a registration the agent made at a store
    registration = create_as(gql, given["agent"], given, storeId=given["store"])["productRegistration"]["id"]

    # when: the agent and an admin read its store
    agent = gql(STORE, {"id": registration}, headers=given["agent"])
    admin = data_of(gql(STORE, {"id": registration}))

    # then
    assert [(e["extensions"]["code"], e["path"]) for e in agent["errors"]] == [("FORBIDDEN", ["node", "store"])]
    assert agent["data"]["node"] == {"serialNumber": "SN-77", "store": None}
    assert admin["node"] == {"serialNumber": "SN-77", "store": {"code": "S1"}}
