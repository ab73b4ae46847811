"""Placing orders at the engine's price: a single-use coupon (scenario 8), idempotency per
reference, budgets across orders, returns and cancellation giving points and coupons back."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from engine.store.consumer import Member
from engine.store.loyalty import PointsEntry
from engine.store.pricing import CouponRedemption, PricedOrder
from tests.api.pricing.arrange import CODES, ISSUE, arrange_world, cond, place, publish, quote
from tests.conftest import GraphQL, data_of

COUPON_30 = [{"id": "c30", "name": "30% 券", "stage": "coupon", "coupon": "c30",
              "action": {"kind": "order_percent_off", "percent": "30"}}]
POINTS = {"earn_rules": [{"id": "base", "name": "1 point per ¥1000", "conditions": [],
                          "action": {"kind": "rate", "points": 1, "per_yuan": 1000}}],
          "tiers": [{"tier": "normal", "min_growth": 0}, {"tier": "silver", "min_growth": 10_000},
                    {"tier": "gold", "min_growth": 20_000}]}
RETURN = """
mutation Return($id: ID!, $input: PricedOrderReturnInput!) {
  pricedOrderReturn(id: $id, input: $input) { pricedOrder { status lines { lineNo returnedQuantity } } errors { field code } }
}
"""
CANCEL = "mutation Cancel($id: ID!) { pricedOrderCancel(id: $id) { pricedOrder { status } errors { field code } } }"


@pytest.fixture
def world(db: Engine, gql: GraphQL) -> GraphQL:
    arrange_world(db)
    publish(gql, "coupons", COUPON_30)
    issued = data_of(gql(ISSUE, {"input": {"campaign": "c30", "codes": ["SPRING30"], "usageLimit": 1}}))["couponCodesIssue"]
    assert issued["errors"] == []
    return gql


def used_count(gql: GraphQL) -> int:
    return data_of(gql(CODES))["couponCodes"]["edges"][0]["node"]["usedCount"]


def counts(db: Engine) -> tuple[int, int]:
    with db.connect() as c:
        return (c.scalar(select(func.count()).select_from(PricedOrder)) or 0,
                c.scalar(select(func.count()).select_from(CouponRedemption)) or 0)


def test_single_use_coupon_5000_to_3500_then_refused(world: GraphQL, db: Engine) -> None:
    first = place(world, "ORD-1", [("XQG100-B1", 1)], memberNo="M0001", couponCodes=["SPRING30"])
    assert first["errors"] == [] and first["pricedOrder"]["finalAmountFen"] == 3500_00
    assert used_count(world) == 1

    second = place(world, "ORD-2", [("XQG100-B1", 1)], memberNo="M0001", couponCodes=["SPRING30"])

    assert second["pricedOrder"] is None
    assert [(e["field"], e["code"]) for e in second["errors"]] == [("input.request.context.couponCodes.0", "INVALID")]
    assert used_count(world) == 1 and counts(db) == (1, 1)


def test_a_quote_reports_the_used_up_code_without_redeeming(world: GraphQL) -> None:
    place(world, "ORD-1", [("XQG100-B1", 1)], couponCodes=["SPRING30"])

    q = quote(world, [("XQG100-B1", 1)], couponCodes=["SPRING30"])["quote"]

    assert q["totals"]["finalAmountFen"] == 5000_00
    assert [(t["reason"], t["detail"]) for t in q["trace"]] == [("USAGE_EXHAUSTED", "coupon SPRING30: used 1 of 1 times")]
    assert used_count(world) == 1


def test_placing_the_same_reference_again_returns_the_first_order(world: GraphQL, db: Engine) -> None:
    first = place(world, "ORD-1", [("XQG100-B1", 1)], couponCodes=["SPRING30"])
    again = place(world, "ORD-1", [("XQG100-B1", 1)], couponCodes=["SPRING30"])
    other = place(world, "ORD-1", [("XQG100-B1", 2)])

    assert again["pricedOrder"] == first["pricedOrder"] and again["errors"] == []
    assert [(e["field"], e["code"]) for e in other["errors"]] == [("input.orderRef", "CONFLICT")]
    assert counts(db) == (1, 1) and used_count(world) == 1


def test_cancelling_gives_the_coupon_use_back(world: GraphQL) -> None:
    order = place(world, "ORD-1", [("XQG100-B1", 1)], couponCodes=["SPRING30"])["pricedOrder"]

    payload = data_of(world(CANCEL, {"id": order["id"]}))["pricedOrderCancel"]

    assert payload == {"pricedOrder": {"status": "CANCELLED"}, "errors": []}
    assert used_count(world) == 0
    assert place(world, "ORD-2", [("XQG100-B1", 1)], couponCodes=["SPRING30"])["errors"] == []


def test_budget_runs_out_across_orders(db: Engine, gql: GraphQL) -> None:
    arrange_world(db)
    publish(gql, "budgeted", [{"id": "tv-100", "name": "TV ¥100 off, budget ¥250", "stage": "promotion",
                               "conditions": [cond("category", "eq", "tv")], "budget_fen": 250_00,
                               "action": {"kind": "amount_off", "amount_fen": 100_00}}])

    finals = [place(gql, f"ORD-{i}", [("65U7", 1)])["pricedOrder"]["finalAmountFen"] for i in range(4)]

    assert finals == [900_00, 900_00, 950_00, 1000_00]
    reasons = [t["reason"] for t in quote(gql, [("65U7", 1)])["quote"]["trace"]]
    assert reasons == ["BUDGET_EXHAUSTED"]


def points_of(db: Engine) -> tuple[int, str, int]:
    with db.connect() as c:
        points = c.scalar(select(func.coalesce(func.sum(PointsEntry.points), 0))) or 0
        member = c.execute(select(Member.tier, Member.growth_value)).first()
    assert member is not None
    return int(points), member.tier.value, member.growth_value


def test_points_follow_the_order_its_return_and_its_cancellation(db: Engine, gql: GraphQL) -> None:
    """Scenario 10 through orders: 20,000 paid → 20 points; returning half leaves 10."""
    arrange_world(db)
    with db.begin() as c:
        c.execute(text("UPDATE products SET list_price_fen = 2000000 WHERE model = 'XQG100-B1'"))
    from tests.api.rules.arrange import create
    loyalty = create(gql, "points", POINTS, kind="LOYALTY")
    from tests.api.rules.arrange import PUBLISH
    assert data_of(gql(PUBLISH, {"id": loyalty["versions"][0]["id"], "input": {}}))["ruleSetVersionPublish"]["errors"] == []

    order = place(gql, "ORD-P", [("XQG100-B1", 2)], memberNo="M0001")["pricedOrder"]
    assert points_of(db) == (40, "gold", 40_000)

    returned = data_of(gql(RETURN, {"id": order["id"], "input": {"reference": "RET-1", "lines": [{"lineNo": 1, "quantity": 1}]}}))
    assert returned["pricedOrderReturn"]["errors"] == []
    assert returned["pricedOrderReturn"]["pricedOrder"]["status"] == "PARTIALLY_RETURNED"
    assert points_of(db) == (20, "gold", 20_000)

    too_many = data_of(gql(RETURN, {"id": order["id"], "input": {"reference": "RET-2", "lines": [{"lineNo": 1, "quantity": 2}]}}))
    assert [(e["field"], e["code"]) for e in too_many["pricedOrderReturn"]["errors"]] == [("input.lines.0.quantity", "OUT_OF_RANGE")]
    assert points_of(db) == (20, "gold", 20_000)


def test_a_bad_order_changes_nothing(world: GraphQL, db: Engine) -> None:
    payload: dict[str, Any] = place(world, "ORD-X", [("NOPE", 1)], couponCodes=["SPRING30"])

    assert payload["pricedOrder"] is None and payload["errors"][0]["field"] == "input.request.lines.0.model"
    assert counts(db) == (0, 0) and used_count(world) == 0


def test_a_per_member_limit_refuses_the_members_second_use_only(db: Engine, gql: GraphQL) -> None:
    arrange_world(db)
    with db.begin() as c:
        c.execute(text("INSERT INTO members (member_no, name, region_code, tier, growth_value, marketing_consent, "
                       "special_needs, tags, created_at, updated_at) VALUES ('M0002', '李四', '310115', 'normal', 0, "
                       "false, '[]', '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    publish(gql, "coupons", COUPON_30)
    issued = data_of(gql(ISSUE, {"input": {"campaign": "c30", "codes": ["FAMILY30"], "usageLimit": 5, "perMemberLimit": 1}}))
    assert issued["couponCodesIssue"]["errors"] == []

    first = place(gql, "ORD-1", [("65U7", 1)], memberNo="M0001", couponCodes=["FAMILY30"])
    again = place(gql, "ORD-2", [("65U7", 1)], memberNo="M0001", couponCodes=["FAMILY30"])
    other = place(gql, "ORD-3", [("65U7", 1)], memberNo="M0002", couponCodes=["FAMILY30"])

    assert first["errors"] == [] and other["errors"] == []
    assert "limit 1" in again["errors"][0]["message"] and again["errors"][0]["code"] == "INVALID"
    assert used_count(gql) == 2


def test_generated_codes_are_unique_and_unambiguous(world: GraphQL) -> None:
    payload = data_of(world(ISSUE, {"input": {"campaign": "c30", "count": 50}}))["couponCodesIssue"]

    codes = [c["code"] for c in payload["couponCodes"]]
    assert payload["errors"] == [] and len(set(codes)) == 50
    assert not set("".join(codes)) & set("01OIL")
    repeated = data_of(world(ISSUE, {"input": {"campaign": "c30", "codes": [codes[0]]}}))["couponCodesIssue"]
    assert [(e["field"], e["code"]) for e in repeated["errors"]] == [("input.codes.0", "DUPLICATE")]
