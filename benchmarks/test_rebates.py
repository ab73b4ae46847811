"""Settling a quarter for 10,000 dealers and 2,000,000 order lines (`benchmarks/settlement_data.py`,
loaded once per module into a migrated SQLite file) through the use case
`engine.services.settlements.run_settlement`, committed as a mutation is (goal: under 30 s).
With SETTLEMENT_BENCH_POSTGRES set to a PostgreSQL server's URL, the same runs go against
PostgreSQL: the quarter is loaded into a database of its own, and each copy is a database made
from it as a template (all of them dropped at the end).

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
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, make_url, select, text
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


POSTGRES = os.environ.get("SETTLEMENT_BENCH_POSTGRES")


class Databases:
    """Where the quarter lives and how a fresh copy of it is made: files on SQLite, databases
    made from a template on PostgreSQL (an untimed copy per round either way)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: list[str] = []  # URLs
        self.server = make_url(POSTGRES) if POSTGRES else None
        self._admin = (make_sync_engine(self.server.render_as_string(hide_password=False),
                                        isolation_level="AUTOCOMMIT") if self.server else None)

    def new(self, name: str, template: str | None = None) -> str:
        """The URL of a new database `name`: empty, or a copy of `template` (one of ours)."""
        if self.server is None:
            path = self.folder / f"{name}.db"
            if template is not None:
                shutil.copy(make_url(template).database or "", path)
            self.made.append(f"sqlite:///{path}")
            return self.made[-1]
        assert self._admin is not None
        database = f"bench_{name}_{uuid.uuid4().hex[:8]}"
        source = f' TEMPLATE "{make_url(template).database}"' if template is not None else ""
        with self._admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{database}"{source}'))
        self.made.append(self.server.set(database=database).render_as_string(hide_password=False))
        return self.made[-1]

    def drop(self, url: str) -> None:
        name = make_url(url).database or ""
        if self.server is None:
            Path(name).unlink(missing_ok=True)
        else:
            assert self._admin is not None
            with self._admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        for url in reversed(self.made):
            self.drop(url)
        if self._admin is not None:
            self._admin.dispose()


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    made = Databases(tmp_path_factory.mktemp("rebates"))
    yield made
    made.close()


@pytest.fixture(scope="module")
def quarter(databases: Databases) -> tuple[str, Loaded]:
    """The URL of the loaded quarter (copied, never settled on), and what was loaded."""
    url = databases.new("quarter")
    upgrade(url)
    engine = make_sync_engine(url)
    loaded = load_quarter(engine, SCALE)
    engine.dispose()  # no connection left: PostgreSQL copies only an idle template
    return url, loaded


@pytest.fixture
def copies(quarter: tuple[str, Loaded], databases: Databases) -> Iterator[Callable[[], str]]:
    """`copies()` is the URL of a fresh copy of the loaded quarter; the copies go at the end."""
    made: list[str] = []
    numbers = itertools.count()

    def copy() -> str:
        made.append(databases.new(f"round{next(numbers)}", template=quarter[0]))
        return made[-1]

    yield copy
    for url in made:
        databases.drop(url)


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
    benchmark: Any, quarter: tuple[str, Loaded], copies: Callable[[], str]
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
def settled(quarter: tuple[str, Loaded], databases: Databases) -> str:
    """A copy of the quarter settled once (untimed), for the re-runs."""
    url = databases.new("settled", template=quarter[0])
    settle(url, quarter[1])
    return url


def test_rerun_of_a_settled_quarter_replaces_its_drafts(
    benchmark: Any, quarter: tuple[str, Loaded], settled: str
) -> None:
    before = written(settled)
    runs: list[SettlementRun] = []

    benchmark.pedantic(lambda: runs.append(settle(settled, quarter[1])), rounds=ROUNDS, iterations=1)

    assert all(r.replaced == r.created == before["statements"] and r.kept == 0 for r in runs)
    assert written(settled) == before
    benchmark.extra_info.update(replaced=runs[-1].replaced, **before)


def test_settle_a_tenth_of_the_dealers(
    benchmark: Any, quarter: tuple[str, Loaded], copies: Callable[[], str]
) -> None:
    loaded = quarter[1]
    sample = a_tenth(loaded)
    runs: list[SettlementRun] = []

    benchmark.pedantic(lambda url: runs.append(settle(url, loaded, sample)), setup=lambda: ((copies(),), {}),
                       rounds=ROUNDS, iterations=1)

    assert {s.dealer_id for s in runs[-1].statements} <= set(sample)
    benchmark.extra_info.update(dealers=len(sample), statements=runs[-1].created)


def test_row_by_row_python_baseline_for_a_tenth_of_the_dealers(
    benchmark: Any, quarter: tuple[str, Loaded], copies: Callable[[], str]
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
