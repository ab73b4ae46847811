"""memberExport: everything held about a member as one JSON document, unmasked, with stable
snake_case keys and ISO dates; only for member:export."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text

from api.relay import decode_id, global_id
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
from tests.api.service.arrange import add_product, add_registration
from tests.conftest import GraphQL, data_of

EXPORT = """
query Export($id: ID!) { memberExport(id: $id) }
"""

ERASE = """
mutation Erase($id: ID!) { memberErase(id: $id, input: { reason: "member request" }) { errors { code } } }
"""

CANCEL = """
mutation Cancel($id: ID!) { workOrderCancel(id: $id, input: { reason: "member away" }) { errors { code } } }
"""


@pytest.fixture
def member(gql: GraphQL, db: Engine) -> dict[str, Any]:
    """A member who consented at sign-up, with a registered unit and a cancelled order."""
    created = create_member(gql, marketingConsent=True)
    add_registration(db, created["id"], add_product(db, "KFR-35GW"), "SN-1")
    order = create_order(gql, network(db), created["id"])
    assert data_of(gql(CANCEL, {"id": order["id"]}))["workOrderCancel"]["errors"] == []
    return created


def export(gql: GraphQL, member_id: str, **kwargs: Any) -> dict[str, Any]:
    return gql(EXPORT, {"id": member_id}, **kwargs)


def test_the_export_holds_the_whole_profile_registrations_orders_with_history_and_consents(
    gql: GraphQL, member: dict[str, Any]
) -> None:
    document = data_of(export(gql, member["id"]))["memberExport"]

    assert document["format"] == "crm-engine.member-export/1"
    profile = document["member"]
    assert (profile["name"], profile["mobile"], profile["address"], profile["id_number"]) == (NAME, MOBILE, ADDRESS, ID_NUMBER)
    assert (profile["member_no"], profile["tier"], profile["special_needs"], profile["tags"]) == (
        member["memberNo"], "GOLD", ["PET"], ["VIP"]
    )
    assert profile["marketing_consent"] is True and profile["erased_at"] is None
    [registration] = document["registrations"]
    assert (registration["serial_number"], registration["product_model"], registration["purchase_date"]) == (
        "SN-1", "KFR-35GW", "2025-01-10"
    )
    [order] = document["work_orders"]
    assert (order["status"], order["address"], order["network_code"], order["cancel_reason"]) == (
        "CANCELLED", ADDRESS, "PD01", "member away"
    )
    assert [(h["from"], h["to"]) for h in order["history"]] == [(None, "CREATED"), ("CREATED", "CANCELLED")]
    assert [(c["granted"], c["source"]) for c in document["consent_history"]] == [(True, "signup")]


def test_the_export_is_plain_json_with_iso_times_and_the_same_keys_every_time(gql: GraphQL, member: dict[str, Any]) -> None:
    first = data_of(export(gql, member["id"]))["memberExport"]
    second = data_of(export(gql, member["id"]))["memberExport"]

    assert json.loads(json.dumps(first)) == first
    for when in (first["exported_at"], first["member"]["created_at"], first["work_orders"][0]["window_start"],
                 first["consent_history"][0]["at"]):
        assert datetime.fromisoformat(when).tzinfo is not None
    assert list(first) == ["format", "exported_at", "member", "registrations", "work_orders", "consent_history"]
    assert list(first["member"]) == list(second["member"])
    assert list(first["work_orders"][0]) == list(second["work_orders"][0])


def test_an_erased_members_export_shows_what_is_left(gql: GraphQL, member: dict[str, Any]) -> None:
    gql(ERASE, {"id": member["id"]})

    document = data_of(export(gql, member["id"]))["memberExport"]

    assert (document["member"]["name"], document["member"]["mobile"], document["member"]["id_number"]) == ("已注销会员", None, None)
    assert document["work_orders"][0]["address"] is None
    assert [c["granted"] for c in document["consent_history"]] == [True, False]


def test_a_missing_member_exports_as_null_and_a_bad_id_is_a_client_error(gql: GraphQL) -> None:
    missing = data_of(export(gql, global_id("Member", 999)))
    bad = export(gql, global_id("Product", 1))

    assert missing == {"memberExport": None}
    assert bad["errors"][0]["extensions"] == {"code": "BAD_GLOBAL_ID", "field": "id"}


@pytest.mark.parametrize("role", [Role.SERVICE_AGENT, Role.OPS_PLANNER, Role.TECHNICIAN, Role.ANALYST])
def test_the_export_needs_the_member_export_permission(gql: GraphQL, db: Engine, member: dict[str, Any], role: Role) -> None:
    body = export(gql, member["id"], headers=key_for(db, role))

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert MOBILE not in json.dumps(body)


def test_an_export_is_recorded_in_the_audit_trail(gql: GraphQL, db: Engine, member: dict[str, Any]) -> None:
    # when
    data_of(export(gql, member["id"]))

    # then: one event naming the member, and none of the exported values in it
    with db.connect() as c:
        rows = c.execute(text(
            "SELECT actor_name, object_type, object_id, outcome, changes FROM audit_events WHERE operation = 'memberExport'"
        )).all()
    assert [(r.actor_name, r.object_type, r.outcome) for r in rows] == [("test-admin", "Member", "ok")]
    assert rows[0].object_id == decode_id(member["id"])[1]
    assert MOBILE not in str(rows[0]) and NAME not in str(rows[0])
