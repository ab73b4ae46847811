"""Member points through GraphQL: ledger and balance, redemption, activity awards, expiry, their
refusals, and a service agent's scope. Orders earn points through the order use cases; here they
are awarded by the service directly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from api.app import create_app
from api.relay import global_id
from engine import clock
from engine.access.permissions import Role
from engine.services import loyalty
from engine.settings import Settings
from tests.api.service.arrange import add_network, pk_of
from tests.conftest import GraphQL, data_of, make_api_key
from tests.engine.loyalty.ledger_db import Ledger, add_member, day, ledger_rows, tv

ENTRY = "id kind points growth orderRef reference activity reward at expiresAt ruleSet version createdBy remaining"

LEDGER = f"""
query Ledger($member: ID!, $first: Int!, $after: String) {{
  pointsLedger(memberId: $member, first: $first, after: $after) {{
    totalCount
    edges {{ node {{ {ENTRY} member {{ memberNo }} allocations {{ points lot {{ id }} }} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""

BALANCE = """
query Balance($member: ID!, $at: DateTime) {
  pointsBalance(memberId: $member, at: $at) { at points ledgerPoints nextExpiryAt nextExpiryPoints }
}
"""

REDEEM = f"""
mutation Redeem($input: PointsRedeemInput!) {{
  pointsRedeem(input: $input) {{ pointsEntry {{ {ENTRY} detail }} errors {{ field message code }} }}
}}
"""

AWARD = f"""
mutation Award($input: PointsActivityAwardInput!) {{
  pointsActivityAward(input: $input) {{ pointsEntry {{ {ENTRY} }} errors {{ field message code }} }}
}}
"""

EXPIRE = """
mutation Expire($input: PointsExpireInput!) {
  pointsExpire(input: $input) { expiredEntries errors { field message code } }
}
"""


@pytest.fixture
def ledger(database_url: str) -> Ledger:
    book = Ledger(database_url)
    book.publish()
    return book


@pytest.fixture
def member(ledger: Ledger, db: Engine) -> str:
    """A member with 10 points from a 10,000-yuan order on day 1 (they expire after day 30) and 5
    from a 5,000-yuan order today."""
    pk = add_member(db)
    ledger.run(lambda s: loyalty.award_order_points(s, member_id=pk, order_ref="SO-1", lines=[tv(1, 10_000)], at=day(1)))
    ledger.run(lambda s: loyalty.award_order_points(s, member_id=pk, order_ref="SO-2", lines=[tv(1, 5_000)],
                                                    at=clock.now() - timedelta(minutes=1)))
    return global_id("Member", pk)


def codes(payload: dict[str, Any]) -> set[tuple[str | None, str]]:
    return {(e["field"], e["code"]) for e in payload["errors"]}


def test_the_ledger_lists_entries_newest_first_with_what_is_left_of_each_lot(gql: GraphQL, member: str) -> None:
    page = data_of(gql(LEDGER, {"member": member, "first": 1}))["pointsLedger"]
    rest = data_of(gql(LEDGER, {"member": member, "first": 10, "after": page["pageInfo"]["endCursor"]}))["pointsLedger"]

    newest, oldest = page["edges"][0]["node"], rest["edges"][0]["node"]
    assert page["totalCount"] == 2 and page["pageInfo"]["hasNextPage"] is True
    assert (newest["orderRef"], newest["points"], oldest["orderRef"], oldest["points"]) == ("SO-2", 5, "SO-1", 10)
    assert (oldest["kind"], oldest["growth"], oldest["ruleSet"], oldest["version"], oldest["remaining"]) == (
        "EARN", 10_000, "points", 1, 10)
    assert oldest["expiresAt"] == "2025-04-01T16:00:00+00:00"  # through 1 April in Shanghai: 30 days from 3 March
    assert oldest["member"]["memberNo"].startswith("L") and oldest["allocations"] == []


def test_balance_now_and_at_an_earlier_moment(gql: GraphQL, member: str) -> None:
    now = data_of(gql(BALANCE, {"member": member}))["pointsBalance"]
    then = data_of(gql(BALANCE, {"member": member, "at": day(2).isoformat()}))["pointsBalance"]
    missing = data_of(gql(BALANCE, {"member": global_id("Member", 987654)}))["pointsBalance"]

    # the first lot has expired by now (not yet written off), the second is spendable
    assert (now["points"], now["ledgerPoints"]) == (5, 15)
    assert (then["points"], then["ledgerPoints"], then["nextExpiryPoints"]) == (10, 10, 10)
    assert missing is None


def test_redeeming_a_reward_takes_the_oldest_live_points(gql: GraphQL, member: str) -> None:
    payload = data_of(gql(REDEEM, {"input": {"memberId": member, "reference": "R-1", "rewardKey": "filter"}}))["pointsRedeem"]
    again = data_of(gql(REDEEM, {"input": {"memberId": member, "reference": "R-1", "rewardKey": "filter"}}))["pointsRedeem"]

    entry = payload["pointsEntry"]
    assert payload["errors"] == [] and (entry["kind"], entry["points"], entry["reward"], entry["remaining"]) == (
        "REDEEM", -5, "filter", None)
    assert entry["detail"]["reward"]["name"] == "空调滤网"
    assert again["pointsEntry"]["id"] == entry["id"]
    assert data_of(gql(BALANCE, {"member": member}))["pointsBalance"]["points"] == 0
    newest = data_of(gql(LEDGER, {"member": member, "first": 1}))["pointsLedger"]["edges"][0]["node"]
    assert newest["allocations"][0]["points"] == 5


@pytest.mark.parametrize(
    ("redemption", "expected"),
    [
        pytest.param({"points": 6}, ("input.points", "INSUFFICIENT_POINTS"), id="short of the balance"),
        pytest.param({"rewardKey": "kettle"}, ("input.rewardKey", "INSUFFICIENT_POINTS"), id="reward dearer than the balance"),
        pytest.param({"rewardKey": "yacht"}, ("input.rewardKey", "NOT_FOUND"), id="no such reward"),
        pytest.param({"points": 0}, ("input.points", "OUT_OF_RANGE"), id="no points"),
        pytest.param({"points": 1, "reference": "bad ref"}, ("input.reference", "INVALID"), id="bad reference"),
        pytest.param({"points": 1, "memberId": "nonsense"}, ("input.memberId", "BAD_GLOBAL_ID"), id="bad id"),
        pytest.param({"points": 1, "memberId": global_id("Member", 987654)}, ("input.memberId", "NOT_FOUND"), id="no member"),
    ],
)
def test_a_refused_redemption_says_why_on_its_field_and_writes_nothing(
    gql: GraphQL, db: Engine, member: str, redemption: dict[str, Any], expected: tuple[str, str]
) -> None:
    before = ledger_rows(db)

    payload = data_of(gql(REDEEM, {"input": {"memberId": member, "reference": "R-1", **redemption}}))["pointsRedeem"]

    assert payload["pointsEntry"] is None and codes(payload) == {expected}
    assert ledger_rows(db) == before


def test_an_activity_award_is_paid_once_per_reference(gql: GraphQL, member: str) -> None:
    variables = {"input": {"memberId": member, "activity": "product_registration", "reference": "REG-812"}}

    first = data_of(gql(AWARD, variables))["pointsActivityAward"]
    again = data_of(gql(AWARD, variables))["pointsActivityAward"]
    unknown = data_of(gql(AWARD, {"input": {**variables["input"], "activity": "dancing", "reference": "D-1"}}))[
        "pointsActivityAward"]
    reused = data_of(gql(AWARD, {"input": {**variables["input"], "activity": "service_review"}}))["pointsActivityAward"]

    assert first["errors"] == [] and (first["pointsEntry"]["kind"], first["pointsEntry"]["points"]) == ("ACTIVITY", 3)
    assert again["pointsEntry"]["id"] == first["pointsEntry"]["id"]
    assert codes(unknown) == {("input.activity", "NOT_FOUND")}
    assert codes(reused) == {("input.reference", "DUPLICATE")}
    assert data_of(gql(BALANCE, {"member": member}))["pointsBalance"]["points"] == 5 + 3


def test_expiry_writes_off_the_lots_past_their_date_and_never_ahead_of_time(gql: GraphQL, member: str) -> None:
    ahead = data_of(gql(EXPIRE, {"input": {"asOf": (clock.now() + timedelta(days=1)).isoformat()}}))["pointsExpire"]
    done = data_of(gql(EXPIRE, {"input": {"memberId": member}}))["pointsExpire"]
    again = data_of(gql(EXPIRE, {"input": {}}))["pointsExpire"]

    nobody = data_of(gql(EXPIRE, {"input": {"memberId": global_id("Member", 987654)}}))["pointsExpire"]
    assert codes(ahead) == {("input.asOf", "OUT_OF_RANGE")}
    assert codes(nobody) == {("input.memberId", "NOT_FOUND")}
    assert (done["expiredEntries"], done["errors"], again["expiredEntries"]) == (1, [], 0)
    balance = data_of(gql(BALANCE, {"member": member}))["pointsBalance"]
    assert (balance["points"], balance["ledgerPoints"]) == (5, 5)


def test_an_entry_is_a_node(gql: GraphQL, member: str) -> None:
    entry = data_of(gql(LEDGER, {"member": member, "first": 1}))["pointsLedger"]["edges"][0]["node"]

    found = data_of(gql("query($id: ID!) { node(id: $id) { ... on PointsEntry { id points } } }", {"id": entry["id"]}))

    assert found["node"] == {"id": entry["id"], "points": 5}


@pytest.fixture
def agent(settings: Settings, db: Engine) -> Iterator[TestClient]:
    """A service agent of a network serving region 310115."""
    network = add_network(db, "N1", ["310115"])
    key = make_api_key(db, [Role.SERVICE_AGENT], network_ids=[pk_of(network)])
    with TestClient(create_app(settings), headers={"X-API-Key": key}) as client:
        yield client


def test_a_service_agent_sees_and_changes_only_the_points_of_its_members(
    agent: TestClient, ledger: Ledger, db: Engine, member: str
) -> None:
    # given a member of another region with points of their own
    stranger = add_member(db, region="320102")
    ledger.run(lambda s: loyalty.award_order_points(s, member_id=stranger, order_ref="SO-9", lines=[tv(1, 30_000)],
                                                    at=clock.now() - timedelta(minutes=1)))
    other = global_id("Member", stranger)

    def post(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        return data_of(agent.post("/graphql", json={"query": query, "variables": variables}).json())

    # then the agent's own member is served, the stranger does not exist for it
    assert post(BALANCE, {"member": member})["pointsBalance"]["points"] == 5
    assert post(BALANCE, {"member": other})["pointsBalance"] is None
    assert post(LEDGER, {"member": other, "first": 10})["pointsLedger"]["totalCount"] == 0
    refused = post(REDEEM, {"input": {"memberId": other, "reference": "R-9", "points": 1}})["pointsRedeem"]
    assert codes(refused) == {("input.memberId", "NOT_FOUND")}
    done = post(REDEEM, {"input": {"memberId": member, "reference": "R-1", "points": 5}})["pointsRedeem"]
    assert done["errors"] == [] and done["pointsEntry"]["points"] == -5
    assert post(EXPIRE, {"input": {}})["pointsExpire"]["expiredEntries"] == 1  # its member's lot, not the stranger's


def test_a_ledger_page_costs_the_same_few_statements_for_10_and_100_entries(
    gql: GraphQL, ledger: Ledger, db: Engine, statements: list[str]
) -> None:
    # given a member with 120 activity lots, each partly redeemed
    pk = add_member(db)

    async def arrange(session: AsyncSession) -> None:
        for n in range(60):
            await loyalty.award_activity(session, member_id=pk, activity="product_registration", reference=f"REG-{n}",
                                         at=day(1))
            await loyalty.redeem_points(session, member_id=pk, reference=f"R-{n}", points=1, at=day(1))

    ledger.run(arrange)
    member = global_id("Member", pk)
    data_of(gql(LEDGER, {"member": member, "first": 1}))  # the key's first use also records last_used_at

    def cost(first: int) -> int:
        statements.clear()
        edges = data_of(gql(LEDGER, {"member": member, "first": first}))["pointsLedger"]["edges"]
        assert len(edges) == first
        return len(statements)

    assert cost(10) == cost(100)
