"""A settlement quarter at scale, written straight into an empty, migrated database: 10,000
dealers, 2,000,000 order lines (~400,000 orders) in the quarter, last year's same quarter (for
growth) in a quarter of the lines at about this year's volume, payments on time, late and
missing, a target per dealer for the quarter, a few price violations, and the published rebate policies.

Seeded and generated in chunks with numpy, inserted with SQLAlchemy Core (executemany), so a
test can load a small quarter (`Scale(dealers=40, lines=2_000)`) through the same code. On
SQLite the load runs without a journal and without syncing (`load_quarter`), then gathers the
planner's statistics as the demo loader does.

`python -m benchmarks.settlement_data sqlite:///var/settlements.db` loads the full quarter and
prints the counts and the time taken.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, insert, text

from engine.clock import BRAND_TZ
from engine.demo.catalogue import product_rows
from engine.demo.channel import PROFILES
from engine.demo.geography import DISTRICTS
from engine.demo.load import reset_id_sequences, table
from engine.demo.names import person_names
from engine.demo.sales import LEVEL_TERMS
from engine.demo.settlements import LATE_DAYS, PAYERS, SPLIT_P
from engine.services.rule_documents import digest, parse
from schemas.enums import (
    ChannelType, CooperationLevel, PeriodKind, ProductCategory, SalesOrderStatus, TargetOwner,
)
from schemas.rules import RuleSetKind, RuleSetStatus

QUARTER = date(2026, 7, 1)
DAY = 24 * 60  # minutes
WAN = 10_000 * 100  # 10k CNY in fen
CHUNK_ORDERS = 20_000
# Each order has 1–9 lines, 5 on average.
LINES_PER_ORDER = (1, 9)
CATEGORY_SHARE = {
    ProductCategory.AIR_CONDITIONER: 0.30,
    ProductCategory.WASHER: 0.18,
    ProductCategory.REFRIGERATOR: 0.20,
    ProductCategory.WATER_HEATER: 0.12,
    ProductCategory.RANGE_HOOD: 0.10,
    ProductCategory.TV: 0.10,
}
STATUS_SHARE = {  # a closed quarter: nearly every order has been delivered and signed for
    SalesOrderStatus.SIGNED: 0.86,
    SalesOrderStatus.DELIVERED: 0.05,
    SalesOrderStatus.SHIPPED: 0.02,
    SalesOrderStatus.APPROVED: 0.01,
    SalesOrderStatus.REJECTED: 0.02,
    SalesOrderStatus.CANCELLED: 0.04,
}
UNPAYABLE = (SalesOrderStatus.REJECTED, SalesOrderStatus.CANCELLED)
# Dealers by level: (share of dealers, share of orders placed per dealer relative to a retailer).
LEVELS = {
    CooperationLevel.PROVINCIAL_AGENT: (0.001, 40.0),
    CooperationLevel.CITY_AGENT: (0.02, 8.0),
    CooperationLevel.KEY_ACCOUNT: (0.009, 12.0),
    CooperationLevel.RETAILER: (0.97, 1.0),
}


@dataclass(frozen=True)
class Scale:
    dealers: int = 10_000
    lines: int = 2_000_000  # in the quarter; last year's quarter has `prior_share` of it
    prior_share: float = 0.25
    products_per_category: int = 30


FULL = Scale()


@dataclass(frozen=True)
class Loaded:
    quarter: date
    as_of: datetime  # the moment the data describes: payments after it are not recorded yet
    counts: dict[str, int]
    seconds: float


def as_of_of(quarter: date) -> datetime:
    """Sixty days after the quarter's end, at midnight in the brand's time zone."""
    return datetime.combine(_quarter_end(quarter) + timedelta(days=60), datetime.min.time(), BRAND_TZ).astimezone(UTC)


def rebate_document() -> dict[str, Any]:
    """The published quarterly policies: retroactive purchase tiers, marginal air-conditioner
    bands, paid-in-terms tiers, a target reward, a growth reward, a per-unit TV reward."""
    clean = [{"fact": "overdue_fen", "op": "lte", "value": 0}]
    return {"policies": [
        {"id": "q-purchase", "name": "季度进货返利", "period": "quarter", "basis": "purchase_amount",
         "mode": "retroactive", "settlement": "cash",
         "eligibility": [*clean, {"fact": "price_violations", "op": "lte", "value": 0}],
         "tiers": [{"at_least": 300 * WAN, "percent": "0.5"}, {"at_least": 600 * WAN, "percent": "1"},
                   {"at_least": 900 * WAN, "percent": "1.5"}, {"at_least": 5_000 * WAN, "percent": "2"}]},
        {"id": "q-ac-bands", "name": "空调季度分段返利", "period": "quarter", "basis": "purchase_amount",
         "mode": "marginal", "settlement": "credit", "eligibility": clean,
         "scope": [{"fact": "category", "op": "eq", "value": "air_conditioner"}],
         "tiers": [{"at_least": 0, "percent": "0.5"}, {"at_least": 150 * WAN, "percent": "1"},
                   {"at_least": 300 * WAN, "percent": "1.5"}], "up_to": 3_000 * WAN},
        {"id": "q-paid", "name": "按期回款奖励", "period": "quarter", "basis": "paid_amount",
         "mode": "retroactive", "settlement": "credit",
         "tiers": [{"at_least": 300 * WAN, "percent": "0.3"}, {"at_least": 800 * WAN, "percent": "0.6"}]},
        {"id": "q-target", "name": "季度目标达成奖", "period": "quarter", "basis": "purchase_amount",
         "measure": "target_percent", "mode": "retroactive", "settlement": "credit", "eligibility": clean,
         "tiers": [{"at_least": 90, "percent": "0.5"}, {"at_least": 100, "percent": "1"},
                   {"at_least": 120, "amount_fen": 20 * WAN}], "cap_fen": 100 * WAN},
        {"id": "q-growth", "name": "同比增长奖", "period": "quarter", "basis": "purchase_amount",
         "measure": "growth_percent", "mode": "retroactive", "settlement": "cash", "eligibility": clean,
         "tiers": [{"at_least": 10, "percent": "0.5"}, {"at_least": 30, "percent": "1"}]},
        {"id": "q-tv-units", "name": "电视按台返利", "period": "quarter", "basis": "quantity",
         "mode": "retroactive", "settlement": "goods",
         "scope": [{"fact": "category", "op": "eq", "value": "tv"}],
         "eligibility": [{"fact": "cooperation_level", "op": "in", "value": ["retailer", "key_account"]}],
         "tiers": [{"at_least": 100, "per_unit_fen": 2_000}, {"at_least": 200, "per_unit_fen": 3_000}]},
    ]}


def load_quarter(
    engine: Engine, scale: Scale = FULL, seed: int = 7, quarter: date = QUARTER, chunk_orders: int = CHUNK_ORDERS
) -> Loaded:
    """Generate and insert the quarter into an empty, migrated database; one transaction."""
    started = time.perf_counter()
    rng = dict(zip(("dealers", "products", "orders", "prior", "targets", "violations"),
                   np.random.default_rng(seed).spawn(6), strict=True))
    as_of = as_of_of(quarter)
    prior = quarter.replace(year=quarter.year - 1)
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # outside a transaction: SQLite refuses to change the journal inside one
            connection.exec_driver_sql("PRAGMA journal_mode=OFF")
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
        stamp = _midnight(quarter) - timedelta(days=30)
        dealers = _dealers(rng["dealers"], scale.dealers, stamp)
        products = product_rows(rng["products"], scale.products_per_category, quarter)
        _insert(connection, "dealers", dealers, counts)
        regions = [{"dealer_id": d["id"], "region_code": DISTRICTS[d["id"] % len(DISTRICTS)].code} for d in dealers]
        _insert(connection, "dealer_regions", regions, counts)
        _insert(connection, "products", products, counts)
        _insert(connection, "rule_sets", [{
            "id": 1, "key": "channel-rebates", "kind": RuleSetKind.REBATE, "name": "经销商返利政策",
            "description": None, "created_by": "benchmarks", "created_at": stamp, "updated_at": stamp}], counts)
        document = parse(RuleSetKind.REBATE, rebate_document()).model_dump(mode="json")
        _insert(connection, "rule_set_versions", [{
            "id": 1, "rule_set_id": 1, "version": 1, "status": RuleSetStatus.PUBLISHED, "document": document,
            "digest": digest(document), "valid_from": None, "valid_to": None, "author": "benchmarks", "note": None,
            "published_at": stamp, "published_by": "benchmarks", "retired_at": None, "retired_by": None,
            "row_version": 1, "created_at": stamp, "updated_at": stamp}], counts)

        volume = np.zeros(len(dealers) + 1, dtype=np.int64)
        ids = {"order": 0, "line": 0, "payment": 0}
        prior_lines = int(scale.lines * scale.prior_share)
        # Last year's lines are fewer and their quantities larger, so that a dealer's volume is
        # 75–125% of this year's on average and growth is not an artefact of the row count
        # (with a quarter of the orders it still spreads widely: median +4%, deciles −44%, +123%).
        prior_scale = rng["prior"].uniform(0.75, 1.25, size=len(dealers)) * scale.prior_share ** -1
        for start, lines, stream, sizing in ((prior, prior_lines, rng["prior"], prior_scale),
                                             (quarter, scale.lines, rng["orders"], None)):
            for orders_, lines_, payments_, totals in _orders(stream, dealers, products, start, lines, as_of,
                                                              chunk_orders, ids, sizing):
                _insert(connection, "sales_orders", orders_, counts)
                _insert(connection, "sales_order_lines", lines_, counts)
                _insert(connection, "dealer_payments", payments_, counts)
                if sizing is None:
                    np.add.at(volume, totals[0], totals[1])
        _insert(connection, "sales_targets", _targets(rng["targets"], volume, quarter, stamp), counts)
        _insert(connection, "price_violations", _violations(rng["violations"], len(dealers), len(products), quarter),
                counts)
        reset_id_sequences(connection)
        connection.commit()
        if sqlite:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        connection.execute(text("ANALYZE"))
        connection.commit()
    return Loaded(quarter, as_of, counts, time.perf_counter() - started)


# --- generation ------------------------------------------------------------------------------
def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), BRAND_TZ).astimezone(UTC)


def _quarter_end(quarter: date) -> date:
    month = quarter.month + 3
    return date(quarter.year + (month > 12), (month - 1) % 12 + 1, 1)


def _dealers(rng: np.random.Generator, n: int, at: datetime) -> list[dict[str, Any]]:
    """A tree: provincial agents over city agents over retailers, and key accounts on their own."""
    counts = {level: max(1, round(n * share)) for level, (share, _) in LEVELS.items()}
    counts[CooperationLevel.RETAILER] = n - sum(c for level, c in counts.items()
                                                if level is not CooperationLevel.RETAILER)
    names = person_names(rng, n)
    rows: list[dict[str, Any]] = []
    ids: dict[CooperationLevel, list[int]] = {}
    channel = {CooperationLevel.PROVINCIAL_AGENT: ChannelType.AGENT, CooperationLevel.CITY_AGENT: ChannelType.AGENT,
               CooperationLevel.KEY_ACCOUNT: ChannelType.CHAIN_STORE,
               CooperationLevel.RETAILER: ChannelType.DIRECT_RETAILER}
    parents = {CooperationLevel.CITY_AGENT: CooperationLevel.PROVINCIAL_AGENT,
               CooperationLevel.RETAILER: CooperationLevel.CITY_AGENT}
    for level, count in counts.items():
        terms = PROFILES[level].payment_terms
        for k in range(count):
            dealer_id = len(rows) + 1
            above = ids.get(parents.get(level, level), []) if level in parents else []
            ids.setdefault(level, []).append(dealer_id)
            rows.append({
                "id": dealer_id, "code": f"B{level.value[:2].upper()}{dealer_id:05d}",
                "name": f"经销商{dealer_id:05d}", "legal_representative": names[dealer_id - 1],
                "channel_type": channel[level], "cooperation_level": level,
                "parent_id": above[k % len(above)] if above else None, "registered_capital_fen": 0,
                "signing_date": None, "agreement_ref": None, "main_brands": [], "main_categories": [],
                "warehouse_m2": 0, "vehicles": 0, "staff": 0, "outlets_covered": 0, "credit_limit_fen": 0,
                "payment_terms_days": int(terms[int(rng.integers(len(terms)))]), "created_at": at, "updated_at": at,
            })
    return rows


def _orders(
    rng: np.random.Generator, dealers: list[dict[str, Any]], products: list[dict[str, Any]], quarter: date,
    n_lines: int, as_of: datetime, chunk: int, ids: dict[str, int], sizing: np.ndarray | None = None,
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], tuple[np.ndarray, np.ndarray]]]:
    """The quarter's orders in chunks: (orders, lines, payments, (dealer ids, totals)); `sizing`
    multiplies each dealer's quantities."""
    n_orders = max(1, round(n_lines / (sum(LINES_PER_ORDER) / 2)))  # the mean line count
    levels = [d["cooperation_level"] for d in dealers]
    weight = np.array([LEVELS[level][1] for level in levels])
    terms = np.array([d["payment_terms_days"] for d in dealers])
    kinds = list(PAYERS)
    payer = rng.choice(len(kinds), size=len(dealers), p=[PAYERS[k][0] for k in kinds])
    on_time_p = np.array([PAYERS[kinds[k]][1] for k in payer])
    late_p = np.array([PAYERS[kinds[k]][2] for k in payer])
    q_low = np.array([LEVEL_TERMS[level][1][0] for level in levels])
    q_high = np.array([LEVEL_TERMS[level][1][1] for level in levels])
    p_low = np.array([LEVEL_TERMS[level][2][0] for level in levels])
    p_high = np.array([LEVEL_TERMS[level][2][1] for level in levels])
    by_category = {c: [i for i, p in enumerate(products) if p["category"] is c] for c in CATEGORY_SHARE}
    categories = list(CATEGORY_SHARE)
    list_price = np.array([p["list_price_fen"] for p in products], dtype=np.int64)
    product_id = np.array([p["id"] for p in products])
    statuses = list(STATUS_SHARE)
    base = _midnight(quarter)
    minutes = (_midnight(_quarter_end(quarter)) - base) // timedelta(minutes=1)
    cutoff = (as_of - base) // timedelta(minutes=1)
    unpayable = np.array([s in UNPAYABLE for s in statuses])

    for first in range(0, n_orders, chunk):
        m = min(chunk, n_orders - first)
        dealer = rng.choice(len(dealers), size=m, p=weight / weight.sum())
        placed = np.sort(rng.integers(0, minutes, size=m))
        status = rng.choice(len(statuses), size=m, p=list(STATUS_SHARE.values()))
        percent = p_low[dealer] + (rng.random(m) * (p_high[dealer] - p_low[dealer] + 1)).astype(np.int64)
        n_of = rng.integers(LINES_PER_ORDER[0], LINES_PER_ORDER[1] + 1, size=m)
        order_of = np.repeat(np.arange(m), n_of)
        k = len(order_of)
        category = rng.choice(len(categories), size=k, p=list(CATEGORY_SHARE.values()))
        pick = rng.random(k)
        product = np.empty(k, dtype=np.int64)
        for c, members in enumerate(by_category[x] for x in categories):
            where = category == c
            product[where] = np.asarray(members)[(pick[where] * len(members)).astype(np.int64)]
        d = dealer[order_of]
        quantity = q_low[d] + (rng.random(k) * (q_high[d] - q_low[d] + 1)).astype(np.int64)
        if sizing is not None:
            quantity = np.maximum(1, np.round(quantity * sizing[d])).astype(np.int64)
        unit = (list_price[product] * percent[order_of] + 50) // 100  # half-up to the fen
        amount = unit * quantity
        total = np.bincount(order_of, weights=amount, minlength=m).astype(np.int64)
        line_no = np.arange(k) - np.repeat(np.cumsum(n_of) - n_of, n_of) + 1

        order_ids = ids["order"] + 1 + np.arange(m)
        placed_at = [base + timedelta(minutes=int(x)) for x in placed.tolist()]
        orders = [
            {"id": i, "order_no": f"SO{at.astimezone(BRAND_TZ):%Y%m%d}{i:07d}", "dealer_id": dl + 1, "store_id": None,
             "status": statuses[s], "placed_at": at, "total_fen": t, "note": None, "version": 1,
             "created_at": at, "updated_at": at}
            for i, at, dl, s, t in zip(order_ids.tolist(), placed_at, dealer.tolist(), status.tolist(),
                                       total.tolist(), strict=True)
        ]
        lines = [
            {"id": ids["line"] + 1 + j, "order_id": o, "line_no": ln, "product_id": p, "quantity": q,
             "unit_price_fen": u, "amount_fen": a}
            for j, (o, ln, p, q, u, a) in enumerate(zip(order_ids[order_of].tolist(), line_no.tolist(),
                                                       product_id[product].tolist(), quantity.tolist(), unit.tolist(),
                                                       amount.tolist(), strict=True))
        ]
        payments = _payments(rng, order_ids, dealer, placed, total, unpayable[status], terms, on_time_p, late_p,
                             cutoff, base, ids)
        ids["order"] += m
        ids["line"] += k
        yield orders, lines, payments, (dealer + 1, total)


