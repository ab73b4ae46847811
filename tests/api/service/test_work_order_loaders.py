"""A page of work orders with its technicians, skills, members, products and networks costs a
fixed, small number of SQL statements, however many orders the page holds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time

import pytest
from sqlalchemy import Engine, event, insert
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from engine.store.catalogue import Product
from engine.store.consumer import Member
from engine.store.service import ServiceNetwork, Technician, TechnicianSkill
from schemas.enums import MemberTier, ProductCategory, Skill
from tests.api.service.arrange import add_work_orders
from tests.conftest import GraphQL, data_of

LIST = """
query Page($first: Int!) {
  workOrders(first: $first, sortBy: {field: ORDER_NO}) {
    edges {
      node {
        orderNo
        technician { name skills { skill level } }
        member { name }
        product { model }
        network { name }
      }
    }
  }
}
"""

ORDERS = 120


def seed(db: Engine, count: int) -> None:
    """`count` work orders, each with its own technician (two skills), member and product."""
    with Session(db) as session, session.begin():
        network_ids = list(
            session.scalars(
                insert(ServiceNetwork).returning(ServiceNetwork.id, sort_by_parameter_order=True),
                [
                    {
                        "code": f"N{i}",
                        "name": f"网点 {i}",
                        "time_zone": "Asia/Shanghai",
                        "region_codes": ["310101"],
                        "address": "上海",
                        "latitude": 31.2,
                        "longitude": 121.4,
                    }
                    for i in range(3)
                ],
            )
        )
        technician_ids = list(
            session.scalars(
                insert(Technician).returning(Technician.id, sort_by_parameter_order=True),
                [
                    {
                        "code": f"T{i:03d}",
                        "name": f"师傅 {i}",
                        "network_id": network_ids[i % 3],
                        "home_latitude": 31.2,
                        "home_longitude": 121.4,
                        "shift_start": time(8),
                        "shift_end": time(18),
                        "daily_capacity_minutes": 480,
                        "rating": 4.5,
                        "active": True,
                    }
                    for i in range(count)
                ],
            )
        )
        session.execute(
            insert(TechnicianSkill),
            [
                {"technician_id": t, "skill": s, "level": 3}
                for t in technician_ids
                for s in (Skill.AIR_CONDITIONER, Skill.WASHER)
            ],
        )
        member_ids = list(
            session.scalars(
                insert(Member).returning(Member.id, sort_by_parameter_order=True),
                [
                    {
                        "member_no": f"M{i:03d}",
                        "name": f"会员 {i}",
                        "mobile": f"139{i:08d}",
                        "region_code": "310101",
                        "address": "上海",
                        "tier": MemberTier.NORMAL,
                    }
                    for i in range(count)
                ],
            )
        )
        product_ids = list(
            session.scalars(
                insert(Product).returning(Product.id, sort_by_parameter_order=True),
                [
                    {
                        "model": f"KFR-{i:03d}",
                        "name": f"空调 {i}",
                        "category": ProductCategory.AIR_CONDITIONER,
                        "brand": "Brand",
                        "list_price_fen": 399900,
                        "warranty_months": 36,
                        "needs_installation": True,
                        "required_skill": Skill.AIR_CONDITIONER,
                    }
                    for i in range(count)
                ],
            )
        )
    add_work_orders(
        db,
        [
            {
                "order_no": f"WO{i:03d}",
                "network_id": network_ids[i % 3],
                "technician_id": technician_ids[i],
                "member_id": member_ids[i],
                "product_id": product_ids[i],
            }
            for i in range(count)
        ],
    )


@pytest.fixture
def statements(client: TestClient) -> Iterator[list[str]]:
    """Every SQL statement the app's engine sends while the test runs."""
    seen: list[str] = []
    engine = client.app.state.engine.sync_engine

    def record(_conn, _cursor, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def statements_for_page(gql: GraphQL, statements: list[str], first: int) -> tuple[int, list[dict]]:
    statements.clear()
    edges = data_of(gql(LIST, {"first": first}))["workOrders"]["edges"]
    return len(statements), edges


def test_a_page_of_work_orders_costs_the_same_few_statements_for_10_and_100_orders(
    gql: GraphQL, db: Engine, statements: list[str]
) -> None:
    seed(db, ORDERS)
    statements_for_page(gql, statements, 1)  # the key's first use also records last_used_at

    small_count, small = statements_for_page(gql, statements, 10)
    large_count, large = statements_for_page(gql, statements, 100)

    assert len(small) == 10 and len(large) == 100
    assert large[99]["node"] == {
        "orderNo": "WO099",
        "technician": {
            "name": "师傅 99",
            "skills": [{"skill": "AIR_CONDITIONER", "level": 3}, {"skill": "WASHER", "level": 3}],
        },
        "member": {"name": "会员 99"},
        "product": {"model": "KFR-099"},
        "network": {"name": "网点 0"},
    }
    assert len({e["node"]["technician"]["name"] for e in large}) == 100  # every order has its own
    assert small_count == large_count
    assert large_count <= 9, statements  # 8 for the page, 1 to authenticate the API key
