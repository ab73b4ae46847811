"""Marketing consent: recorded as appended events (who, through which channel, when), the
member holding the current state, filterable, and never true for an erased member."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from api.relay import global_id
from engine.access.permissions import Role
from tests.api.consumer.personal import create_member, key_for, network
from tests.conftest import GraphQL, data_of

CONSENT = """
mutation Consent($id: ID!, $input: MemberConsentSetInput!) {
  memberConsentSet(id: $id, input: $input) {
    member { marketingConsent consentUpdatedAt consentHistory { granted source actor at } }
    errors { field message code }
  }
}
"""

LIST = """
query Consenting($consent: Boolean) {
  members(first: 10, where: { marketingConsent: $consent }) { edges { node { memberNo } } }
}
"""

ERASE = """
mutation Erase($id: ID!) { memberErase(id: $id, input: { reason: "member request" }) { errors { code } } }
"""


def set_consent(gql: GraphQL, member_id: str, granted: bool, source: str = "app", **kwargs: Any) -> dict[str, Any]:
    return data_of(gql(CONSENT, {"id": member_id, "input": {"granted": granted, "source": source}}, **kwargs))["memberConsentSet"]


def consenting(gql: GraphQL, consent: bool | None) -> list[str]:
    return [e["node"]["memberNo"] for e in data_of(gql(LIST, {"consent": consent}))["members"]["edges"]]


def test_a_member_created_without_a_choice_has_no_consent_and_no_history(gql: GraphQL) -> None:
    member = create_member(gql)

    assert (member["marketingConsent"], member["consentUpdatedAt"], member["consentHistory"]) == (False, None, [])


@pytest.mark.parametrize("granted", [True, False])
def test_a_choice_made_at_sign_up_is_recorded_as_a_signup_event(gql: GraphQL, granted: bool) -> None:
    member = create_member(gql, marketingConsent=granted)

    [event] = member["consentHistory"]
    assert member["marketingConsent"] is granted
    assert (event["granted"], event["source"], event["actor"]) == (granted, "signup", "api_key:test-admin")
    assert member["consentUpdatedAt"] == event["at"]


def test_each_change_is_appended_with_its_actor_and_the_member_holds_the_latest(gql: GraphQL, db: Engine) -> None:
    member = create_member(gql)
    agent = key_for(db, Role.SERVICE_AGENT, network(db))

    given = set_consent(gql, member["id"], True, "call centre", headers=agent)
    withdrawn = set_consent(gql, member["id"], False, " app ")

    assert given["errors"] == [] and given["member"]["marketingConsent"] is True
    history = withdrawn["member"]["consentHistory"]
    assert [(e["granted"], e["source"]) for e in history] == [(True, "call centre"), (False, "app")]
    assert history[0]["actor"].startswith("api_key:test-") and history[1]["actor"] == "api_key:test-admin"
    assert history[0]["at"] <= history[1]["at"] == withdrawn["member"]["consentUpdatedAt"]
    assert withdrawn["member"]["marketingConsent"] is False


def test_members_filter_by_current_consent_and_an_erased_member_never_consents(gql: GraphQL) -> None:
    yes = create_member(gql, mobile="13900000001", memberNo="YES", marketingConsent=True)
    create_member(gql, mobile="13900000002", memberNo="NO", marketingConsent=False)
    create_member(gql, mobile="13900000003", memberNo="UNASKED")
    gone = create_member(gql, mobile="13900000004", memberNo="GONE", marketingConsent=True)
    later = create_member(gql, mobile="13900000005", memberNo="LATER")
    set_consent(gql, later["id"], True)
    gql(ERASE, {"id": gone["id"]})

    assert consenting(gql, True) == ["LATER", "YES"]
    assert consenting(gql, False) == ["GONE", "NO", "UNASKED"]
    assert len(consenting(gql, None)) == 5
    assert yes["marketingConsent"] is True


def test_an_erased_members_consent_stays_false_even_if_the_row_says_otherwise(gql: GraphQL, db: Engine) -> None:
    gone = create_member(gql, memberNo="GONE", marketingConsent=True)
    gql(ERASE, {"id": gone["id"]})
    with db.begin() as c:  # a stray writer, or a restored backup, sets the flag again
        c.execute(text("UPDATE members SET marketing_consent = :yes"), {"yes": True})

    assert consenting(gql, True) == []
    assert consenting(gql, False) == ["GONE"]


@pytest.mark.parametrize(
    ("target", "source", "expected"),
    [
        (None, "", ("input.source", "INVALID")),
        (None, "x" * 49, ("input.source", "INVALID")),
        (global_id("Member", 999), "app", ("id", "NOT_FOUND")),
        (global_id("Store", 1), "app", ("id", "BAD_GLOBAL_ID")),
    ],
)
def test_a_bad_consent_request_is_refused_on_its_field_and_records_nothing(
    gql: GraphQL, target: str | None, source: str, expected: tuple[str, str]
) -> None:
    member = create_member(gql)

    payload = set_consent(gql, target or member["id"], True, source)

    assert payload["member"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [expected]
    assert consenting(gql, True) == []


@pytest.mark.parametrize("role", [Role.OPS_PLANNER, Role.ANALYST, Role.TECHNICIAN])
def test_recording_consent_needs_member_write(gql: GraphQL, db: Engine, role: Role) -> None:
    member = create_member(gql)

    body = gql(CONSENT, {"id": member["id"], "input": {"granted": True, "source": "app"}}, headers=key_for(db, role))

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert consenting(gql, True) == []
