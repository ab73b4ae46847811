"""A small world for sales tests, inserted as ORM rows: two dealers, a store each, three products."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.relay import global_id
from engine.store.catalogue import Product
from engine.store.channel import Dealer, Store
from schemas.enums import ChannelType, CooperationLevel, DisplayStatus, ProductCategory, StoreGrade

# List prices of the products, in fen.
PRICES = {"KFR-35GW": 2_999_00, "XQG100": 3_499_00, "BCD-520": 5_199_00}


@dataclass(frozen=True)
class World:
    """Global ids of the arranged rows, by code or model number."""

    dealers: dict[str, str]
    stores: dict[str, str]
    products: dict[str, str]


def add_dealer(session: Session, code: str) -> Dealer:
    dealer = Dealer(
        code=code,
        name=f"经销商 {code}",
        legal_representative="张伟",
        channel_type=ChannelType.AGENT,
        cooperation_level=CooperationLevel.CITY_AGENT,
    )
    session.add(dealer)
    session.flush()
    return dealer


def add_store(session: Session, code: str, dealer: Dealer) -> Store:
    store = Store(
        code=code,
        name=f"门店 {code}",
        dealer_id=dealer.id,
        region_code="310115",
        address="上海市浦东新区世纪大道 100 号",
        latitude=31.23,
        longitude=121.5,
        manager="李娜",
        phone="021-5555-0101",
        grade=StoreGrade.A,
        display_status=DisplayStatus.FULL,
    )
    session.add(store)
    session.flush()
    return store


def add_product(session: Session, model: str, list_price_fen: int) -> Product:
    product = Product(
        model=model,
        name=f"产品 {model}",
        category=ProductCategory.AIR_CONDITIONER,
        brand="Acme",
        list_price_fen=list_price_fen,
        warranty_months=36,
        needs_installation=False,
    )
    session.add(product)
    session.flush()
    return product


@pytest.fixture
def world(db: Engine) -> World:
    """Dealers D1 and D2, store S1 run by D1 and S2 run by D2, the products in PRICES."""
    with Session(db) as session, session.begin():
        d1, d2 = add_dealer(session, "D1"), add_dealer(session, "D2")
        s1, s2 = add_store(session, "S1", d1), add_store(session, "S2", d2)
        products = {model: add_product(session, model, price) for model, price in PRICES.items()}
        return World(
            dealers={"D1": global_id("Dealer", d1.id), "D2": global_id("Dealer", d2.id)},
            stores={"S1": global_id("Store", s1.id), "S2": global_id("Store", s2.id)},
            products={model: global_id("Product", p.id) for model, p in products.items()},
        )
