"""Demo sales: dealer orders with lines and the status history behind each status; targets."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from engine.clock import BRAND_TZ, add_months
from engine.demo.rows import Rows, local_instant, stamped
from schemas.enums import CooperationLevel, PeriodKind, SalesOrderStatus, StoreGrade, TargetOwner

S = SalesOrderStatus
# The transitions each final status was reached by, from placement on.
HISTORIES: dict[SalesOrderStatus, tuple[tuple[SalesOrderStatus, ...], ...]] = {
    S.PLACED: ((S.PLACED,),),
    S.APPROVED: ((S.PLACED, S.APPROVED),),
    S.SHIPPED: ((S.PLACED, S.APPROVED, S.SHIPPED),),
    S.DELIVERED: ((S.PLACED, S.APPROVED, S.SHIPPED, S.DELIVERED),),
    S.SIGNED: ((S.PLACED, S.APPROVED, S.SHIPPED, S.DELIVERED, S.SIGNED),),
    S.REJECTED: ((S.PLACED, S.REJECTED),),
    S.CANCELLED: ((S.PLACED, S.CANCELLED), (S.PLACED, S.APPROVED, S.CANCELLED)),
}
STATUS_P = {
    S.PLACED: 0.08,
    S.APPROVED: 0.07,
    S.SHIPPED: 0.08,
    S.DELIVERED: 0.07,
    S.SIGNED: 0.60,
    S.REJECTED: 0.04,
    S.CANCELLED: 0.06,
}
# Hours between the previous status and this one: (least, most).
STEP_HOURS = {
    S.APPROVED: (1, 24),
    S.SHIPPED: (12, 72),
    S.DELIVERED: (12, 96),
    S.SIGNED: (1, 48),
    S.REJECTED: (1, 24),
    S.CANCELLED: (1, 72),
}
NOTES = {S.REJECTED: "信用额度不足，暂不审批", S.CANCELLED: "经销商取消订单"}
OPEN = {S.PLACED, S.APPROVED, S.SHIPPED, S.DELIVERED}

# By cooperation level: order weight, quantity range per line, price as % of list,
# monthly target (10k CNY).
LEVEL_TERMS: dict[
    CooperationLevel, tuple[int, tuple[int, int], tuple[int, int], tuple[int, int]]
] = {
    CooperationLevel.PROVINCIAL_AGENT: (3, (50, 500), (68, 72), (2_000, 5_000)),
    CooperationLevel.CITY_AGENT: (2, (10, 100), (72, 78), (300, 1_200)),
    CooperationLevel.RETAILER: (1, (2, 20), (80, 88), (20, 120)),
    CooperationLevel.KEY_ACCOUNT: (3, (20, 300), (74, 80), (1_000, 4_000)),
    CooperationLevel.ONLINE_FLAGSHIP: (2, (20, 200), (76, 82), (800, 3_000)),
}
STORE_MONTHLY_WAN = {StoreGrade.A: (30, 80), StoreGrade.B: (10, 30), StoreGrade.C: (3, 10)}
FEN_PER_WAN = 10_000 * 100


def unit_price_fen(list_price_fen: int, percent: int) -> int:
    """A dealer's price: `percent` of list, rounded half-up to the fen."""
    return int(
        (Decimal(list_price_fen) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )


def sales_order_rows(
    rng: np.random.Generator, n: int, day: date, dealers: Rows, stores: Rows, products: Rows
) -> tuple[Rows, Rows, Rows]:
    """`n` orders (open ones recent, finished ones up to half a year old), lines and events."""
    weights = np.array([LEVEL_TERMS[d["cooperation_level"]][0] for d in dealers], dtype=float)
    dealer_idx = rng.choice(len(dealers), size=n, p=weights / weights.sum()).tolist()
    statuses = list(STATUS_P)
    status_idx = rng.choice(len(statuses), size=n, p=list(STATUS_P.values())).tolist()
    # Drawn in bulk: per-order calls into numpy would dominate the run time at the large size.
    picks = rng.integers(0, 1 << 30, size=(n, 2)).tolist()
    step_u = rng.random((n, 4)).tolist()
    age_u = rng.random(n).tolist()
    with_store = (rng.random(n) < 0.5).tolist()
    line_counts = rng.integers(1, 6, size=n).tolist()
    line_products = np.argsort(rng.random((n, len(products))), axis=1)[:, :5].tolist()
    percent_u = rng.random(n).tolist()
    quantity_u = rng.random((n, 5)).tolist()
    stores_of: dict[int, list[int]] = {}
    for s in stores:
        stores_of.setdefault(s["dealer_id"], []).append(s["id"])
    cutoff = local_instant(day, 0)

    orders: Rows = []
    lines: Rows = []
    events: Rows = []
    for i in range(n):
        dealer = dealers[dealer_idx[i]]
        status = statuses[status_idx[i]]
        _, (q_low, q_high), (p_low, p_high), _ = LEVEL_TERMS[dealer["cooperation_level"]]
        histories = HISTORIES[status]
        history = histories[picks[i][0] % len(histories)]
        steps = [
            timedelta(
                minutes=int(60 * (STEP_HOURS[s][0] + u * (STEP_HOURS[s][1] - STEP_HOURS[s][0])))
            )
            for s, u in zip(history[1:], step_u[i], strict=False)
        ]
        age_minutes = (10 if status in OPEN else 180) * 24 * 60
        placed = (
            cutoff - sum(steps, timedelta()) - timedelta(minutes=30 + int(age_u[i] * age_minutes))
        )
        order_id = i + 1

        own_stores = stores_of.get(dealer["id"], [])
        store_id = (
            own_stores[picks[i][1] % len(own_stores)] if own_stores and with_store[i] else None
        )
        percent = p_low + int(percent_u[i] * (p_high - p_low + 1))
        total = 0
        for line_no, p in enumerate(line_products[i][: line_counts[i]], start=1):
            product = products[p]
            quantity = q_low + int(quantity_u[i][line_no - 1] * (q_high - q_low + 1))
            unit = unit_price_fen(product["list_price_fen"], percent)
            total += unit * quantity
            lines.append(
                {
                    "id": len(lines) + 1,
                    "order_id": order_id,
                    "line_no": line_no,
                    "product_id": product["id"],
                    "quantity": quantity,
                    "unit_price_fen": unit,
                    "amount_fen": unit * quantity,
                }
            )

        at = placed
        previous: SalesOrderStatus | None = None
        for k, to_status in enumerate(history):
            if k:
                at += steps[k - 1]
            events.append(
                {
                    "id": len(events) + 1,
                    "order_id": order_id,
                    "from_status": previous,
                    "to_status": to_status,
                    "at": at,
                    "note": NOTES.get(to_status),
                }
            )
            previous = to_status
        orders.append(
            {
                "id": order_id,
                "order_no": f"SO{placed.astimezone(BRAND_TZ):%Y%m%d}{order_id:06d}",
                "dealer_id": dealer["id"],
                "store_id": store_id,
                "status": status,
                "placed_at": placed,
                "total_fen": total,
                "note": NOTES.get(status),
                "version": len(history),
                "created_at": placed,
                "updated_at": at,
            }
        )
    return orders, lines, events


def target_rows(rng: np.random.Generator, day: date, dealers: Rows, stores: Rows) -> Rows:
    """Dealer targets for this and the two previous months, this quarter and this year;
    store targets for this month."""
    month = day.replace(day=1)
    quarter = month.replace(month=(month.month - 1) // 3 * 3 + 1)
    year = month.replace(month=1)
    targets: Rows = []

    def add(
        kind: TargetOwner, owner_id: int, period: PeriodKind, start: date, amount_wan: int
    ) -> None:
        owner = (
            {"dealer_id": owner_id, "store_id": None}
            if kind is TargetOwner.DEALER
            else {"dealer_id": None, "store_id": owner_id}
        )
        targets.append(
            stamped(
                {
                    "id": len(targets) + 1,
                    "owner_kind": kind,
                    **owner,
                    "period_kind": period,
                    "period_start": start,
                    "amount_fen": amount_wan * FEN_PER_WAN,
                },
                local_instant(start - timedelta(days=7), 10 * 60),
            )
        )

    for dealer in dealers:
        low, high = LEVEL_TERMS[dealer["cooperation_level"]][3]
        monthly = int(rng.integers(low, high + 1))
        for back in (2, 1, 0):
            add(
                TargetOwner.DEALER,
                dealer["id"],
                PeriodKind.MONTH,
                add_months(month, -back),
                int(monthly * rng.uniform(0.9, 1.1)),
            )
        add(
            TargetOwner.DEALER,
            dealer["id"],
            PeriodKind.QUARTER,
            quarter,
            int(monthly * 3 * rng.uniform(0.95, 1.05)),
        )
        add(
            TargetOwner.DEALER,
            dealer["id"],
            PeriodKind.YEAR,
            year,
            int(monthly * 12 * rng.uniform(0.95, 1.05)),
        )
    for store in stores:
        low, high = STORE_MONTHLY_WAN[store["grade"]]
        add(
            TargetOwner.STORE,
            store["id"],
            PeriodKind.MONTH,
            month,
            int(rng.integers(low, high + 1)),
        )
    return targets
