"""Planners' list pages over GraphQL on the `large` demo data (100k members, 2,000 technicians,
20,000 open work orders), in process, as an admin API key: the nested page against a flat
baseline in the same run."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

FLAT_PAGE = """
query Flat($first: Int!) {
  workOrders(first: $first, where: { status: [CREATED, ASSIGNED] }) {
    edges { node { id orderNo priority windowStart windowEnd requiredSkill } }
  }
}
"""

NESTED_PAGE = """
query Nested($first: Int!) {
  workOrders(first: $first, where: { status: [CREATED, ASSIGNED] }) {
    edges {
      node {
        id orderNo priority windowStart windowEnd requiredSkill
        technician { name skills { skill level } }
        member { name mobile }
        product { model name }
        network { name }
      }
    }
  }
}
"""

UNASSIGNED_IN_NETWORK = """
query Unassigned($network: [ID!], $after: String) {
  workOrders(first: 100, after: $after, where: { network: $network, unassigned: true },
             sortBy: { field: WINDOW_START }) {
    totalCount
    pageInfo { endCursor }
    edges { node { id orderNo windowStart member { name } } }
  }
}
"""

NETWORKS = "{ serviceNetworks(first: 1) { edges { node { id } } } }"


def post(client: TestClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def test_flat_page_of_100_work_orders(benchmark: Any, large_client: TestClient) -> None:
    data = benchmark(post, large_client, FLAT_PAGE, {"first": 100})

    assert len(data["workOrders"]["edges"]) == 100


def test_nested_page_of_100_work_orders(benchmark: Any, large_client: TestClient) -> None:
    data = benchmark(post, large_client, NESTED_PAGE, {"first": 100})

    assert all(e["node"]["member"]["name"] for e in data["workOrders"]["edges"])


def test_nested_page_of_10_work_orders(benchmark: Any, large_client: TestClient) -> None:
    data = benchmark(post, large_client, NESTED_PAGE, {"first": 10})

    assert len(data["workOrders"]["edges"]) == 10


def test_unassigned_orders_of_one_network_with_count(benchmark: Any, large_client: TestClient) -> None:
    network = post(large_client, NETWORKS, {})["serviceNetworks"]["edges"][0]["node"]["id"]

    data = benchmark(post, large_client, UNASSIGNED_IN_NETWORK, {"network": [network]})

    assert data["workOrders"]["totalCount"] > 100


def test_flat_page_of_100_work_orders_execution_only(benchmark: Any, large_database: str) -> None:
    """The same flat page through `schema.execute`, without HTTP: how much of the page is GraphQL."""
    import asyncio

    from api.context import Context, Reader
    from api.schema import build_schema
    from engine.access.principal import SYSTEM
    from engine.settings import Settings
    from engine.store.session import BoundSessions, make_async_engine, make_sessionmaker

    settings = Settings(database_url=large_database, crm_env="test")
    schema = build_schema(settings)
    engine = make_async_engine(large_database)
    # Sessions bound to an all-seeing principal, as an admin's request gets them (no row scope).
    sessions = BoundSessions(make_sessionmaker(engine), SYSTEM)
    loop = asyncio.new_event_loop()

    async def execute() -> Any:
        context = Context(request=None, settings=settings, principal=SYSTEM, sessions=sessions, reader=Reader(sessions))
        try:
            return await schema.execute(FLAT_PAGE, variable_values={"first": 100}, context_value=context)
        finally:
            await context.reader.close()

    result = benchmark(lambda: loop.run_until_complete(execute()))
    loop.run_until_complete(engine.dispose())
    loop.close()

    assert not result.errors and len(result.data["workOrders"]["edges"]) == 100


def test_page_query_without_planner_statistics(benchmark: Any, large_database: str, tmp_path: Any) -> None:
    """Baseline for the loader's ANALYZE: the page's SQL on a copy of the database whose
    statistics were dropped, against the same SQL with them (next benchmark)."""
    import shutil
    import sqlite3

    copy = tmp_path / "no-stats.db"
    shutil.copy(large_database.removeprefix("sqlite:///"), copy)
    connection = sqlite3.connect(copy)
    connection.execute("DROP TABLE IF EXISTS sqlite_stat1")
    connection.commit()
    connection.close()
    connection = sqlite3.connect(copy)  # a fresh connection plans without statistics

    rows = benchmark(lambda: connection.execute(PAGE_SQL).fetchall())

    assert len(rows) == 101


def test_page_query_with_planner_statistics(benchmark: Any, large_database: str) -> None:
    import sqlite3

    connection = sqlite3.connect(large_database.removeprefix("sqlite:///"))

    rows = benchmark(lambda: connection.execute(PAGE_SQL).fetchall())

    assert len(rows) == 101


PAGE_SQL = (
    "SELECT * FROM work_orders WHERE status IN ('created', 'assigned') "
    "ORDER BY window_start, id LIMIT 101"
)
