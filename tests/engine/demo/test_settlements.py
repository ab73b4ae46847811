"""Demo settlement inputs agree with the orders: payments against payable orders (on time, late,
missing), stock that follows deliveries and sell-out, a few violations, last quarter's targets,
and rebate and price-protection documents that the demo volumes exercise."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from engine.clock import BRAND_TZ
from engine.demo.generate import DemoData
from engine.services.rule_documents import parse
from schemas.enums import CooperationLevel, PeriodKind, SalesOrderStatus, TargetOwner
from schemas.rebates import MeasureKind, PriceProtectionDocument, RebateDocument, TierMode
from schemas.rules import RuleSetKind

NOT_PAYABLE = {SalesOrderStatus.REJECTED, SalesOrderStatus.CANCELLED}


def local_day(at: datetime) -> date:
    return at.astimezone(BRAND_TZ).date()


def due(order: dict[str, Any], dealers: dict[int, dict[str, Any]]) -> datetime:
    """Paid on time means received at most the dealer's payment terms after the order was placed."""
    return order["placed_at"] + timedelta(days=dealers[order["dealer_id"]]["payment_terms_days"])


def standing(data: DemoData) -> dict[int, tuple[int, int]]:
    """Per order: (paid by its due date, paid in all) in fen."""
    dealers = {d["id"]: d for d in data.tables["dealers"]}
    orders = {o["id"]: o for o in data.tables["sales_orders"]}
    paid: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for p in data.tables["dealer_payments"]:
        order = orders[p["order_id"]]
        paid[order["id"]][1] += p["amount_fen"]
        if p["received_at"] <= due(order, dealers):
            paid[order["id"]][0] += p["amount_fen"]
    return {order_id: (on_time, total) for order_id, (on_time, total) in paid.items()}


def test_payments_are_received_before_the_demo_day_against_payable_orders_of_their_dealer(
    small: DemoData,
) -> None:
    orders = {o["id"]: o for o in small.tables["sales_orders"]}
    payments = small.tables["dealer_payments"]
    cutoff = datetime.combine(small.day, datetime.min.time(), BRAND_TZ)

    for p in payments:
        order = orders[p["order_id"]]
        assert p["dealer_id"] == order["dealer_id"] and order["status"] not in NOT_PAYABLE
        assert order["placed_at"] <= p["received_at"] < cutoff
        assert p["amount_fen"] > 0
    assert all(total <= orders[o]["total_fen"] for o, (_, total) in standing(small).items())
    assert len({p["payment_no"] for p in payments}) == len(payments)


def test_most_orders_due_are_paid_on_time_some_late_and_some_are_overdue_at_a_few_dealers(
    small: DemoData,
) -> None:
    dealers = {d["id"]: d for d in small.tables["dealers"]}
    paid = standing(small)
    cutoff = datetime.combine(small.day, datetime.min.time(), BRAND_TZ)
    due_orders = [o for o in small.tables["sales_orders"]
                  if o["status"] not in NOT_PAYABLE and due(o, dealers) < cutoff]
    on_time = [o for o in due_orders if paid.get(o["id"], (0, 0))[0] == o["total_fen"]]
    late = [o for o in due_orders if paid.get(o["id"], (0, 0))[0] < paid.get(o["id"], (0, 0))[1]]
    overdue = defaultdict(int)
    for o in due_orders:
        overdue[o["dealer_id"]] += o["total_fen"] - paid.get(o["id"], (0, 0))[1]

    assert len(on_time) > len(due_orders) / 2
    assert late
    owing = {d for d, fen in overdue.items() if fen > 0}
    assert 0 < len(owing) < len(dealers) / 2


def test_each_stock_report_is_the_last_one_plus_deliveries_since_minus_the_days_sell_out(
    small: DemoData,
) -> None:
    orders = {o["id"]: o for o in small.tables["sales_orders"]}
    delivered_on = {e["order_id"]: local_day(e["at"]) for e in small.tables["sales_order_events"]
                    if e["to_status"] is SalesOrderStatus.DELIVERED
                    and orders[e["order_id"]]["status"] in {SalesOrderStatus.DELIVERED, SalesOrderStatus.SIGNED}}
    deliveries: dict[tuple[int, int], list[tuple[date, int]]] = defaultdict(list)
    for line in small.tables["sales_order_lines"]:
        if line["order_id"] in delivered_on:
            key = (orders[line["order_id"]]["dealer_id"], line["product_id"])
            deliveries[key].append((delivered_on[line["order_id"]], line["quantity"]))
    on_hand = {(r["dealer_id"], r["product_id"], r["as_of"]): r["on_hand"]
               for r in small.tables["dealer_stock_reports"]}
    sold: dict[tuple[int, int, date], int] = defaultdict(int)
    for s in small.tables["dealer_sellout_reports"]:
        sold[(s["dealer_id"], s["product_id"], s["sold_on"])] += s["quantity"]
    days = sorted({r["as_of"] for r in small.tables["dealer_stock_reports"]})
    checked = 0

    assert [b - a for a, b in zip(days, days[1:])] == [timedelta(days=7)] * (len(days) - 1)
    assert days[-1] == small.day - timedelta(days=1)
    for dealer_id, product_id in {(k[0], k[1]) for k in on_hand}:
        first = min(d for d in days if (dealer_id, product_id, d) in on_hand)
        for before, day in zip(days, days[1:]):
            if day <= first:
                continue
            arrived = sum(q for d, q in deliveries[(dealer_id, product_id)] if before < d <= day)
            held_before = on_hand.get((dealer_id, product_id, before), 0)
            expected = held_before + arrived - sold.get((dealer_id, product_id, day), 0)
            assert on_hand.get((dealer_id, product_id, day), 0) == expected
            checked += 1
    assert checked > 100
    assert set(sold) <= set(on_hand)  # a day's sale is reported with the stock left after it
    assert {(k[0], k[1]) for k in on_hand} <= set(deliveries)  # only models the dealer received


