"""The database itself refuses a second approved or issued statement for one key (a partial
unique index on both backends), while drafts and a settled statement of another stage coexist."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from engine.store.channel import Dealer
from engine.store.settlements import SettlementStatement

AT = datetime(2026, 4, 1, tzinfo=UTC)


def statement(c: Any, number: str, status: str, stage: str = "final", dealer_id: int = 1) -> None:
    c.execute(insert(SettlementStatement), {
        "statement_no": number, "kind": "dealer_rebate", "stage": stage, "status": status, "dealer_id": dealer_id,
        "scope_key": "month:2026-03-01", "settlement_form": "cash", "amount_fen": 100, "as_of": AT,
        "computed_by": "tests",
    })


@pytest.fixture
def dealer(db: Engine) -> None:
    with db.begin() as c:
        c.execute(insert(Dealer), {"id": 1, "code": "D1", "name": "d", "legal_representative": "r",
                                   "channel_type": "agent", "cooperation_level": "city_agent"})


@pytest.mark.parametrize("second", ["approved", "issued"])
def test_a_second_settled_statement_of_one_key_is_refused(db: Engine, dealer: None, second: str) -> None:
    with db.begin() as c:
        statement(c, "A", "approved")
    with pytest.raises(IntegrityError), db.begin() as c:
        statement(c, "B", second)


def test_drafts_and_other_stages_do_not_collide(db: Engine, dealer: None) -> None:
    with db.begin() as c:
        statement(c, "A", "issued")
        statement(c, "B", "draft")
        statement(c, "C", "draft")
        statement(c, "D", "approved", stage="accrual")