def _payments(
    rng: np.random.Generator, order_ids: np.ndarray, dealer: np.ndarray, placed: np.ndarray, total: np.ndarray,
    unpayable: np.ndarray, terms: np.ndarray, on_time_p: np.ndarray, late_p: np.ndarray, cutoff: int,
    base: datetime, ids: dict[str, int],
) -> list[dict[str, Any]]:
    """As engine/demo/settlements.py pays demo orders: the dealer's habit decides on time, late or
    never; a quarter of the paid orders in two instalments; nothing received after `cutoff`."""
    m = len(order_ids)
    u_kind, u_first, u_second, u_split, u_share = rng.random((5, m))
    due_end = (placed // DAY + terms[dealer] + 1) * DAY
    in_terms = placed + ((due_end - placed) * u_first).astype(np.int64)
    on_time = (u_kind < on_time_p[dealer]) & ~unpayable
    late = (u_kind >= on_time_p[dealer]) & (u_kind < on_time_p[dealer] + late_p[dealer]) & ~unpayable
    split = u_split < SPLIT_P
    first = (total * (0.3 + 0.4 * u_share)).astype(np.int64)
    second_on_time = in_terms + ((due_end - in_terms) * u_second).astype(np.int64)
    late_at = due_end + 1 + (LATE_DAYS * DAY * u_second).astype(np.int64)
    # (order index, amount, minute, part): whole payments, then first and second instalments.
    whole = (on_time | late) & ~split
    parts = [
        (np.flatnonzero(whole), total, np.where(on_time, in_terms, late_at), 0),
        (np.flatnonzero((on_time | late) & split), first, in_terms, 1),
        (np.flatnonzero((on_time | late) & split), total - first, np.where(on_time, second_on_time, late_at), 2),
    ]
    rows: list[dict[str, Any]] = []
    for where, amount, minute, part in parts:
        keep = where[(minute[where] < cutoff) & (amount[where] > 0)]
        for o, fen, at_minute in zip(keep.tolist(), amount[keep].tolist(), minute[keep].tolist(), strict=True):
            ids["payment"] += 1
            at = base + timedelta(minutes=at_minute)
            order_id = int(order_ids[o])
            rows.append({"id": ids["payment"], "payment_no": f"PAY{ids['payment']:09d}",
                         "dealer_id": int(dealer[o]) + 1, "order_id": order_id, "amount_fen": fen, "received_at": at,
                         "note": f"货款 SO{order_id:07d}" + (f"（第{part}笔）" if part else ""),
                         "created_at": at, "updated_at": at})
    return rows


def _targets(rng: np.random.Generator, volume: np.ndarray, quarter: date, at: datetime) -> list[dict[str, Any]]:
    """A quarter target per dealer: 75–130% of what it went on to order (whole 10k CNY)."""
    factor = rng.uniform(0.75, 1.3, size=len(volume))
    amount = np.maximum(1, np.round(volume * factor / WAN)).astype(np.int64) * WAN
    return [{"id": i, "owner_kind": TargetOwner.DEALER, "dealer_id": i, "store_id": None,
             "period_kind": PeriodKind.QUARTER, "period_start": quarter, "amount_fen": a,
             "created_at": at, "updated_at": at}
            for i, a in enumerate(amount.tolist()) if i > 0]


def _violations(rng: np.random.Generator, n_dealers: int, n_products: int, quarter: date) -> list[dict[str, Any]]:
    """One dealer in a hundred was caught selling below the floor price once in the quarter."""
    offenders = np.sort(rng.choice(np.arange(1, n_dealers + 1), size=max(1, n_dealers // 100), replace=False))
    span = (_midnight(_quarter_end(quarter)) - _midnight(quarter)) // timedelta(minutes=1)
    rows = []
    products = rng.integers(1, n_products + 1, size=len(offenders)).tolist()
    minutes = rng.integers(0, span, size=len(offenders)).tolist()
    for k, (dealer_id, product, minute) in enumerate(zip(offenders.tolist(), products, minutes, strict=True)):
        at = _midnight(quarter) + timedelta(minutes=minute)
        rows.append({"id": k + 1, "dealer_id": dealer_id, "product_id": product, "observed_at": at,
                     "note": "巡店发现低于限价销售", "created_at": at, "updated_at": at})
    return rows


def _insert(connection: Connection, name: str, rows: list[dict[str, Any]], counts: dict[str, int]) -> None:
    if rows:
        connection.execute(insert(table(name)), rows)
    counts[name] = counts.get(name, 0) + len(rows)


if __name__ == "__main__":
    from engine.store.migrate import upgrade
    from engine.store.session import make_sync_engine

    url = sys.argv[1] if len(sys.argv) > 1 else "sqlite:///var/settlements.db"
    migrate_started = time.perf_counter()
    upgrade(url)
    print(f"migrated in {time.perf_counter() - migrate_started:.1f} s")
    db = make_sync_engine(url)
    loaded = load_quarter(db)
    db.dispose()
    print(f"loaded the quarter of {loaded.quarter} (data as of {loaded.as_of:%Y-%m-%d %H:%M} UTC)"
          f" in {loaded.seconds:.1f} s:")
    for name, n in loaded.counts.items():
        print(f"  {name:<22} {n:>10,}")
