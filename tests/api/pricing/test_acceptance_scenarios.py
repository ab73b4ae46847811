"""The issue's pricing scenarios end to end: each row publishes its rule document through
GraphQL into the real database (SQLite, or PostgreSQL with TEST_DATABASE_URL) and quotes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from engine.store.catalogue import Product
from schemas.enums import ProductCategory
from tests.api.pricing.arrange import ISSUE, arrange_world, cond, publish, quote
from tests.api.rules.arrange import PUBLISH, create
from tests.conftest import GraphQL, data_of

# Models added to the arranged world: two air conditioners and a TV at ¥1,000, a TV at ¥5,000.
EXTRA = {"AC-ITEM": ProductCategory.AIR_CONDITIONER, "AC-OTHER": ProductCategory.AIR_CONDITIONER,
         "TV-1000": ProductCategory.TV}


def r(id: str, stage: str, action: dict[str, Any], *conditions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": id, "name": id, "stage": stage, "action": action, "conditions": list(conditions), **extra}


def pct(value: int) -> dict[str, Any]:
    return {"kind": "percent_off", "percent": str(value)}


QTY_4 = cond("quantity", "gte", 4)
AGENT = cond("channel_type", "eq", "agent")
ROWS = [
    ("1-item-beats-category", [r("item", "promotion", pct(10), cond("model", "eq", "AC-ITEM"), priority=20, stacking="exclusive"),
                               r("cat", "promotion", pct(15), cond("category", "eq", "air_conditioner"), priority=10, stacking="exclusive")],
     [("AC-ITEM", 1), ("AC-OTHER", 1)], {}, [900_00, 850_00]),
    ("2-higher-priority-wins", [r("high", "promotion", pct(5), priority=20, stacking="exclusive"),
                                r("low", "promotion", pct(25), priority=10, stacking="exclusive")],
     [("TV-1000", 1)], {}, [950_00]),
    ("3-additive", [r("a", "promotion", pct(20), priority=2), r("b", "promotion", pct(10), priority=1)],
     [("TV-1000", 1)], {}, [700_00]),
    ("3-compounding", [r("a", "promotion", pct(20), priority=2, combine="compounding"),
                       r("b", "promotion", pct(10), priority=1, combine="compounding")],
     [("TV-1000", 1)], {}, [720_00]),
    ("4-percent-and-amount", [r("ten", "promotion", pct(10)), r("hundred", "promotion", {"kind": "amount_off", "amount_fen": 100_00})],
     [("TV-1000", 1)], {}, [800_00]),
    ("5-qty-1", [r("a", "promotion", pct(20), QTY_4), r("b", "promotion", pct(10), QTY_4)], [("TV-1000", 1)], {}, [1000_00]),
    ("5-qty-5", [r("a", "promotion", pct(20), QTY_4), r("b", "promotion", pct(10), QTY_4)], [("TV-1000", 5)], {}, [3500_00]),
    ("9-city-agent", [r("city", "tier", {"kind": "percent_of_list", "percent": "92"}, cond("cooperation_level", "eq", "city_agent")),
                      r("agents", "promotion", pct(5), AGENT)],
     [("KFR-35GW/A1", 1)], {"dealerCode": "D-CITY"}, [2622_00]),
]
BUY_2_GET_1 = [r("b2g1", "promotion", {"kind": "buy_get", "buy": 2, "get": 1, "minimum_quantity": 3, "maximum_quantity": 7})]
GIFT = [r("gift", "order", {"kind": "gift", "model": "GIFT-KETTLE", "unit_price_fen": 10_00}, cond("order_quantity", "gte", 5),
          AGENT, stacking="stackable")]


@pytest.fixture
def world(db: Engine, gql: GraphQL) -> GraphQL:
    arrange_world(db)
    with Session(db) as s, s.begin():
        for model, category in EXTRA.items():
            s.add(Product(model=model, name=model, category=category, brand="华澜", list_price_fen=1000_00,
                          warranty_months=36, needs_installation=False))
    return gql


@pytest.mark.parametrize(("rules", "items", "context", "finals"), [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_scenario(world: GraphQL, rules: list[dict[str, Any]], items: list[tuple[str, int]], context: dict[str, Any],
                  finals: list[int]) -> None:
    publish(world, "scenario", rules)

    q = quote(world, items, **context)

    assert q["errors"] == []
    assert [line["finalAmountFen"] for line in q["quote"]["lines"] if line["kind"] == "sale"] == finals


def test_scenario_2_equal_priority_conflict_is_refused_at_publish(world: GraphQL) -> None:
    rule_set = create(world, "conflicting", {"rules": [r("a", "promotion", pct(5), priority=10, stacking="exclusive"),
                                                       r("b", "promotion", pct(8), priority=10, stacking="exclusive")]})

    payload = data_of(world(PUBLISH, {"id": rule_set["versions"][0]["id"], "input": {}}))["ruleSetVersionPublish"]

    assert [e["code"] for e in payload["errors"]] == ["CONFLICT"] and payload["ruleSetVersion"] is None


@pytest.mark.parametrize(("bought", "free"), [(2, 0), (5, 2), (7, 3)])
def test_scenario_6_buy_2_get_1(world: GraphQL, bought: int, free: int) -> None:
    publish(world, "b2g1", BUY_2_GET_1)

    lines = quote(world, [("TV-1000", bought)])["quote"]["lines"]

    assert sum(line["quantity"] for line in lines if line["kind"] == "free") == free


@pytest.mark.parametrize(("dealer", "quantity", "gifts"), [("D-CITY", 5, 1), ("D-CITY", 2, 0), ("D-RET", 5, 0)])
def test_scenario_7_gift_line(world: GraphQL, dealer: str, quantity: int, gifts: int) -> None:
    publish(world, "gift", GIFT)

    q = quote(world, [("TV-1000", quantity)], dealerCode=dealer)["quote"]

    gift_lines = [line for line in q["lines"] if line["kind"] == "gift"]
    assert len(gift_lines) == gifts and all(line["finalAmountFen"] == 10_00 for line in gift_lines)


def test_scenario_8_coupon_30_pct(world: GraphQL) -> None:
    publish(world, "coupons", [r("c30", "coupon", {"kind": "order_percent_off", "percent": "30"}, coupon="c30")])
    data_of(world(ISSUE, {"input": {"campaign": "c30", "codes": ["SPRING30"]}}))

    q = quote(world, [("XQG100-B1", 1)], couponCodes=["SPRING30"])["quote"]

    assert q["totals"]["finalAmountFen"] == 3500_00 and q["couponsApplied"] == ["SPRING30"]
