"""Consumer use cases on a real database: the purchase-date bound against an explicit today,
generated member numbers, and the warranty status rule."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from engine.errors import DomainError
from engine.services import consumer
from engine.store.catalogue import Product
from engine.store.consumer import Member
from schemas.enums import MemberTier, ProductCategory, WarrantyStatus
from schemas.errors import ErrorCode
from tests.engine.use_cases import run


@pytest.fixture
def owner_and_product(db: Engine) -> tuple[int, int]:
    with Session(db) as s, s.begin():
        member = Member(
            member_no="A1", name="陈静", mobile="13800138000", region_code="310115", address="浦东新区", tier=MemberTier.NORMAL
        )
        product = Product(
            model="XQG100", name="洗衣机", category=ProductCategory.WASHER, brand="Haier", list_price_fen=2_599_00,
            warranty_months=12, needs_installation=False,
        )
        s.add_all([member, product])
        s.flush()
        return member.id, product.id


@pytest.mark.parametrize(("purchased", "accepted"), [(date(2024, 5, 1), True), (date(2024, 5, 2), False)])
def test_purchase_date_may_be_today_but_not_after(
    database_url: str, owner_and_product: tuple[int, int], purchased: date, accepted: bool
) -> None:
    member_id, product_id = owner_and_product
    data = {"member_id": member_id, "product_id": product_id, "serial_number": "SN-1", "purchase_date": purchased}

    def create(s: AsyncSession) -> Awaitable[object]:
        return consumer.create_registration(s, data, today=date(2024, 5, 1))

    if accepted:
        registration = run(database_url, create)
        assert registration.warranty_end == date(2025, 5, 1)  # type: ignore[attr-defined]
    else:
        with pytest.raises(DomainError) as refused:
            run(database_url, create)
        assert [(e.path, e.code) for e in refused.value.errors] == [(("purchase_date",), ErrorCode.OUT_OF_RANGE)]


def test_generated_member_numbers_follow_the_id_and_a_chosen_one_is_kept(database_url: str, owner_and_product: tuple[int, int]) -> None:
    base = {"name": "李娜", "region_code": "310115", "address": "浦东新区"}

    generated = run(database_url, lambda s: consumer.create_member(s, {**base, "mobile": "13900139000"}))
    chosen = run(database_url, lambda s: consumer.create_member(s, {**base, "mobile": "13700137000", "member_no": "VIP-9"}))

    assert generated.member_no == f"M{generated.id:010d}" and generated.id == 2
    assert chosen.member_no == "VIP-9"


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [(date(2025, 4, 30), WarrantyStatus.IN_WARRANTY), (date(2025, 5, 1), WarrantyStatus.IN_WARRANTY), (date(2025, 5, 2), WarrantyStatus.EXPIRED)],
)
def test_warranty_covers_its_last_day(as_of: date, expected: WarrantyStatus) -> None:
    assert consumer.warranty_status(date(2025, 5, 1), as_of) is expected
