"""Helpers for the loyalty service tests on a real database: members, a published programme,
use cases run in one committed transaction each, and a recorder of the SQL sent."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from engine.services import rule_sets
from engine.store.consumer import Member
from engine.store.loyalty import PointsAllocation, PointsEntry
from engine.store.rules import RuleSetVersion
from schemas.enums import MemberTier
from schemas.loyalty import PaidLine
from tests.engine.loyalty.documents import programme
from tests.engine.use_cases import run

T = TypeVar("T")
DAY1 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Monday
_MOBILES = itertools.count(1)


def day(n: int) -> datetime:
    """DAY1 moved by n - 1 days."""
    return DAY1 + timedelta(days=n - 1)


def add_member(db: Engine, birth_month: int | None = None, tier: MemberTier = MemberTier.NORMAL, growth: int = 0,
               region: str = "310115") -> int:
    with Session(db) as session, session.begin():
        member = Member(member_no=f"L{next(_MOBILES)}", name="陈静", mobile=f"139{next(_MOBILES):08d}", region_code=region,
                        address="浦东新区", tier=tier, growth_value=growth, birth_month=birth_month)
        session.add(member)
        session.flush()
        return member.id


def member_state(db: Engine, member_id: int) -> tuple[MemberTier, int]:
    with Session(db) as session:
        member = session.get(Member, member_id)
        assert member is not None
        return member.tier, member.growth_value


def tv(line_no: int, yuan: int, quantity: int = 1, category: str = "tv") -> PaidLine:
    return PaidLine(line_no=line_no, model=f"{category.upper()}-{line_no}", category=category, brand="Haier",
                    quantity=quantity, paid_fen=yuan * 100)


class Ledger:
    """Runs use cases against the test database, each in its own committed transaction."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.statements: list[str] = []

    def run(self, use_case: Callable[[AsyncSession], Awaitable[T]]) -> T:
        return run(self.url, use_case, self.statements)

    def publish(self, key: str = "points", **changes: Any) -> None:
        """Create and publish a loyalty rule set with the test programme (changed by `changes`)."""

        async def go(session: AsyncSession) -> None:
            created = await rule_sets.create_rule_set(
                session, {"key": key, "kind": "loyalty", "name": "Member points", "document": programme(**changes)}, "tests"
            )
            version = (await session.scalars(select(RuleSetVersion).where(RuleSetVersion.rule_set_id == created.id))).one()
            await rule_sets.publish_version(session, version.id, {}, "tests")

        self.run(go)

    @contextmanager
    def watching(self) -> Iterator[list[str]]:
        """The SQL sent inside the block."""
        start = len(self.statements)
        seen: list[str] = []
        yield seen
        seen.extend(self.statements[start:])


def ledger_rows(db: Engine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every entry and allocation, whole, in id order."""
    with db.connect() as c:
        entries = [tuple(r) for r in c.execute(select(PointsEntry.__table__).order_by(PointsEntry.id))]
        allocations = [tuple(r) for r in c.execute(select(PointsAllocation.__table__).order_by(PointsAllocation.id))]
    return entries, allocations
