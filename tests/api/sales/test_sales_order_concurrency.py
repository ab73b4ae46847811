"""The version column refuses a write based on a stale read, whatever expectedVersion says.

Run against the use case with two sessions, because two requests cannot be interleaved at a
chosen point through the API; the API maps the resulting StaleDataError to CONFLICT.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.services import sales as service
from engine.store.sales import SalesOrder, SalesOrderEvent
from engine.store.session import make_async_engine, make_sessionmaker, transaction
from schemas.enums import SalesOrderStatus
from tests.api.sales.conftest import add_dealer, add_product

S = SalesOrderStatus


def test_a_transition_based_on_a_stale_read_is_refused_by_the_version_column(
    db: Engine, database_url: str
) -> None:
    with Session(db) as s, s.begin():
        dealer, product = add_dealer(s, "D1"), add_product(s, "XQG100", 3_499_00)
        order_input = {"dealer_id": dealer.id, "lines": [{"product_id": product.id, "quantity": 1}]}

    async def scenario() -> None:
        engine = make_async_engine(database_url)
        sessions = make_sessionmaker(engine)
        try:
            async with transaction(sessions) as s:
                order = await service.create_sales_order(s, order_input)
            with pytest.raises(StaleDataError):
                async with transaction(sessions) as slow:
                    # given a writer that read the order at version 1 ...
                    seen = await slow.get(SalesOrder, order.id)
                    assert seen is not None and (seen.status, seen.version) == (S.PLACED, 1)
                    # ... and another that cancelled it meanwhile
                    async with transaction(sessions) as fast:
                        await service.change_sales_order_status(fast, order.id, S.CANCELLED, {})
                    # when the first approves what it read, claiming the version it saw
                    await service.change_sales_order_status(
                        slow, order.id, S.APPROVED, {"expected_version": 1}
                    )
        finally:
            await engine.dispose()

    asyncio.run(scenario())

    # then only the cancellation happened
    with db.connect() as c:
        assert c.execute(select(SalesOrder.status, SalesOrder.version)).one() == (S.CANCELLED, 2)
        events = c.scalars(select(SalesOrderEvent.to_status).order_by(SalesOrderEvent.id)).all()
        assert events == [S.PLACED, S.CANCELLED]
