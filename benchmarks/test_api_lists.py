"""Planners' list pages over GraphQL on the `large` demo data (100k members, 2,000 technicians,
20,000 open work orders), in process: the nested page against a flat baseline in the same run."""

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
