"""The dispatch service on the `large` demo data (10 networks, 2,000 technicians, 20,000 work
orders on the demo day): reading one network's day from the store as a problem, and
`dispatchRecommend` end to end over HTTP (authentication, the store read, compiling the
problem, the recommendation, the response), one open order after another.

The in-process engine latency is benchmarks/test_dispatch_recommend.py; the difference is what
the service adds around it."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from api.relay import global_id
from engine.demo.sizes import DEFAULT_DEMO_DATE
from engine.services.dispatch_problem import Snapshot, problem_for
from engine.store.service import WorkOrder
from engine.store.session import make_async_engine, make_sessionmaker, transaction
from schemas.enums import WorkOrderStatus

NETWORK = 1
RECOMMEND_ROUNDS = 200
RECOMMEND = """
query Recommend($id: ID!) {
  dispatchRecommend(workOrderId: $id) {
    errors { code }
    recommendation { considered candidates { technicianId eta score { total } } }
  }
}
"""


@pytest.fixture(scope="module")
def runner() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as run:
        yield run


def test_read_one_network_day_as_a_problem(benchmark: Any, large_database: str, runner: asyncio.Runner) -> None:
    engine = make_async_engine(large_database)
    sessions = make_sessionmaker(engine)

    async def read() -> Snapshot:
        async with transaction(sessions) as session:
            return await problem_for(session, NETWORK, DEFAULT_DEMO_DATE)

    try:
        snapshot = benchmark.pedantic(lambda: runner.run(read()), rounds=10, iterations=1, warmup_rounds=1)
    finally:
        runner.run(engine.dispose())
    problem = snapshot.problem
    benchmark.extra_info.update({
        "technicians": len(problem.technicians),
        "orders": len(problem.orders),
        "on_routes": sum(len(t.route) for t in problem.technicians),
    })
    assert problem.orders and problem.technicians


def test_dispatch_recommend_over_graphql(benchmark: Any, large_client: TestClient, large_db: Engine) -> None:
    with large_db.connect() as c:
        open_orders = list(c.scalars(select(WorkOrder.id).where(
            WorkOrder.network_id == NETWORK, WorkOrder.status == WorkOrderStatus.CREATED).order_by(WorkOrder.id)))
    cycle = itertools.cycle(open_orders)
    found: list[int] = []

    def ask() -> None:
        body = large_client.post("/graphql", json={"query": RECOMMEND,
                                                   "variables": {"id": global_id("WorkOrder", next(cycle))}}).json()
        payload = body["data"]["dispatchRecommend"]
        assert payload["errors"] == [], payload["errors"]
        found.append(len(payload["recommendation"]["candidates"]))

    benchmark.pedantic(ask, rounds=RECOMMEND_ROUNDS, iterations=1, warmup_rounds=3)
    stats = benchmark.stats.stats
    data = sorted(stats.data)
    benchmark.extra_info.update({
        "open_orders_in_network": len(open_orders),
        "p50_ms": round(data[len(data) // 2] * 1000, 1),
        "p99_ms": round(data[min(len(data) - 1, int(len(data) * 0.99))] * 1000, 1),
        "with_candidates": sum(1 for n in found if n) / len(found),
    })