def test_sell_out_goes_to_one_of_the_dealers_stores_or_to_consumers(small: DemoData) -> None:
    store_dealer = {s["id"]: s["dealer_id"] for s in small.tables["stores"]}
    rows = small.tables["dealer_sellout_reports"]

    for s in rows:
        if s["buyer"].value == "store":
            assert store_dealer[s["store_id"]] == s["dealer_id"]
        else:
            assert s["store_id"] is None
    assert {s["buyer"].value for s in rows} == {"store", "consumer"}


def test_a_few_dealers_that_sell_to_consumers_have_price_violation_records(small: DemoData) -> None:
    dealers = {d["id"]: d for d in small.tables["dealers"]}
    violations = small.tables["price_violations"]
    offenders = {v["dealer_id"] for v in violations}

    assert 0 < len(offenders) <= len(dealers) / 4
    assert all(dealers[d]["cooperation_level"] in {CooperationLevel.RETAILER, CooperationLevel.ONLINE_FLAGSHIP,
                                                     CooperationLevel.KEY_ACCOUNT} for d in offenders)
    assert all(small.day - timedelta(days=121) <= local_day(v["observed_at"]) < small.day for v in violations)


def test_every_dealer_that_ordered_last_quarter_has_a_target_for_it(small: DemoData) -> None:
    last_quarter = date(2026, 7, 1)  # the demo day is 2026-12-01
    begin = datetime.combine(last_quarter, datetime.min.time(), BRAND_TZ)
    end = datetime.combine(date(2026, 10, 1), datetime.min.time(), BRAND_TZ)
    ordered = {o["dealer_id"] for o in small.tables["sales_orders"]
               if o["status"] not in NOT_PAYABLE and begin <= o["placed_at"] < end}
    targets = [t for t in small.tables["sales_targets"]
               if t["period_kind"] is PeriodKind.QUARTER and t["period_start"] == last_quarter]

    assert {t["dealer_id"] for t in targets} == ordered
    assert all(t["owner_kind"] is TargetOwner.DEALER and t["amount_fen"] > 0 for t in targets)
    keys = [(t["owner_kind"], t["dealer_id"], t["store_id"], t["period_kind"], t["period_start"])
            for t in small.tables["sales_targets"]]
    assert len(set(keys)) == len(keys)


def _published(data: DemoData, kind: RuleSetKind) -> Any:
    (rule_set,) = [s for s in data.tables["rule_sets"] if s["kind"] is kind]
    (version,) = [v for v in data.tables["rule_set_versions"] if v["rule_set_id"] == rule_set["id"]]
    assert version["status"].value == "published"
    return parse(kind, version["document"])


def test_the_published_rebate_policies_are_a_retroactive_quarter_a_marginal_month_and_a_target(
    small: DemoData,
) -> None:
    document = _published(small, RuleSetKind.REBATE)

    assert isinstance(document, RebateDocument)
    shapes = {(p.period, p.mode, p.measure, bool(p.scope)) for p in document.policies}
    assert shapes == {
        (PeriodKind.QUARTER, TierMode.RETROACTIVE, MeasureKind.VOLUME, False),
        (PeriodKind.MONTH, TierMode.MARGINAL, MeasureKind.VOLUME, True),
        (PeriodKind.QUARTER, TierMode.RETROACTIVE, MeasureKind.TARGET_PERCENT, False),
    }
    assert all(any(c.fact == "overdue_fen" and c.op.value == "lte" and c.value == 0 for c in p.eligibility)
               for p in document.policies)
    protection = _published(small, RuleSetKind.PRICE_PROTECTION)
    assert isinstance(protection, PriceProtectionDocument)
    assert [p.window_days for p in protection.policies] == [30]


def test_last_quarters_purchases_reach_several_tiers_of_the_quarterly_policy(small: DemoData) -> None:
    document = _published(small, RuleSetKind.REBATE)
    (policy,) = [p for p in document.policies if p.id == "quarterly-purchase"]
    begin = datetime.combine(date(2026, 7, 1), datetime.min.time(), BRAND_TZ)
    end = datetime.combine(date(2026, 10, 1), datetime.min.time(), BRAND_TZ)
    volume: dict[int, int] = defaultdict(int)
    for o in small.tables["sales_orders"]:
        if o["status"] not in NOT_PAYABLE and begin <= o["placed_at"] < end:
            volume[o["dealer_id"]] += o["total_fen"]

    reached = {sum(Decimal(v) >= t.at_least for t in policy.tiers) for v in volume.values()}
    assert len(reached) >= 3
