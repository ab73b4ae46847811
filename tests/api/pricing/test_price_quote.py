"""priceQuote through GraphQL on published rule sets: channel tiers (scenario 9), the trace and
versions, input errors with their paths, and a dealer's scope."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from api.app import create_app
from engine.access.permissions import Role
from engine.settings import Settings
from engine.store.channel import Dealer
from tests.api.pricing.arrange import arrange_world, cond, publish, quote
from tests.conftest import GraphQL, make_api_key

TIERS = [
    {"id": "city", "name": "城市代理 92折", "stage": "tier", "conditions": [cond("cooperation_level", "eq", "city_agent")],
     "action": {"kind": "percent_of_list", "percent": "92"}},
    {"id": "provincial", "name": "省代 2600", "stage": "tier",
     "conditions": [cond("cooperation_level", "eq", "provincial_agent"), cond("model", "eq", "KFR-35GW/A1")],
     "action": {"kind": "fixed_price", "price_fen": 2600_00}},
]
AGENT_PROMOTION = [
    {"id": "agents-5", "name": "代理商 95折", "stage": "promotion", "conditions": [cond("channel_type", "eq", "agent")],
     "action": {"kind": "percent_off", "percent": "5"}},
    {"id": "bulk", "name": "10 台起 ¥100", "stage": "promotion", "conditions": [cond("quantity", "gte", 10)],
     "action": {"kind": "amount_off", "amount_fen": 100_00}},
]


@pytest.fixture
def world(db: Engine, gql: GraphQL) -> GraphQL:
    arrange_world(db)
    publish(gql, "tiers", TIERS)
    publish(gql, "agent-promotions", AGENT_PROMOTION)
    return gql


@pytest.mark.parametrize(
    ("dealer", "tier", "final"),
    [("D-CITY", 2760_00, 2622_00), ("D-PROV", 2600_00, 2470_00), ("D-RET", 3000_00, 3000_00)],
    ids=["city-agent-8pct-then-5", "provincial-fixed-2600-then-5", "retailer-list-price"],
)
def test_channel_tier_then_agent_promotion(world: GraphQL, dealer: str, tier: int, final: int) -> None:
    payload = quote(world, [("KFR-35GW/A1", 1)], dealerCode=dealer)

    assert payload["errors"] == []
    line = payload["quote"]["lines"][0]
    assert (line["listPriceFen"], line["tierPriceFen"], line["finalAmountFen"]) == (3000_00, tier, final)


def test_quote_records_every_version_it_used_and_each_rule_in_the_trace(world: GraphQL) -> None:
    q = quote(world, [("KFR-35GW/A1", 2)], dealerCode="D-CITY")["quote"]

    assert [(v["ruleSet"], v["version"]) for v in q["versions"]] == [("agent-promotions", 1), ("tiers", 1)]
    applied = {(t["ruleSet"], t["ruleId"]) for t in q["trace"] if t["outcome"] == "APPLIED"}
    assert applied == {("tiers", "city"), ("agent-promotions", "agents-5")}
    bulk = next(t for t in q["trace"] if t["ruleId"] == "bulk")
    assert (bulk["outcome"], bulk["reason"], bulk["hint"]) == ("NOT_APPLIED", "CONDITION_FAILED", "buy 8 more")
    assert bulk["failedConditions"] == [{"fact": "quantity", "op": "gte", "value": 10}]


def test_unknown_references_are_all_reported_with_their_paths(world: GraphQL) -> None:
    payload = quote(world, [("KFR-35GW/A1", 1), ("NOPE-1", 1)], dealerCode="D-NONE", memberNo="M404")

    assert payload["quote"] is None
    assert {(e["field"], e["code"]) for e in payload["errors"]} == {
        ("input.lines.1.model", "NOT_FOUND"),
        ("input.context.dealerCode", "NOT_FOUND"),
        ("input.context.memberNo", "NOT_FOUND"),
    }


def test_bad_quantities_are_refused_with_their_paths(world: GraphQL) -> None:
    payload = quote(world, [("KFR-35GW/A1", 0)])

    assert payload["quote"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("input.lines.0.quantity", "OUT_OF_RANGE")]


def test_a_dealer_cannot_quote_for_another_dealer(world: GraphQL, db: Engine, settings: Settings) -> None:
    with db.connect() as c:
        city = c.execute(Dealer.__table__.select().where(Dealer.code == "D-CITY")).first()
    key = make_api_key(db, [Role.DEALER], dealer_id=city.id)
    with TestClient(create_app(settings), headers={"X-API-Key": key}) as client:
        def as_dealer(query: str, variables: dict | None = None) -> dict:  # type: ignore[type-arg]
            return client.post("/graphql", json={"query": query, "variables": variables or {}}).json()

        own = quote(as_dealer, [("KFR-35GW/A1", 1)], dealerCode="D-CITY")
        other = quote(as_dealer, [("KFR-35GW/A1", 1)], dealerCode="D-PROV")

    assert own["quote"]["lines"][0]["finalAmountFen"] == 2622_00
    assert [(e["field"], e["code"]) for e in other["errors"]] == [("input.context.dealerCode", "NOT_FOUND")]


def test_no_live_rules_prices_at_list(db: Engine, gql: GraphQL) -> None:
    arrange_world(db)

    q = quote(gql, [("65U7", 3)], dealerCode="D-CITY")["quote"]

    assert q["totals"]["finalAmountFen"] == 3 * 1000_00 and q["trace"] == [] and q["versions"] == []
