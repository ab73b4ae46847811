"""Settling a quarter for 10,000 dealers and 2,000,000 order lines (`benchmarks/settlement_data.py`,
loaded once per module into a migrated SQLite file) through the use case
`engine.services.settlements.run_settlement`, committed as a mutation is (goal: under 30 s).

In the same run: a re-run of the settled quarter (it replaces every draft), the run for a tenth
of the dealers, and the naive settlement of that tenth, row by row in Python over ORM objects
(`benchmarks/rebate_baseline.py`), whose amounts must equal the run's for every dealer and
policy (checked outside the timing). Each timed first run starts from its own copy of the
loaded file, so no round settles on top of another's statements.

Figures beyond the timing go into `benchmark.extra_info`: statements, items and line detail
written, drafts replaced, the data's row counts and the load time.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from benchmarks.rebate_baseline import settle_row_by_row
from benchmarks.settlement_data import FULL, Loaded, Scale, load_quarter
from engine.rebates.periods import bounds
from engine.services.settlements import SettlementRun, run_settlement
from engine.store.migrate import upgrade
from engine.store.session import make_sync_engine
from engine.store.settlements import SettlementStatement, StatementItem, StatementLine
from schemas.rebates import Period, StatementStage
from tests.engine.use_cases import run

ROUNDS = 2
GOAL_SECONDS = 30.0
ACTOR = "benchmarks"
# A smoke run at a fraction of the size: SETTLEMENT_BENCH_FRACTION=0.01 (default the full quarter).
FRACTION = float(os.environ.get("SETTLEMENT_BENCH_FRACTION", "1"))
SCALE = Scale(dealers=max(10, round(FULL.dealers * FRACTION)), lines=max(100, round(FULL.lines * FRACTION)))


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Loaded]:
    path = tmp_path_factory.mktemp("rebates") / "quarter.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_sync_engine(url)
    loaded = load_quarter(engine, SCALE)
    engine.dispose()
    return path, loaded


@pytest.fixture
def copies(quarter: tuple[Path, Loaded], tmp_path: Path) -> Iterator[Callable[[], str]]:
    """`copies()` is the URL of a fresh copy of the loaded quarter; the copies go at the end."""
    made: list[Path] = []
    numbers = itertools.count()

    def copy() -> str:
        path = tmp_path / f"round-{next(numbers)}.db"
        shutil.copy(quarter[0], path)
        made.append(path)
        return f"sqlite:///{path}"

    yield copy
    for path in made:
        path.unlink(missing_ok=True)


def settle(url: str, loaded: Loaded, dealer_ids: list[int] | None = None) -> SettlementRun:
    fields: dict[str, Any] = {"period": {"kind": "quarter", "start": loaded.quarter}, "as_of": loaded.as_of}
    if dealer_ids is not None:
        fields["dealer_ids"] = dealer_ids
    return run(url, lambda session: run_settlement(session, fields, ACTOR))


def written(url: str) -> dict[str, int]:
    engine = make_sync_engine(url)
    try:
        with engine.connect() as c:
            return {name: c.scalar(select(func.count()).select_from(model)) or 0
                    for name, model in (("statements", SettlementStatement), ("items", StatementItem),
                                        ("lines", StatementLine))}
    finally:
        engine.dispose()


def a_tenth(loaded: Loaded) -> list[int]:
    return list(range(10, loaded.counts["dealers"] + 1, 10))


def test_settle_a_quarter_of_10000_dealers_and_2m_lines(
    benchmark: Any, quarter: tuple[Path, Loaded], copies: Callable[[], str]
) -> None:
    loaded = quarter[1]
    urls: list[str] = []
    runs: list[SettlementRun] = []

    def fresh() -> tuple[tuple[str], dict[str, Any]]:
        urls.append(copies())
        return (urls[-1],), {}

    benchmark.pedantic(lambda url: runs.append(settle(url, loaded)), setup=fresh, rounds=ROUNDS, iterations=1)

    last, counts = runs[-1], written(urls[-1])
    assert last.stage is StatementStage.FINAL and last.replaced == 0
    assert last.created == counts["statements"] > 0
    benchmark.extra_info.update(
        counts, dealers=loaded.counts["dealers"], order_lines=loaded.counts["sales_order_lines"],
        orders=loaded.counts["sales_orders"], payments=loaded.counts["dealer_payments"],
        load_seconds=round(loaded.seconds, 1), goal_seconds=GOAL_SECONDS,
    )


@pytest.fixture(scope="module")
def settled(quarter: tuple[Path, Loaded], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A copy of the quarter settled once (untimed), for the re-runs."""
    path = tmp_path_factory.mktemp("rebates-settled") / "settled.db"
    shutil.copy(quarter[0], path)
    url = f"sqlite:///{path}"
    settle(url, quarter[1])
    yield url
    path.unlink(missing_ok=True)


def test_rerun_of_a_settled_quarter_replaces_its_drafts(
    benchmark: Any, quarter: tuple[Path, Loaded], settled: str
) -> None:
    before = written(settled)
    runs: list[SettlementRun] = []

    benchmark.pedantic(lambda: runs.append(settle(settled, quarter[1])), rounds=ROUNDS, iterations=1)

    assert all(r.replaced == r.created == before["statements"] and r.kept == 0 for r in runs)
    assert written(settled) == before
    benchmark.extra_info.update(replaced=runs[-1].replaced, **before)


def test_settle_a_tenth_of_the_dealers(
    benchmark: Any, quarter: tuple[Path, Loaded], copies: Callable[[], str]
) -> None:
    loaded = quarter[1]
    sample = a_tenth(loaded)
    runs: list[SettlementRun] = []

    benchmark.pedantic(lambda url: runs.append(settle(url, loaded, sample)), setup=lambda: ((copies(),), {}),
                       rounds=ROUNDS, iterations=1)

    assert {s.dealer_id for s in runs[-1].statements} <= set(sample)
    benchmark.extra_info.update(dealers=len(sample), statements=runs[-1].created)


def test_row_by_row_python_baseline_for_a_tenth_of_the_dealers(
    benchmark: Any, quarter: tuple[Path, Loaded], copies: Callable[[], str]
) -> None:
    loaded = quarter[1]
    sample = a_tenth(loaded)
    url = copies()
    settle(url, loaded, sample)  # the run's amounts, to compare with (untimed)
    period = Period(kind="quarter", start=loaded.quarter)
    start, end = bounds(period)
    engine = make_sync_engine(url)
    results: list[dict[tuple[int, str], int]] = []

    def naive() -> None:
        with Session(engine) as session:
            results.append(settle_row_by_row(session, period, start, end, loaded.as_of, sample))

    try:
        benchmark.pedantic(naive, rounds=1, iterations=1)
        with Session(engine) as session:
            by_run = {(dealer_id, rule_id): amount for dealer_id, rule_id, amount in session.execute(
                select(SettlementStatement.dealer_id, StatementItem.rule_id, StatementItem.amount_fen)
                .join(StatementItem, StatementItem.statement_id == SettlementStatement.id))}
    finally:
        engine.dispose()

    # Correctness guard: the naive settlement and the run agree on every dealer and policy.
    naive_amounts = results[-1]
    keys = set(naive_amounts) | set(by_run)
    differ = sorted(k for k in keys if naive_amounts.get(k, 0) != by_run.get(k, 0))
    assert differ == [], differ[:10]
    assert sum(1 for k in keys if by_run.get(k, 0)) > len(sample)  # most dealers earn something
    benchmark.extra_info.update(dealers=len(sample), compared=len(keys), earning=sum(1 for a in by_run.values() if a))
