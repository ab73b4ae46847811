"""Dealer report use cases: record a payment received, take a stock or a sell-out report, record a
price violation. Each checks the whole request first and reports every offender by its path, so
a batch is stored whole or not at all."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine import clock
from engine.errors import DomainError, FieldError
from engine.services.common import duplicate, missing_references, raise_if, validate
from engine.store.catalogue import Product
from engine.store.channel import Dealer, Store
from engine.store.dealer_reports import DealerPayment, PriceViolation, SellOutReport, StockReport
from engine.store.sales import SalesOrder
from engine.store.scoping import UNSCOPED
from schemas.dealer_reports import (
    MAX_PAYMENT_SEQUENCE,
    PAYMENT_NO_SEQUENCE_DIGITS,
    DealerPaymentFields,
    PriceViolationFields,
    SellOutReportFields,
    StockReportFields,
    is_generated_payment_no,
    payment_no_prefix,
)
from schemas.enums import SalesOrderStatus
from schemas.errors import ErrorCode

Path = tuple[str | int, ...]

# Orders that were never going to be paid for: a payment against one is refused.
UNPAYABLE = frozenset({SalesOrderStatus.REJECTED, SalesOrderStatus.CANCELLED})


async def record_payment(session: AsyncSession, data: dict[str, Any]) -> DealerPayment:
    """Record money a dealer paid, against one of its orders (up to what is still owed on it) or
    on account."""
    fields = validate(DealerPaymentFields, data)
    errors = await missing_references(session, [(("dealer_id",), Dealer, fields.dealer_id)])
    errors += _not_after(fields.received_at, clock.now(), ("received_at",),
                         "a payment cannot be received in the future")
    if fields.order_id is not None:
        errors += await _payable_order(session, fields.order_id, fields.dealer_id, fields.amount_fen)
    if fields.payment_no is not None:
        errors += await duplicate(session, DealerPayment.payment_no, fields.payment_no, ("payment_no",))
    raise_if(errors)
    payment = DealerPayment(
        payment_no=fields.payment_no or await _next_payment_no(session, clock.today(fields.received_at)),
        dealer_id=fields.dealer_id,
        order_id=fields.order_id,
        amount_fen=fields.amount_fen,
        received_at=fields.received_at,
        note=fields.note,
    )
    session.add(payment)
    await session.flush()
    return payment


async def report_stock(session: AsyncSession, data: dict[str, Any]) -> list[StockReport]:
    """Take a dealer's stock on hand at the end of a day; a model it already reported for that day
    is replaced. The rows come back in the order they were sent."""
    fields = validate(StockReportFields, data)
    products = [row.product_id for row in fields.rows]
    errors = await missing_references(session, [(("dealer_id",), Dealer, fields.dealer_id)])
    errors += _not_after(fields.as_of, clock.today(), ("as_of",), "stock cannot be reported for a day still to come")
    errors += _repeated(products, "rows", "product_id", "the model is reported twice in this batch")
    errors += await _missing_products(session, [(("rows", i, "product_id"), p) for i, p in enumerate(products)])
    raise_if(errors)
    existing = {
        r.product_id: r
        for r in await session.scalars(select(StockReport).where(
            StockReport.dealer_id == fields.dealer_id, StockReport.as_of == fields.as_of,
            StockReport.product_id.in_(products)))
    }
    reports = []
    for row in fields.rows:
        report = existing.get(row.product_id)
        if report is None:
            report = StockReport(dealer_id=fields.dealer_id, product_id=row.product_id, as_of=fields.as_of,
                                 on_hand=row.on_hand)
            session.add(report)
        else:
            report.on_hand = row.on_hand
            report.updated_at = clock.now()  # a re-report of the same figure is a new report all the same
        reports.append(report)
    await session.flush()
    return reports


async def report_sell_out(session: AsyncSession, data: dict[str, Any]) -> list[SellOutReport]:
    """Take a dealer's sales to stores and consumers; each row is a new report (sales add up)."""
    fields = validate(SellOutReportFields, data)
    errors = await missing_references(session, [(("dealer_id",), Dealer, fields.dealer_id)])
    today = clock.today()
    for index, row in enumerate(fields.rows):
        errors += _not_after(row.sold_on, today, ("rows", index, "sold_on"),
                             "a sale cannot be reported for a day still to come")
    errors += await _missing_products(
        session, [(("rows", i, "product_id"), r.product_id) for i, r in enumerate(fields.rows)])
    stores, store_errors = await _dealer_stores(
        session, fields.dealer_id, [(("rows", i, "store_code"), r.store_code) for i, r in enumerate(fields.rows)])
    raise_if(errors + store_errors)
    reports = [
        SellOutReport(dealer_id=fields.dealer_id, product_id=row.product_id, sold_on=row.sold_on, quantity=row.quantity,
                      buyer=row.buyer, store_id=None if row.store_code is None else stores[row.store_code])
        for row in fields.rows
    ]
    session.add_all(reports)
    await session.flush()
    return reports


