"""memberErase: personal fields emptied (on the member and the visit address of her orders),
consent withdrawn, number, tier, growth value, region, registrations and orders kept; once only."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from api.relay import global_id
from engine.access.permissions import Role
from engine.store import Member, ProductRegistration, WorkOrder, WorkOrderEvent
from tests.api.consumer.personal import (
    CREATE_MEMBER,
    CREATE_ORDER,
    MEMBER_FIELDS,
    MOBILE,
    REGION,
    create_member,
    create_order,
    key_for,
    member_input,
    network,
)
from tests.api.service.arrange import add_product, add_registration
from tests.conftest import GraphQL, data_of

ERASE = f"""
mutation Erase($id: ID!, $input: MemberEraseInput!) {{
  memberErase(id: $id, input: $input) {{ member {{ {MEMBER_FIELDS} registrations {{ serialNumber }} }} errors {{ field message code }} }}
}}
"""

UPDATE = """
mutation Update($id: ID!, $input: MemberUpdateInput!) {
  memberUpdate(id: $id, input: $input) { member { id } errors { field code } }
}
"""

CONSENT = """
mutation Consent($id: ID!, $input: MemberConsentSetInput!) {
  memberConsentSet(id: $id, input: $input) { member { marketingConsent } errors { field code } }
}
"""

READ = """
query Read($mobile: String!) {
  members(first: 5, where: { mobile: $mobile }) { edges { node { memberNo name } } }
  workOrders(first: 5) { edges { node { orderNo address status member { name } } } }
}
"""

ORDERS = """
query Orders { workOrders(first: 5) { edges { node { orderNo address status member { name } } } } }
"""


@pytest.fixture
def member(gql: GraphQL, db: Engine) -> dict[str, Any]:
    """A consenting member with a registered unit and a work order at her home."""
    created = create_member(gql, marketingConsent=True)
    add_registration(db, created["id"], add_product(db), "SN-1")
    create_order(gql, network(db), created["id"])
    return created


def erase(gql: GraphQL, member_id: str, reason: str = "member request", **kwargs: Any) -> dict[str, Any]:
    return gql(ERASE, {"id": member_id, "input": {"reason": reason}}, **kwargs)


def errors_of(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]


def test_erasure_empties_every_personal_field_and_keeps_what_aggregates_need(gql: GraphQL, member: dict[str, Any]) -> None:
    payload = data_of(erase(gql, member["id"]))["memberErase"]

    erased = payload["member"]
    assert payload["errors"] == []
    assert erased["name"] == "已注销会员"
    emptied = ("mobile", "address", "idNumber", "latitude", "longitude", "estate", "layout", "householdSize", "incomeBand")
    assert {name: erased[name] for name in emptied} == dict.fromkeys(emptied)
    assert (erased["specialNeeds"], erased["tags"]) == ([], [])
    kept = (erased["memberNo"], erased["tier"], erased["growthValue"], erased["regionCode"])
    assert kept == (member["memberNo"], "GOLD", 1200, REGION)
    assert erased["registrations"] == [{"serialNumber": "SN-1"}]
    assert erased["erasedAt"] is not None and erased["marketingConsent"] is False
    assert [(e["granted"], e["source"], e["actor"]) for e in erased["consentHistory"]] == [
        (True, "signup", "api_key:test-admin"),
        (False, "erasure: member request", "api_key:test-admin"),
    ]


def test_erasure_empties_the_visit_address_of_the_members_orders_and_keeps_the_orders(
    gql: GraphQL, db: Engine, member: dict[str, Any]
) -> None:
    erase(gql, member["id"])

    orders = data_of(gql(READ, {"mobile": MOBILE}))["workOrders"]["edges"]

    assert [(o["node"]["address"], o["node"]["status"], o["node"]["member"]["name"]) for o in orders] == [
        (None, "CREATED", "已注销会员")
    ]
    with db.connect() as c:
        assert c.execute(text("SELECT mobile, mobile_hash, address, id_number FROM members")).one() == (None,) * 4
        assert c.execute(text("SELECT address FROM work_orders")).scalar_one() is None
        counts = [c.scalar(select(func.count()).select_from(m)) for m in (Member, ProductRegistration, WorkOrder, WorkOrderEvent)]
    assert counts == [1, 1, 1, 1]


def test_the_erased_members_mobile_number_is_free_for_a_new_member(gql: GraphQL, member: dict[str, Any]) -> None:
    erase(gql, member["id"])

    again = data_of(gql(CREATE_MEMBER, {"input": member_input(memberNo="NEW-1")}))["memberCreate"]
    found = data_of(gql(READ, {"mobile": MOBILE}))["members"]["edges"]

    assert again["errors"] == []
    assert [e["node"]["memberNo"] for e in found] == ["NEW-1"]


def test_an_erased_member_cannot_be_erased_again_changed_or_asked_for_consent(
    gql: GraphQL, db: Engine, member: dict[str, Any]
) -> None:
    erase(gql, member["id"])

    twice = data_of(erase(gql, member["id"]))["memberErase"]
    changed = data_of(gql(UPDATE, {"id": member["id"], "input": {"name": "回来了"}}))["memberUpdate"]
    consent = data_of(gql(CONSENT, {"id": member["id"], "input": {"granted": True, "source": "app"}}))["memberConsentSet"]

    assert errors_of(twice) == errors_of(changed) == errors_of(consent) == [("id", "WRONG_STATUS")]
    with db.connect() as c:
        assert c.execute(text("SELECT name, marketing_consent FROM members")).one() == ("已注销会员", False)


def test_a_planner_sees_the_erased_placeholder_name_as_it_is(gql: GraphQL, db: Engine, member: dict[str, Any]) -> None:
    erase(gql, member["id"])

    orders = data_of(gql(ORDERS, headers=key_for(db, Role.OPS_PLANNER)))["workOrders"]["edges"]

    assert orders[0]["node"]["member"]["name"] == "已注销会员" and orders[0]["node"]["address"] is None


@pytest.mark.parametrize("role", [Role.OPS_PLANNER, Role.SERVICE_AGENT, Role.ANALYST])
def test_erasure_needs_the_member_erase_permission(gql: GraphQL, db: Engine, member: dict[str, Any], role: Role) -> None:
    body = erase(gql, member["id"], headers=key_for(db, role))

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    with db.connect() as c:
        assert c.execute(text("SELECT erased_at FROM members")).scalar_one() is None


@pytest.mark.parametrize(
    ("target", "reason", "expected"),
    [
        (None, "", ("input.reason", "INVALID")),
        (None, "x" * 49, ("input.reason", "INVALID")),
        (global_id("Member", 999), "member request", ("id", "NOT_FOUND")),
        (global_id("Product", 1), "member request", ("id", "BAD_GLOBAL_ID")),
        ("not-an-id", "member request", ("id", "BAD_GLOBAL_ID")),
    ],
)
def test_a_bad_erasure_request_is_refused_on_its_field_and_erases_nothing(
    gql: GraphQL, db: Engine, member: dict[str, Any], target: str | None, reason: str, expected: tuple[str, str]
) -> None:
    payload = data_of(erase(gql, target or member["id"], reason))["memberErase"]

    assert payload["member"] is None and errors_of(payload) == [expected]
    with db.connect() as c:
        assert c.execute(text("SELECT erased_at FROM members")).scalar_one() is None


def test_no_new_work_order_can_be_opened_for_an_erased_member(gql: GraphQL, db: Engine, member: dict[str, Any]) -> None:
    # given
    erase(gql, member["id"])
    with db.connect() as c:
        network_id = global_id("ServiceNetwork", c.scalar(text("SELECT id FROM service_networks")))

    # when
    refused = data_of(gql(CREATE_ORDER, {"input": {
        "kind": "INSTALL", "networkId": network_id, "memberId": member["id"], "requiredSkill": "AIR_CONDITIONER",
        "durationMinutes": 90, "address": "上海市黄浦区某路1号", "latitude": 31.2, "longitude": 121.4,
        "windowStart": "2025-03-02T09:00:00+08:00", "windowEnd": "2025-03-02T12:00:00+08:00",
    }}))["workOrderCreate"]

    # then
    assert errors_of(refused) == [("input.memberId", "WRONG_STATUS")]
