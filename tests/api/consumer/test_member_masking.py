"""Personal fields are masked for roles without personal_data:read, whole for roles with it,
on members and on the work orders at their homes: the home's exact position to ~1 km, the
estate masked, the household's attributes (layout, size, income, care needs) withheld."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from engine.access.permissions import Role
from tests.api.consumer.personal import (
    ADDRESS,
    ID_NUMBER,
    MOBILE,
    NAME,
    create_member,
    create_order,
    key_for,
    network,
)
from tests.conftest import GraphQL, data_of

# Each test holds one member. Not by mobile: a role seeing mobiles masked may not look them up so.
READ = """
query Read {
  members(first: 5) { edges { node { name mobile address idNumber } } }
  workOrders(first: 5) { edges { node { address } } }
}
"""

ORDERS = """
query Orders { workOrders(first: 5) { edges { node { orderNo address latitude longitude } } } }
"""

HOME = """
query Home {
  members(first: 5) { edges { node { latitude longitude estate layout householdSize incomeBand specialNeeds } } }
  workOrders(first: 5) { edges { node { latitude longitude } } }
}
"""

EXACT = {"latitude": 31.23456, "longitude": 121.65432}
DISTRICT = {"latitude": 31.23, "longitude": 121.65}
HOUSEHOLD = {"estate": "碧云国际社区金桥花园", "layout": "3室2厅", "householdSize": 4, "incomeBand": "UPPER_MIDDLE",
             "specialNeeds": ["ELDERLY", "DISABILITY"]}
WITHHELD = {"estate": "****", "layout": None, "householdSize": None, "incomeBand": None, "specialNeeds": []}

WHOLE = {"name": NAME, "mobile": MOBILE, "address": ADDRESS, "idNumber": ID_NUMBER}
MASKED = {"name": "王*明", "mobile": "138****5678", "address": "上海市浦东新****", "idNumber": "110***********002X"}


@pytest.fixture
def world(gql: GraphQL, db: Engine) -> str:
    """A member with every personal field and an order at her home; returns the network's id."""
    network_id = network(db)
    create_order(gql, network_id, create_member(gql)["id"])
    return network_id


@pytest.fixture
def household(gql: GraphQL, db: Engine) -> str:
    """A member with an exact home position and every household attribute, and an order at her
    home; returns the network's id."""
    network_id = network(db)
    create_order(gql, network_id, create_member(gql, **EXACT, **HOUSEHOLD)["id"])
    return network_id


def read_as(gql: GraphQL, headers: dict[str, str]) -> tuple[dict[str, str], str]:
    body = data_of(gql(READ, headers=headers))
    return body["members"]["edges"][0]["node"], body["workOrders"]["edges"][0]["node"]["address"]


def test_an_ops_planner_finds_a_member_by_number_but_sees_every_personal_field_masked(
    gql: GraphQL, db: Engine, world: str
) -> None:
    member, visit = read_as(gql, key_for(db, Role.OPS_PLANNER))

    assert member == MASKED
    assert visit == "上海市浦东新****"


@pytest.mark.parametrize("role", [Role.SERVICE_AGENT, Role.ADMIN])
def test_a_role_holding_personal_data_read_sees_the_fields_whole(gql: GraphQL, db: Engine, world: str, role: Role) -> None:
    member, visit = read_as(gql, key_for(db, role, world if role is Role.SERVICE_AGENT else None))

    assert member == WHOLE
    assert visit == ADDRESS


def test_an_analyst_sees_work_orders_with_the_visit_address_masked(gql: GraphQL, db: Engine, world: str) -> None:
    body = data_of(gql(ORDERS, headers=key_for(db, Role.ANALYST)))

    assert body["workOrders"]["edges"][0]["node"]["address"] == "上海市浦东新****"


def test_a_planner_sees_the_home_to_a_kilometre_and_none_of_the_households_attributes(
    gql: GraphQL, db: Engine, household: str
) -> None:
    # when
    body = data_of(gql(HOME, headers=key_for(db, Role.OPS_PLANNER)))

    # then: a district-level position still lets the planner plan
    assert body["members"]["edges"][0]["node"] == DISTRICT | WITHHELD
    assert body["workOrders"]["edges"][0]["node"] == DISTRICT


def test_an_analyst_sees_the_visit_position_to_a_kilometre(gql: GraphQL, db: Engine, household: str) -> None:
    body = data_of(gql(ORDERS, headers=key_for(db, Role.ANALYST)))

    node = body["workOrders"]["edges"][0]["node"]
    assert (node["address"], node["latitude"], node["longitude"]) == ("上海市浦东新****", 31.23, 121.65)


@pytest.mark.parametrize("role", [Role.SERVICE_AGENT, Role.ADMIN])
def test_a_role_holding_personal_data_read_sees_the_exact_home_and_the_household(
    gql: GraphQL, db: Engine, household: str, role: Role
) -> None:
    body = data_of(gql(HOME, headers=key_for(db, role, household if role is Role.SERVICE_AGENT else None)))

    assert body["members"]["edges"][0]["node"] == EXACT | HOUSEHOLD
    assert body["workOrders"]["edges"][0]["node"] == EXACT


def test_a_member_without_a_home_position_or_household_shows_nulls_to_every_role(gql: GraphQL, db: Engine) -> None:
    create_member(gql, latitude=None, longitude=None, estate=None, layout=None, householdSize=None, incomeBand=None, specialNeeds=[])

    planner = data_of(gql(HOME, headers=key_for(db, Role.OPS_PLANNER)))["members"]["edges"][0]["node"]
    admin = data_of(gql(HOME))["members"]["edges"][0]["node"]

    empty = {"latitude": None, "longitude": None, "estate": None, "layout": None, "householdSize": None,
             "incomeBand": None, "specialNeeds": []}
    assert planner == empty and admin == empty


def test_a_member_without_an_id_number_shows_null_to_every_role(gql: GraphQL, db: Engine) -> None:
    create_member(gql, idNumber=None, mobile="13900000001")

    planner = data_of(gql(READ, headers=key_for(db, Role.OPS_PLANNER)))
    admin = data_of(gql(READ))

    assert planner["members"]["edges"][0]["node"]["idNumber"] is None
    assert admin["members"]["edges"][0]["node"]["idNumber"] is None


NAME_SEARCH = """
query Search($name: String!) { members(first: 5, where: { nameContains: $name }) { totalCount } }
"""


def test_searching_by_name_is_refused_to_roles_that_see_names_masked(gql: GraphQL, db: Engine, world: str) -> None:
    # when: a planner (masked names) and an agent (whole names) search by a fragment of the name
    planner = gql(NAME_SEARCH, {"name": NAME[1:]}, headers=key_for(db, Role.OPS_PLANNER))
    agent = gql(NAME_SEARCH, {"name": NAME[1:]}, headers=key_for(db, Role.SERVICE_AGENT, world))

    # then: the planner could otherwise unmask names a character at a time
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in planner["errors"]] == [("FORBIDDEN", "where.nameContains")]
    assert data_of(agent)["members"]["totalCount"] == 1
