"""The driver-level bulk paths on both backends: integer SELECTs read into numpy as stored, and
integer rows copied in chunks inside the caller's transaction (a rollback takes them back)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from sqlalchemy import insert, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from engine.store.bulk import copy_rows, epoch, fetch_array, seconds
from engine.store.channel import Dealer
from engine.store.session import make_async_engine
from engine.store.settlements import SettlementStatement, StatementItem, StatementLine

AT = datetime(2026, 4, 1, 8, 30, 15, 700_000, tzinfo=UTC)
COLUMNS = ("item_id", "amount_fen", "paid_fen", "quantity")  # order_id and claim_id left NULL
BIG = 2**62 + 5  # beyond 32 bits, within int64


def connected(url: str, work: Callable[[AsyncConnection], Coroutine[Any, Any, Any]], commit: bool = True) -> Any:
    async def go() -> Any:
        engine = make_async_engine(url)
        try:
            async with engine.connect() as connection:
                result = await work(connection)
                await (connection.commit() if commit else connection.rollback())
                return result
        finally:
            await engine.dispose()

    return asyncio.run(go())


async def an_item(connection: AsyncConnection) -> None:
    await connection.execute(insert(Dealer), {"id": 1, "code": "D1", "name": "d", "legal_representative": "r",
                                              "channel_type": "agent", "cooperation_level": "city_agent"})
    await connection.execute(insert(SettlementStatement), {
        "id": 1, "statement_no": "S1", "kind": "dealer_rebate", "stage": "final", "status": "draft", "dealer_id": 1,
        "scope_key": "month:2026-03-01", "settlement_form": "cash", "amount_fen": 0, "as_of": AT,
        "computed_by": "tests"})
    await connection.execute(insert(StatementItem), {
        "id": 7, "statement_id": 1, "item_no": 1, "rule_set": "r", "rule_set_version": 1, "digest": "d",
        "rule_id": "p", "policy_name": "p", "volume": 0, "measure": 0, "amount_fen": 0})


def stored_lines(url: str) -> list[list[int]]:
    async def read(connection: AsyncConnection) -> list[list[int]]:
        table = await fetch_array(connection, select(*(StatementLine.__table__.c[n] for n in COLUMNS))
                                  .order_by(StatementLine.id))
        return table.tolist()

    return connected(url, read)


def columns(count: int) -> list[np.ndarray]:
    at = np.arange(count, dtype=np.int64)
    return [np.full(count, 7), at + BIG, at * 3, at % 4]


@pytest.mark.parametrize("count, chunk", [(1, 100), (5, 2), (250, 100), (300, 100)])
def test_rows_are_copied_in_order_across_chunks(database_url: str, count: int, chunk: int) -> None:
    values = columns(count)

    async def write(connection: AsyncConnection) -> int:
        await an_item(connection)
        return await copy_rows(connection, StatementLine.__table__, COLUMNS, values, chunk=chunk)

    assert connected(database_url, write) == count
    assert stored_lines(database_url) == np.column_stack(values).tolist()


def test_copied_rows_belong_to_the_callers_transaction(database_url: str) -> None:
    async def write_then_count(connection: AsyncConnection) -> int:
        await an_item(connection)
        await copy_rows(connection, StatementLine.__table__, COLUMNS, columns(10), chunk=3)
        return len(await fetch_array(connection, select(StatementLine.id)))

    assert connected(database_url, write_then_count, commit=False) == 10  # seen inside it
    assert stored_lines(database_url) == []  # gone with its rollback


def test_nothing_to_copy_writes_nothing(database_url: str) -> None:
    async def write(connection: AsyncConnection) -> int:
        return await copy_rows(connection, StatementLine.__table__, COLUMNS, [np.zeros(0, dtype=np.int64)] * 4)

    assert connected(database_url, write) == 0
    assert stored_lines(database_url) == []


def test_fetch_array_reads_integers_and_epoch_seconds_as_stored(database_url: str) -> None:
    async def read(connection: AsyncConnection) -> tuple[np.ndarray, np.ndarray]:
        await an_item(connection)
        rows = await fetch_array(connection, select(SettlementStatement.id, epoch(SettlementStatement.as_of),
                                                    literal(BIG)))
        empty = await fetch_array(connection, select(StatementLine.item_id, StatementLine.quantity))
        return rows, empty

    rows, empty = connected(database_url, read)
    # Whole seconds, the fraction dropped (as `seconds` does): 08:30:15.7 is second …15.
    assert rows.dtype == np.int64 and rows.tolist() == [[1, seconds(AT), BIG]]
    assert empty.shape == (0, 2)
