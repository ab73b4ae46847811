"""Dealer reports on a real database: payments against orders or on account, stock reports that
replace a day's figure, sell-out batches, price violations; every offender of a refused request
reported at once by its path, and nothing of it stored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine import clock
from engine.errors import DomainError
from engine.services.dealer_reports import record_payment, record_price_violation, report_sell_out, report_stock
from engine.store.catalogue import Product
from engine.store.channel import Dealer, Store
from engine.store.dealer_reports import DealerPayment, PriceViolation, SellOutReport, StockReport
from engine.store.sales import SalesOrder
from schemas.dealer_reports import SellOutBuyer
from tests.api.access.tenants import snapshot
from tests.engine.use_cases import run

REPORT_TABLES = (DealerPayment, StockReport, SellOutReport, PriceViolation)
ORDER_TOTAL = 1_000_00


@dataclass(frozen=True)
class Books:
    """Primary keys of the arranged rows: dealers D1 and D2 with stores S1 and S2, two models, and
    orders of D1 (placed, cancelled) and D2 (placed), each of ORDER_TOTAL."""

    dealers: dict[str, int]
    stores: dict[str, int]
    products: dict[str, int]
    orders: dict[str, int]


@pytest.fixture
def books(db: Engine) -> Books:
    with db.begin() as c:
        def row(model: Any, values: dict[str, Any]) -> int:
            return int(c.execute(insert(model).returning(model.id), values).scalar_one())

        dealers = {code: row(Dealer, {"code": code, "name": code, "legal_representative": "张伟",
                                      "channel_type": "agent", "cooperation_level": "city_agent"})
                   for code in ("D1", "D2")}
        stores = {f"S{i}": row(Store, {"code": f"S{i}", "name": f"门店 {i}", "dealer_id": dealers[f"D{i}"],
                                       "region_code": "310115", "address": "上海市", "latitude": 31.2, "longitude": 121.5,
                                       "manager": "李娜", "phone": "021-5555-0101", "grade": "A",
                                       "display_status": "full"})
                  for i in (1, 2)}
        products = {m: row(Product, {"model": m, "name": m, "category": "air_conditioner", "brand": "Acme",
                                     "list_price_fen": 100_00, "warranty_months": 12, "needs_installation": False})
                    for m in ("KFR-35GW", "XQG100")}
        orders = {no: row(SalesOrder, {"order_no": no, "dealer_id": dealers[dealer], "status": status,
                                       "placed_at": datetime(2026, 1, 5, tzinfo=UTC), "total_fen": ORDER_TOTAL})
                  for no, dealer, status in (("SO-D1", "D1", "placed"), ("SO-D1-X", "D1", "cancelled"),
                                             ("SO-D2", "D2", "placed"))}
    return Books(dealers, stores, products, orders)


UseCase = Callable[[AsyncSession, dict[str, Any]], Awaitable[Any]]


def call(url: str, use_case: UseCase, data: dict[str, Any]) -> Any:
    return run(url, lambda s: use_case(s, data))


def refusal(url: str, use_case: UseCase, data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(DomainError) as refused:
        call(url, use_case, data)
    return [(e.path, e.code.value) for e in refused.value.errors]


def rows(db: Engine, model: Any) -> list[Any]:
    with db.connect() as c:
        return list(c.execute(select(model.__table__).order_by(model.__table__.c.id)))


RECEIVED = datetime(2026, 1, 31, 17, 0, tzinfo=UTC)  # 01:00 on February 1 in the brand's time zone


# --- payments -------------------------------------------------------------------------------------
def test_a_payment_gets_a_number_of_the_brands_day_it_was_received_in_sequence(database_url: str, db: Engine,
                                                                            books: Books) -> None:
    # given two payments received an hour after midnight in Shanghai (still January 31 in UTC)
    first = {"dealer_id": books.dealers["D1"], "order_id": books.orders["SO-D1"], "amount_fen": 400_00,
             "received_at": RECEIVED}
    second = {"dealer_id": books.dealers["D1"], "amount_fen": 50_00, "received_at": RECEIVED, "note": "预付款"}

    # when both are recorded
    numbers = [call(database_url, record_payment, data).payment_no for data in (first, second)]

    # then they are numbered for February 1, one after the other; the second is on account
    assert numbers == ["PM2026020100001", "PM2026020100002"]
    stored = rows(db, DealerPayment)
    assert [(r.order_id, r.amount_fen, r.note) for r in stored] == [(books.orders["SO-D1"], 400_00, None),
                                                                     (None, 50_00, "预付款")]


def test_payments_against_an_order_stop_at_what_it_still_owes(database_url: str, db: Engine, books: Books) -> None:
    # given 600.00 already paid on an order of 1,000.00
    order = {"dealer_id": books.dealers["D1"], "order_id": books.orders["SO-D1"], "received_at": RECEIVED}
    call(database_url, record_payment, {**order, "amount_fen": 600_00})

    # when 400.01 and then 400.00 are paid on it
    too_much = refusal(database_url, record_payment, {**order, "amount_fen": 400_01})
    exact = call(database_url, record_payment, {**order, "amount_fen": 400_00})

    # then the first is refused on its amount, the second settles the order
    assert too_much == [(("amount_fen",), "OUT_OF_RANGE")]
    assert exact.amount_fen == 400_00
    assert sum(r.amount_fen for r in rows(db, DealerPayment)) == ORDER_TOTAL


@pytest.mark.parametrize(("change", "expected"), [
    ({"order_id": "SO-D2"}, [(("order_id",), "INVALID")]),
    ({"order_id": "SO-D1-X"}, [(("order_id",), "WRONG_STATUS")]),
    ({"order_id": 987_654}, [(("order_id",), "NOT_FOUND")]),
    ({"dealer_id": 987_654, "order_id": None}, [(("dealer_id",), "NOT_FOUND")]),
    ({"amount_fen": 0}, [(("amount_fen",), "OUT_OF_RANGE")]),
    ({"received_at": datetime(2026, 1, 31, 17, 0)}, [(("received_at",), "INVALID")]),
    ({"payment_no": "PM2026020100007"}, [(("payment_no",), "INVALID")]),
    ({"received_at": "0001-01-01T00:00:00+14:00"}, [(("received_at",), "INVALID")]),
], ids=["another dealer's order", "a cancelled order", "an unknown order", "an unknown dealer", "nothing paid",
        "a naive time", "a number of the generated form", "a time with no UTC form"])
def test_a_refused_payment_names_its_field_and_stores_nothing(database_url: str, db: Engine, books: Books,
                                                            change: dict[str, Any], expected: list[Any]) -> None:
    # given a valid payment with one thing wrong
    data = {"dealer_id": books.dealers["D1"], "order_id": books.orders["SO-D1"], "amount_fen": 100_00,
            "received_at": RECEIVED}
    data.update({k: books.orders.get(v, v) if k == "order_id" else v for k, v in change.items()})

    # when it is recorded
    errors = refusal(database_url, record_payment, data)

    # then it is refused on that field, and nothing is stored
    assert errors == expected
    assert rows(db, DealerPayment) == []


def test_every_offender_of_a_payment_is_reported_at_once(database_url: str, db: Engine, books: Books) -> None:
    # given a payment number already taken
    call(database_url, record_payment, {"dealer_id": books.dealers["D1"], "amount_fen": 1_00, "received_at": RECEIVED,
                                        "payment_no": "BANK-1"})
    before = snapshot(db, *REPORT_TABLES)

    # when a payment from an unknown dealer, received tomorrow, reuses it
    errors = refusal(database_url, record_payment, {
        "dealer_id": 987_654, "amount_fen": 1_00, "received_at": clock.now() + timedelta(days=1),
        "payment_no": "BANK-1"})

    # then all three are reported, and nothing changed
    assert errors == [(("dealer_id",), "NOT_FOUND"), (("received_at",), "OUT_OF_RANGE"), (("payment_no",), "DUPLICATE")]
    assert snapshot(db, *REPORT_TABLES) == before


# --- stock ----------------------------------------------------------------------------------------
def test_a_stock_re_report_of_the_same_day_replaces_the_figure_and_keeps_other_days(database_url: str, db: Engine,
                                                                                   books: Books) -> None:
    # given D1's stock of two models on March 1 and of one on March 2
    ac, washer, dealer = books.products["KFR-35GW"], books.products["XQG100"], books.dealers["D1"]
    call(database_url, report_stock, {"dealer_id": dealer, "as_of": date(2026, 3, 1),
                                      "rows": [{"product_id": ac, "on_hand": 30},
                                               {"product_id": washer, "on_hand": 5}]})
    call(database_url, report_stock, {"dealer_id": dealer, "as_of": date(2026, 3, 2),
                                      "rows": [{"product_id": ac, "on_hand": 28}]})

    # when March 1 is reported again for the air conditioner only
    again = call(database_url, report_stock, {"dealer_id": dealer, "as_of": date(2026, 3, 1),
                                              "rows": [{"product_id": ac, "on_hand": 25}]})

    # then that one figure is replaced in place; the washer's and March 2's stay
    assert [(r.product_id, r.on_hand) for r in again] == [(ac, 25)]
    assert sorted((r.as_of, r.product_id, r.on_hand) for r in rows(db, StockReport)) == sorted([
        (date(2026, 3, 1), ac, 25), (date(2026, 3, 1), washer, 5), (date(2026, 3, 2), ac, 28)])
    assert len(rows(db, StockReport)) == 3


def test_a_stock_batch_with_offenders_reports_each_and_stores_none_of_it(database_url: str, db: Engine,
                                                                        books: Books) -> None:
    # given a batch for tomorrow with a good row, an unknown model and a repeated model; and one for
    # a day before 2000 with a negative count
    ac = books.products["KFR-35GW"]
    data = {"dealer_id": books.dealers["D1"], "as_of": clock.today() + timedelta(days=1), "rows": [
        {"product_id": ac, "on_hand": 3}, {"product_id": 987_654, "on_hand": 1}, {"product_id": ac, "on_hand": 4}]}
    negative = {**data, "as_of": date(1999, 12, 31), "rows": [{"product_id": ac, "on_hand": -1}]}

    # when each is reported
    errors = refusal(database_url, report_stock, data)
    contract = refusal(database_url, report_stock, negative)

    # then every offender is named by its path, and no row was stored
    assert errors == [(("as_of",), "OUT_OF_RANGE"), (("rows", 2, "product_id"), "DUPLICATE"),
                      (("rows", 1, "product_id"), "NOT_FOUND")]
    assert contract == [(("as_of",), "OUT_OF_RANGE"), (("rows", 0, "on_hand"), "OUT_OF_RANGE")]
    assert rows(db, StockReport) == []


# --- sell-out -------------------------------------------------------------------------------------
def test_sell_out_rows_are_stored_with_the_dealers_store_and_add_up(database_url: str, db: Engine,
                                                                   books: Books) -> None:
    # given D1's sales to its store S1 and to consumers
    ac = books.products["KFR-35GW"]
    batch = {"dealer_id": books.dealers["D1"], "rows": [
        {"product_id": ac, "sold_on": date(2026, 3, 1), "quantity": 4, "buyer": "store", "store_code": "S1"},
        {"product_id": ac, "sold_on": date(2026, 3, 1), "quantity": 2, "buyer": "consumer"}]}

    # when the batch is reported twice
    first = call(database_url, report_sell_out, batch)
    call(database_url, report_sell_out, batch)

    # then each report is kept: the same day's sales add up
    assert [(r.quantity, r.buyer, r.store_id) for r in first] == [(4, SellOutBuyer.STORE, books.stores["S1"]),
                                                                  (2, SellOutBuyer.CONSUMER, None)]
    assert sum(r.quantity for r in rows(db, SellOutReport)) == 12


def test_a_sell_out_batch_with_offenders_reports_each_and_stores_none_of_it(database_url: str, db: Engine,
                                                                           books: Books) -> None:
    # given a good row, then another dealer's store, an unknown store, an unknown model and a day to come
    ac = books.products["KFR-35GW"]
    good = {"product_id": ac, "sold_on": date(2026, 3, 1), "quantity": 1, "buyer": "consumer"}
    data = {"dealer_id": books.dealers["D1"], "rows": [
        good, {**good, "store_code": "S2"}, {**good, "store_code": "S9"}, {**good, "product_id": 987_654},
        {**good, "sold_on": clock.today() + timedelta(days=1)}]}

    # when it is reported
    errors = refusal(database_url, report_sell_out, data)

    # then each offender is named, and nothing was stored
    assert sorted(errors, key=str) == sorted([
        (("rows", 1, "store_code"), "INVALID"), (("rows", 2, "store_code"), "NOT_FOUND"),
        (("rows", 3, "product_id"), "NOT_FOUND"), (("rows", 4, "sold_on"), "OUT_OF_RANGE")], key=str)
    assert rows(db, SellOutReport) == []


# --- price violations -----------------------------------------------------------------------------
def test_a_price_violation_is_recorded_for_a_model_or_in_general(database_url: str, db: Engine, books: Books) -> None:
    # given two observations at D2, one about a model
    dealer, ac = books.dealers["D2"], books.products["KFR-35GW"]
    seen = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)

    # when both are recorded
    call(database_url, record_price_violation, {"dealer_id": dealer, "product_id": ac, "observed_at": seen,
                                                "note": "低于限价 10%"})
    call(database_url, record_price_violation, {"dealer_id": dealer, "observed_at": seen, "note": "网店低价"})

    # then both are stored as given
    assert [(r.dealer_id, r.product_id, r.note) for r in rows(db, PriceViolation)] == [
        (dealer, ac, "低于限价 10%"), (dealer, None, "网店低价")]


def test_a_refused_price_violation_names_every_offender(database_url: str, db: Engine, books: Books) -> None:
    # when a violation of an unknown model is recorded tomorrow, and one without a note
    errors = refusal(database_url, record_price_violation, {
        "dealer_id": books.dealers["D1"], "product_id": 987_654, "observed_at": clock.now() + timedelta(days=1),
        "note": "x"})
    no_note = refusal(database_url, record_price_violation, {"dealer_id": books.dealers["D1"], "observed_at": RECEIVED})

    # then each is refused by its field, and nothing is stored
    assert errors == [(("product_id",), "NOT_FOUND"), (("observed_at",), "OUT_OF_RANGE")]
    assert no_note == [(("note",), "REQUIRED")]
    assert rows(db, PriceViolation) == []