async def record_price_violation(session: AsyncSession, data: dict[str, Any]) -> PriceViolation:
    """Record a breach of the price policy observed at a dealer; rebate policies may exclude a
    dealer with such records in the period."""
    fields = validate(PriceViolationFields, data)
    errors = await missing_references(
        session, [(("dealer_id",), Dealer, fields.dealer_id), (("product_id",), Product, fields.product_id)])
    errors += _not_after(fields.observed_at, clock.now(), ("observed_at",),
                         "a violation cannot be observed in the future")
    raise_if(errors)
    violation = PriceViolation(dealer_id=fields.dealer_id, product_id=fields.product_id,
                               observed_at=fields.observed_at, note=fields.note)
    session.add(violation)
    await session.flush()
    return violation


def _not_after(value: date | datetime, limit: date | datetime, path: Path, message: str) -> list[FieldError]:
    return [FieldError(path, message, ErrorCode.OUT_OF_RANGE)] if value > limit else []  # type: ignore[operator]


def _repeated(values: list[Any], rows: str, name: str, message: str) -> list[FieldError]:
    """DUPLICATE on every row repeating an earlier row's value."""
    seen: set[Any] = set()
    errors = []
    for index, value in enumerate(values):
        if value in seen:
            errors.append(FieldError((rows, index, name), message, ErrorCode.DUPLICATE))
        seen.add(value)
    return errors


async def _missing_products(session: AsyncSession, wanted: list[tuple[Path, int | None]]) -> list[FieldError]:
    """NOT_FOUND for each path whose product does not exist, in one statement."""
    ids = {pk for _, pk in wanted if pk is not None}
    found = set(await session.scalars(select(Product.id).where(Product.id.in_(ids)))) if ids else set()
    return [FieldError(path, f"Product {pk} does not exist", ErrorCode.NOT_FOUND)
            for path, pk in wanted if pk is not None and pk not in found]


async def _dealer_stores(
    session: AsyncSession, dealer_id: int, wanted: Iterable[tuple[Path, str | None]]
) -> tuple[dict[str, int], list[FieldError]]:
    """The ids of the named stores by code; NOT_FOUND for an unknown code, INVALID for a store of
    another dealer (a store outside the caller's row scope is unknown to it)."""
    named = [(path, code) for path, code in wanted if code is not None]
    codes = {code for _, code in named}
    stmt = select(Store.code, Store.id, Store.dealer_id).where(Store.code.in_(codes))
    found = {code: (pk, owner) for code, pk, owner in (await session.execute(stmt)).all()} if codes else {}
    errors = []
    for path, code in named:
        if code not in found:
            errors.append(FieldError(path, f"Store {code!r} does not exist", ErrorCode.NOT_FOUND))
        elif found[code][1] != dealer_id:
            errors.append(FieldError(path, f"Store {code!r} is not run by dealer {dealer_id}", ErrorCode.INVALID))
    return {code: pk for code, (pk, _) in found.items()}, errors


async def _payable_order(session: AsyncSession, order_id: int, dealer_id: int, amount_fen: int) -> list[FieldError]:
    """The order exists, is the dealer's, may be paid, and owes at least `amount_fen` still."""
    order = await session.get(SalesOrder, order_id)
    path: Path = ("order_id",)
    if order is None:
        return [FieldError(path, f"SalesOrder {order_id} does not exist", ErrorCode.NOT_FOUND)]
    if order.dealer_id != dealer_id:
        return [FieldError(path, f"SalesOrder {order_id} is not an order of dealer {dealer_id}", ErrorCode.INVALID)]
    if order.status in UNPAYABLE:
        return [FieldError(path, f"SalesOrder {order_id} is {order.status.value}: nothing is owed on it",
                           ErrorCode.WRONG_STATUS)]
    paid = await session.scalar(
        select(func.coalesce(func.sum(DealerPayment.amount_fen), 0)).where(DealerPayment.order_id == order_id)
        .execution_options(**{UNSCOPED: True}))
    owed = order.total_fen - int(paid or 0)
    if amount_fen > owed:
        return [FieldError(("amount_fen",), f"more than the {owed} fen still owed on SalesOrder {order_id}",
                           ErrorCode.OUT_OF_RANGE)]
    return []


async def _next_payment_no(session: AsyncSession, day: date) -> str:
    """The day's next generated number (one above the day's highest); two concurrent records may
    pick the same one, and the unique column refuses the second (CONFLICT: retry)."""
    prefix = payment_no_prefix(day)
    taken = await session.scalars(
        select(DealerPayment.payment_no).where(
            DealerPayment.payment_no.startswith(prefix, autoescape=True),
            func.length(DealerPayment.payment_no) == len(prefix) + PAYMENT_NO_SEQUENCE_DIGITS,
        ).execution_options(**{UNSCOPED: True}))
    used = max((int(n[len(prefix):]) for n in taken if is_generated_payment_no(n)), default=0)
    if used >= MAX_PAYMENT_SEQUENCE:
        raise DomainError.single(("payment_no",), f"all {MAX_PAYMENT_SEQUENCE} generated payment numbers of {day} "
                                 "are used; give the payment a number of your own", ErrorCode.CONFLICT)
    return f"{prefix}{used + 1:0{PAYMENT_NO_SEQUENCE_DIGITS}d}"
