"""ruleSetSimulate: recent orders repriced under the live rules and with a draft in its set's
place — per order and total differences — and nothing written."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from engine.store import Base
from engine.store.catalogue import Product
from engine.store.channel import Dealer
from engine.store.sales import SalesOrder, SalesOrderLine
from schemas.enums import SalesOrderStatus
from tests.api.pricing.arrange import arrange_world, cond, place, publish
from tests.api.rules.arrange import VERSION_CREATE
from tests.conftest import GraphQL, data_of

SIMULATE = """
query Simulate($input: RuleSetSimulateInput!) {
  ruleSetSimulate(input: $input) {
    simulation { priced liveFinalFen draftFinalFen discountCostDifferenceFen pointsAwardDifference
                 orders { reference liveFinalFen draftFinalFen liveDiscountFen draftDiscountFen error } }
    errors { field message code }
  }
}
"""


def tv_off(percent: int) -> list[dict]:  # type: ignore[type-arg]
    return [{"id": "tv", "name": f"TV {percent}%", "stage": "promotion", "conditions": [cond("category", "eq", "tv")],
             "action": {"kind": "percent_off", "percent": str(percent)}}]


def row_counts(db: Engine) -> dict[str, int]:
    with db.connect() as c:
        return {t.name: c.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables}


def draft_of(gql: GraphQL, version: dict, percent: int) -> str:  # type: ignore[type-arg]
    rule_set = data_of(gql("{ ruleSets(first: 5) { edges { node { id key } } } }"))["ruleSets"]["edges"][0]["node"]
    created = data_of(gql(VERSION_CREATE, {"input": {"ruleSetId": rule_set["id"], "document": {"rules": tv_off(percent)}}}))
    assert created["ruleSetVersionCreate"]["errors"] == []
    return created["ruleSetVersionCreate"]["ruleSetVersion"]["id"]  # type: ignore[no-any-return]


def test_a_draft_doubling_a_discount_shows_its_cost_on_priced_orders(db: Engine, gql: GraphQL) -> None:
    arrange_world(db)
    live = publish(gql, "promo", tv_off(10))
    place(gql, "ORD-1", [("65U7", 2)])
    place(gql, "ORD-2", [("65U7", 1), ("XQG100-B1", 1)])
    draft = draft_of(gql, live, 20)
    before = row_counts(db)

    payload = data_of(gql(SIMULATE, {"input": {"draftVersionId": draft, "source": "PRICED_ORDERS"}}))["ruleSetSimulate"]

    assert payload["errors"] == []
    simulation = payload["simulation"]
    assert [(o["reference"], o["liveFinalFen"], o["draftFinalFen"]) for o in simulation["orders"]] == [
        ("ORD-2", 900_00 + 5000_00, 800_00 + 5000_00),
        ("ORD-1", 1800_00, 1600_00),
    ]
    assert simulation["priced"] == 2 and simulation["discountCostDifferenceFen"] == 300_00
    assert row_counts(db) == before


def test_dealers_sales_orders_are_the_default_sample(db: Engine, gql: GraphQL) -> None:
    arrange_world(db)
    live = publish(gql, "promo", tv_off(10))
    with Session(db) as s, s.begin():
        dealer = s.scalar(select(Dealer).where(Dealer.code == "D-CITY"))
        tv = s.scalar(select(Product).where(Product.model == "65U7"))
        assert dealer is not None and tv is not None
        order = SalesOrder(order_no="SO-T1", dealer_id=dealer.id, status=SalesOrderStatus.PLACED,
                           placed_at=datetime(2026, 12, 1, 3, tzinfo=UTC), total_fen=3000_00)
        order.lines = [SalesOrderLine(line_no=1, product_id=tv.id, quantity=3, unit_price_fen=1000_00, amount_fen=3000_00)]
        s.add(order)
    draft = draft_of(gql, live, 20)

    simulation = data_of(gql(SIMULATE, {"input": {"draftVersionId": draft}}))["ruleSetSimulate"]["simulation"]

    assert [(o["reference"], o["liveFinalFen"], o["draftFinalFen"]) for o in simulation["orders"]] == [("SO-T1", 2700_00, 2400_00)]


def test_only_a_pricing_draft_can_be_simulated(db: Engine, gql: GraphQL) -> None:
    arrange_world(db)
    live = publish(gql, "promo", tv_off(10))

    payload = data_of(gql(SIMULATE, {"input": {"draftVersionId": live["id"]}}))["ruleSetSimulate"]

    assert payload["simulation"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("input.draftVersionId", "WRONG_STATUS")]
