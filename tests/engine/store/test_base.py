"""Timestamps are timezone-aware on every backend; naive times never reach the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from engine.store.channel import Dealer
from schemas.enums import ChannelType, CooperationLevel


def dealer(**extra: object) -> Dealer:
    return Dealer(
        code="D1", name="d", legal_representative="r", channel_type=ChannelType.AGENT,
        cooperation_level=CooperationLevel.CITY_AGENT, **extra,
    )


def test_an_aware_time_comes_back_aware_in_utc(db: Engine) -> None:
    shanghai = timezone(timedelta(hours=8))
    with Session(db) as s:
        s.add(dealer(created_at=datetime(2026, 11, 23, 9, 30, tzinfo=shanghai)))
        s.commit()
    with Session(db) as s:
        stored = s.scalar(select(Dealer.created_at))

    assert stored == datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    assert stored.tzinfo is not None


def test_a_naive_time_is_refused(db: Engine) -> None:
    with Session(db) as s, pytest.raises(StatementError, match="timezone-aware"):
        s.add(dealer(created_at=datetime(2026, 11, 23, 9, 30)))
        s.commit()


def test_new_rows_get_created_and_updated_times(db: Engine) -> None:
    with Session(db) as s:
        s.add(dealer())
        s.commit()
        row = s.scalar(select(Dealer))

    assert row is not None and row.created_at.tzinfo is not None and row.updated_at >= row.created_at
