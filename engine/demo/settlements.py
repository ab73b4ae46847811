"""Demo settlement inputs: dealer payments against their orders, weekly stock and sell-out
reports, a few price-violation records, and last quarter's dealer targets.

An order falls due `payment_terms_days` after the moment it was placed, as the settlement reads
it (engine/services/settlements.py); a payment received by then is on time. Dealers differ in how they pay (prompt, slow,
delinquent), so overdue receivables gather at a few dealers rather than at every one, and a
rebate condition "no overdue receivables" separates them.

Stock follows the goods: an order's units arrive on the day it was delivered, each week the
dealer sells a share of what it holds (reported on the week's last day, to one of its stores or
to consumers) and reports what is left. Only the last REPORT_WEEKS weeks are reported, the first
report being the opening balance, so `on_hand` of a report is the previous report's plus the
units delivered since, minus the units sold on its day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import numpy as np

from engine.clock import BRAND_TZ
from engine.demo.rows import Row, Rows, local_instant, stamped
from engine.demo.sales import FEN_PER_WAN
from schemas.dealer_reports import SellOutBuyer
from schemas.enums import CooperationLevel, PeriodKind, SalesOrderStatus, TargetOwner

UNPAYABLE = {SalesOrderStatus.REJECTED, SalesOrderStatus.CANCELLED}
RECEIVED = {SalesOrderStatus.DELIVERED, SalesOrderStatus.SIGNED}
# How a dealer pays: (share of dealers, P(order paid on time), P(late), P(left unpaid)).
PAYERS = {
    "prompt": (0.75, 0.98, 0.02, 0.00),
    "slow": (0.17, 0.70, 0.25, 0.05),
    "delinquent": (0.08, 0.30, 0.30, 0.40),
}
LATE_DAYS = 45  # a late payment comes within this many days after the due date
SPLIT_P = 0.25  # share of paid orders paid in two instalments
REPORT_WEEKS = 8
SELL_THROUGH = (0.15, 0.45)  # share of its stock a dealer sells in a week
VIOLATION_LEVELS = {CooperationLevel.RETAILER, CooperationLevel.ONLINE_FLAGSHIP, CooperationLevel.KEY_ACCOUNT}


def due_at(placed_at: datetime, payment_terms_days: int) -> datetime:
    """The last moment an order may be paid at and count as paid on time."""
    return placed_at + timedelta(days=payment_terms_days)


def payment_rows(rng: np.random.Generator, day: date, dealers: Rows, orders: Rows) -> Rows:
    """Payments received before `day` against every order that was not rejected or cancelled:
    most on time, some late, some not yet (overdue once the due date has passed)."""
    cutoff = local_instant(day, 0)
    kinds = list(PAYERS)
    shares = np.array([PAYERS[k][0] for k in kinds])
    payer = dict(zip((d["id"] for d in dealers), rng.choice(len(kinds), size=len(dealers), p=shares).tolist(),
                     strict=True))
    terms = {d["id"]: d["payment_terms_days"] for d in dealers}
    draws = rng.random((len(orders), 5)).tolist()
    payments: Rows = []

    def pay(order: Row, amount: int, at: datetime, part: int | None) -> None:
        if at >= cutoff or amount <= 0:
            return  # not received yet
        number = len(payments) + 1
        note = f"货款 {order['order_no']}" + (f"（第{part}笔）" if part else "")
        payments.append(stamped({
            "id": number, "payment_no": f"PAY{at.astimezone(BRAND_TZ):%Y%m%d}{number:07d}",
            "dealer_id": order["dealer_id"], "order_id": order["id"], "amount_fen": amount,
            "received_at": at, "note": note,
        }, at))

    for order, (u_kind, u_first, u_second, u_split, u_share) in zip(orders, draws, strict=True):
        if order["status"] in UNPAYABLE:
            continue
        _, on_time, late, _ = PAYERS[kinds[payer[order["dealer_id"]]]]
        placed: datetime = order["placed_at"]
        due_end = due_at(placed, terms[order["dealer_id"]])
        term = (due_end - placed) // timedelta(minutes=1)  # whole minutes (0 for cash on order)
        in_terms = placed + timedelta(minutes=int(term * u_first))
        total = order["total_fen"]
        first = int(total * (0.3 + 0.4 * u_share))
        if u_kind < on_time:  # paid within terms, perhaps in two instalments
            if u_split < SPLIT_P:
                rest = (due_end - in_terms) // timedelta(minutes=1)
                pay(order, first, in_terms, 1)
                pay(order, total - first, in_terms + timedelta(minutes=int(rest * u_second)), 2)
            else:
                pay(order, total, in_terms, None)
        elif u_kind < on_time + late:  # paid after the due date, perhaps a part of it on time
            late_at = due_end + timedelta(minutes=1 + int(LATE_DAYS * 24 * 60 * u_second))
            if u_split < SPLIT_P:
                pay(order, first, in_terms, 1)
                pay(order, total - first, late_at, 2)
            else:
                pay(order, total, late_at, None)
        # else: never paid
    return payments


def report_days(day: date) -> list[date]:
    """The days stock is reported on: the day before `day` and each week back, oldest first."""
    return [day - timedelta(days=1 + 7 * k) for k in reversed(range(REPORT_WEEKS))]


def dealer_report_rows(
    rng: np.random.Generator, day: date, dealers: Rows, stores: Rows, orders: Rows, lines: Rows, events: Rows
) -> tuple[Rows, Rows]:
    """Weekly stock reports and sell-out reports for every dealer and model it received."""
    delivered = {e["order_id"]: e["at"].astimezone(BRAND_TZ).date() for e in events
                 if e["to_status"] is SalesOrderStatus.DELIVERED}
    dealer_of = {o["id"]: o["dealer_id"] for o in orders if o["status"] in RECEIVED}
    receipts: dict[tuple[int, int], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for line in lines:
        order_id = line["order_id"]
        if order_id in dealer_of:
            receipts[(dealer_of[order_id], line["product_id"])][delivered[order_id]] += line["quantity"]
    pairs = sorted(receipts)
    reported = report_days(day)
    first = min((d for r in receipts.values() for d in r), default=reported[0])
    # Weeks end on the report days' weekday, back far enough to hold the first delivery.
    weeks_before = max(0, -((first - reported[0]).days // 7))
    ends = [reported[0] - timedelta(days=7 * k) for k in reversed(range(1, weeks_before + 1))] + reported
    week_of = {end - timedelta(days=k): w for w, end in enumerate(ends) for k in range(7)}
    arriving = np.zeros((len(pairs), len(ends)), dtype=np.int64)
    for p, pair in enumerate(pairs):
        for received_on, units in receipts[pair].items():
            arriving[p, week_of[received_on]] += units
    sell_through = dict(zip((d["id"] for d in dealers), rng.uniform(*SELL_THROUGH, size=len(dealers)).tolist(),
                            strict=True))
    rate = np.array([sell_through[dealer] for dealer, _ in pairs])
    stores_of: dict[int, list[int]] = defaultdict(list)
    for s in stores:
        stores_of[s["dealer_id"]].append(s["id"])

    stock_rows: Rows = []
    sellout_rows: Rows = []
    held = np.zeros(len(pairs), dtype=np.int64)
    shown = np.zeros(len(pairs), dtype=bool)  # a report was made and showed stock
    for w, end in enumerate(ends):
        held += arriving[:, w]
        sold = rng.binomial(held, rate)
        to_store = rng.binomial(sold, 0.6)
        store_pick = rng.integers(0, 1 << 30, size=len(pairs))
        held -= sold
        if end < reported[0]:
            continue
        at = local_instant(end, 20 * 60)
        for p in np.flatnonzero((held > 0) | shown | (sold > 0)).tolist():
            dealer_id, product_id = pairs[p]
            own = stores_of.get(dealer_id, [])
            parts = ((int(to_store[p]), SellOutBuyer.STORE), (int(sold[p] - to_store[p]), SellOutBuyer.CONSUMER)) \
                if own else ((int(sold[p]), SellOutBuyer.CONSUMER),)
            for units, buyer in parts:
                if units > 0 and end > reported[0]:  # the first report is the opening balance
                    sellout_rows.append(stamped({
                        "id": len(sellout_rows) + 1, "dealer_id": dealer_id, "product_id": product_id,
                        "sold_on": end, "quantity": units, "buyer": buyer,
                        "store_id": own[int(store_pick[p]) % len(own)] if buyer is SellOutBuyer.STORE else None,
                    }, at))
            stock_rows.append(stamped({
                "id": len(stock_rows) + 1, "dealer_id": dealer_id, "product_id": product_id,
                "as_of": end, "on_hand": int(held[p]),
            }, at))
        shown = held > 0
    return stock_rows, sellout_rows


def violation_rows(rng: np.random.Generator, day: date, dealers: Rows, products: Rows) -> Rows:
    """A few records of dealers selling below the brand's floor price (90% of list), in the last
    120 days: one dealer in eight of the levels that sell to consumers, one or two records each."""
    candidates = [d for d in dealers if d["cooperation_level"] in VIOLATION_LEVELS]
    n = max(1, len(candidates) // 8)
    chosen = sorted(rng.choice(len(candidates), size=min(n, len(candidates)), replace=False).tolist())
    rows: Rows = []
    for index in chosen:
        for _ in range(int(rng.integers(1, 3))):
            product = products[int(rng.integers(len(products)))]
            floor = product["list_price_fen"] * 90 // 100
            sold = product["list_price_fen"] * int(rng.integers(78, 89)) // 100
            at = local_instant(day - timedelta(days=int(rng.integers(1, 121))), int(rng.integers(9 * 60, 21 * 60)))
            rows.append(stamped({
                "id": len(rows) + 1, "dealer_id": candidates[index]["id"], "product_id": product["id"],
                "observed_at": at,
                "note": f"巡店发现 {product['model']} 标价 ¥{sold / 100:,.2f}，"
                        f"低于限价 ¥{floor / 100:,.2f}",
            }, at))
    return rows


def previous_quarter_target_rows(rng: np.random.Generator, day: date, orders: Rows, targets: Rows) -> Rows:
    """Each dealer's target for the quarter before `day`'s, numbered after `targets`, so the
    demo's last closed quarter settles against targets too: set from what the dealer ordered in
    it (75–130%, whole 10k CNY), so that about half the dealers reach theirs."""
    month = day.replace(day=1)
    quarter = month.replace(month=(month.month - 1) // 3 * 3 + 1)
    previous = (quarter - timedelta(days=1)).replace(day=1)
    previous = previous.replace(month=(previous.month - 1) // 3 * 3 + 1)
    begin, end = local_instant(previous, 0), local_instant(quarter, 0)
    ordered: dict[int, int] = defaultdict(int)
    for o in orders:
        if o["status"] not in UNPAYABLE and begin <= o["placed_at"] < end:
            ordered[o["dealer_id"]] += o["total_fen"]
    dealers = sorted(ordered)
    factors = rng.uniform(0.75, 1.3, size=len(dealers)).tolist()
    return [
        stamped({
            "id": len(targets) + k + 1, "owner_kind": TargetOwner.DEALER, "dealer_id": dealer_id,
            "store_id": None, "period_kind": PeriodKind.QUARTER, "period_start": previous,
            "amount_fen": max(1, round(ordered[dealer_id] * factor / FEN_PER_WAN)) * FEN_PER_WAN,
        }, local_instant(previous - timedelta(days=7), 10 * 60))
        for k, (dealer_id, factor) in enumerate(zip(dealers, factors, strict=True))
    ]
