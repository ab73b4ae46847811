"""Sales use cases: dealer orders through their status machine, and sales targets."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from engine import clock
from engine.errors import DomainError, FieldError
from engine.lifecycle import Lifecycle, expect_status, expect_version
from engine.services.common import (
    duplicate,
    duplicate_key,
    get_or_error,
    missing_references,
    raise_if,
    validate,
)
from engine.store.catalogue import Product
from engine.store.channel import Dealer, Store
from engine.store.sales import SalesOrder, SalesOrderEvent, SalesOrderLine, SalesTarget
from engine.store.scoping import UNSCOPED
from schemas.enums import PeriodKind, SalesOrderStatus, TargetOwner
from schemas.errors import ErrorCode
from schemas.sales import (
    MAX_ORDER_SEQUENCE,
    ORDER_NO_SEQUENCE_DIGITS,
    PERIOD_MONTHS,
    SalesOrderCreateFields,
    SalesOrderLineFields,
    SalesOrderTransitionFields,
    SalesOrderUpdateFields,
    SalesTargetFields,
    generated_order_no,
    is_generated_order_no,
    order_no_prefix,
)

S = SalesOrderStatus

SALES_ORDER_LIFECYCLE: Lifecycle[SalesOrderStatus] = Lifecycle(
    "sales order",
    {
        S.PLACED: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
        S.APPROVED: frozenset({S.SHIPPED, S.CANCELLED}),
        S.SHIPPED: frozenset({S.DELIVERED}),
        S.DELIVERED: frozenset({S.SIGNED}),
    },
)

# The upper bound of the `Fen` contract type: a line amount or an order total beyond it is refused
# before it could overflow the database's 64-bit column.
MAX_AMOUNT_FEN = 10**15

# The statuses in which an order's note, store and lines may be changed (an edit is not a
# status change, so it is refused with WRONG_STATUS, not INVALID_TRANSITION).
EDITABLE = frozenset({S.PLACED})


async def create_sales_order(session: AsyncSession, data: dict[str, Any]) -> SalesOrder:
    """Place an order: priced lines, total, generated number, and the first history event."""
    fields = validate(SalesOrderCreateFields, data)
    errors = await missing_references(
        session,
        [(("dealer_id",), Dealer, fields.dealer_id), (("store_id",), Store, fields.store_id)],
    )
    if not errors:
        errors += await _foreign_store(session, fields.store_id, fields.dealer_id)
    lines, total, line_errors = await _priced_lines(session, fields.lines)
    errors += line_errors
    if fields.order_no is not None:
        errors += await duplicate(session, SalesOrder.order_no, fields.order_no, ("order_no",))
    raise_if(errors)
    now = clock.now()
    order = SalesOrder(
        order_no=fields.order_no or await _next_order_no(session, now),
        dealer_id=fields.dealer_id,
        store_id=fields.store_id,
        status=S.PLACED,
        placed_at=now,
        total_fen=total,
        note=fields.note,
        lines=lines,
    )
    session.add(order)
    await session.flush()  # the order's id, before its first event refers to it
    session.add(
        SalesOrderEvent(
            order_id=order.id, from_status=None, to_status=S.PLACED, at=now, note=fields.note
        )
    )
    await session.flush()
    return order


async def update_sales_order(
    session: AsyncSession, order_id: int, patch: dict[str, Any]
) -> SalesOrder:
    """Change a placed order's note, store or lines (all lines are replaced when given)."""
    fields = validate(SalesOrderUpdateFields, patch)
    sent = fields.model_fields_set
    order = await get_or_error(
        session, SalesOrder, order_id, ("id",), selectinload(SalesOrder.lines)
    )
    errors = _refusals(
        lambda: expect_version(order.version, fields.expected_version),
        lambda: expect_status(order.status, EDITABLE, "changing a sales order"),
    )
    if "store_id" in sent:
        store_errors = await missing_references(session, [(("store_id",), Store, fields.store_id)])
        errors += store_errors or await _foreign_store(session, fields.store_id, order.dealer_id)
    new_lines: list[SalesOrderLine] | None = None
    total = order.total_fen
    if fields.lines is not None:
        new_lines, total, line_errors = await _priced_lines(session, fields.lines)
        errors += line_errors
    raise_if(errors)
    if new_lines is not None:
        # Delete the old lines in a flush of their own: the unit of work inserts before it deletes,
        # and the new line numbers would collide with the old ones.
        order.lines = []
        await session.flush()
        order.lines = new_lines
        order.total_fen = total
    if "note" in sent:
        order.note = fields.note
    if "store_id" in sent:
        order.store_id = fields.store_id
    # Always write the order row, so that a change of lines alone also bumps the version.
    order.updated_at = clock.now()
    await session.flush()
    return order


async def change_sales_order_status(
    session: AsyncSession, order_id: int, target: SalesOrderStatus, data: dict[str, Any]
) -> SalesOrder:
    """Move an order along its lifecycle and append the transition to its history."""
    fields = validate(SalesOrderTransitionFields, data)
    order = await get_or_error(session, SalesOrder, order_id)
    raise_if(
        _refusals(
            lambda: expect_version(order.version, fields.expected_version),
            lambda: SALES_ORDER_LIFECYCLE.check(order.status, target),
        )
    )
    session.add(
        SalesOrderEvent(
            order_id=order.id,
            from_status=order.status,
            to_status=target,
            at=clock.now(),
            note=fields.note,
        )
    )
    order.status = target
    await session.flush()
    return order


def _refusals(*checks: Callable[[], None]) -> list[FieldError]:
    """The errors of every check that refuses, so that a stale version and a wrong status are
    reported together rather than one per attempt."""
    errors: list[FieldError] = []
    for check in checks:
        try:
            check()
        except DomainError as exc:
            errors += exc.errors
    return errors


async def _foreign_store(
    session: AsyncSession, store_id: int | None, dealer_id: int
) -> list[FieldError]:
    """An error if the (existing) store is run by another dealer than the order's."""
    if store_id is None:
        return []
    store = await session.get(Store, store_id)
    if store is not None and store.dealer_id != dealer_id:
        return [
            FieldError(
                ("store_id",),
                f"Store {store_id} is not run by the order's dealer {dealer_id}",
                ErrorCode.INVALID,
            )
        ]
    return []


async def _priced_lines(
    session: AsyncSession, lines: list[SalesOrderLineFields]
) -> tuple[list[SalesOrderLine], int, list[FieldError]]:
    """The order lines numbered from 1, priced (list price unless given), their total, and an
    error for every unknown product or out-of-range amount."""
    product_ids = {line.product_id for line in lines}
    rows = await session.execute(
        select(Product.id, Product.list_price_fen).where(Product.id.in_(product_ids))
    )
    list_prices: dict[int, int] = {pk: price for pk, price in rows}
    errors: list[FieldError] = []
    priced: list[SalesOrderLine] = []
    total = Decimal(0)
    for index, line in enumerate(lines):
        if line.product_id not in list_prices:
            errors.append(
                FieldError(
                    ("lines", index, "product_id"),
                    f"Product {line.product_id} does not exist",
                    ErrorCode.NOT_FOUND,
                )
            )
            continue
        unit = (
            line.unit_price_fen if line.unit_price_fen is not None else list_prices[line.product_id]
        )
        amount = Decimal(line.quantity) * Decimal(unit)
        if amount > MAX_AMOUNT_FEN:
            errors.append(
                FieldError(
                    ("lines", index),
                    f"the line amount exceeds {MAX_AMOUNT_FEN} fen",
                    ErrorCode.OUT_OF_RANGE,
                )
            )
            continue
        total += amount
        priced.append(
            SalesOrderLine(
                line_no=index + 1,
                product_id=line.product_id,
                quantity=line.quantity,
                unit_price_fen=unit,
                amount_fen=int(amount),
            )
        )
    if not errors and total > MAX_AMOUNT_FEN:
        errors.append(
            FieldError(
                ("lines",), f"the order total exceeds {MAX_AMOUNT_FEN} fen", ErrorCode.OUT_OF_RANGE
            )
        )
    return priced, int(total), errors


async def _next_order_no(session: AsyncSession, placed_at: datetime) -> str:
    """The day's next generated number: one above the highest of that day's numbers of the
    generated form (clients may not choose that form, so only the service's own numbers count).
    Two concurrent creates may pick the same number: the unique column refuses the second, which
    the API reports as CONFLICT (retry). CONFLICT on `order_no` once the day's sequence is used
    up, rather than a longer number."""
    day = clock.today(placed_at)
    prefix = order_no_prefix(day)
    length = len(prefix) + ORDER_NO_SEQUENCE_DIGITS
    # Unscoped: a dealer must not pick a number another dealer's order already holds.
    taken = await session.scalars(
        select(SalesOrder.order_no).where(
            SalesOrder.order_no.startswith(prefix, autoescape=True),
            func.length(SalesOrder.order_no) == length,
        ).execution_options(**{UNSCOPED: True})
    )
    used = max(
        (int(number[len(prefix) :]) for number in taken if is_generated_order_no(number)),
        default=0,
    )
    if used >= MAX_ORDER_SEQUENCE:
        raise DomainError.single(
            ("order_no",),
            f"all {MAX_ORDER_SEQUENCE} generated order numbers of {day} are used; "
            "give the order a number of your own",
            ErrorCode.CONFLICT,
        )
    return generated_order_no(day, used + 1)


async def create_sales_target(session: AsyncSession, data: dict[str, Any]) -> SalesTarget:
    """Set a dealer's or a store's target for one period (one per owner and period)."""
    fields = _target_fields(data)
    errors = await _lock_owner(session, fields)
    if not errors:
        errors += await _target_duplicate(session, fields)
    raise_if(errors)
    owner = TargetOwner.DEALER if fields.dealer_id is not None else TargetOwner.STORE
    target = SalesTarget(owner_kind=owner, **fields.model_dump())
    session.add(target)
    await session.flush()
    return target


async def update_sales_target(
    session: AsyncSession, target_id: int, patch: dict[str, Any]
) -> SalesTarget:
    """Change a target's amount or period; its owner stays."""
    target = await get_or_error(session, SalesTarget, target_id)
    fields = _target_fields({**SalesTargetFields.model_validate(target).model_dump(), **patch})
    raise_if(
        await _lock_owner(session, fields)
        + await _target_duplicate(session, fields, exclude_id=target.id)
    )
    for key, value in fields.model_dump(
        include={"period_kind", "period_start", "amount_fen"}
    ).items():
        setattr(target, key, value)
    await session.flush()
    return target


def _target_fields(data: dict[str, Any]) -> SalesTargetFields:
    """The validated target, with the exactly-one-owner rule reported beside field errors
    (the database's CHECK would otherwise refuse it as an unexplained integrity error)."""
    dealer_id, store_id = data.get("dealer_id"), data.get("store_id")
    owner: list[FieldError] = []
    if dealer_id is None and store_id is None:
        owner.append(
            FieldError(
                ("dealer_id",), "give the dealer or the store the target is for", ErrorCode.REQUIRED
            )
        )
    elif dealer_id is not None and store_id is not None:
        owner.append(
            FieldError(
                ("store_id",),
                "a target is for a dealer or for a store, not both",
                ErrorCode.INVALID,
            )
        )
    try:
        fields = validate(SalesTargetFields, data)
    except DomainError as exc:
        raise DomainError(owner + exc.errors) from exc
    raise_if(owner)
    return fields


async def _lock_owner(session: AsyncSession, fields: SalesTargetFields) -> list[FieldError]:
    """Lock the owner's row so that two writers cannot both pass the duplicate check: the table's
    unique constraint treats the owner column left NULL as distinct and would not stop them.
    PostgreSQL only: SQLite ignores FOR UPDATE. NOT_FOUND if the owner does not exist."""
    model, pk, path = (
        (Dealer, fields.dealer_id, "dealer_id")
        if fields.dealer_id is not None
        else (Store, fields.store_id, "store_id")
    )
    found = await session.scalar(select(model.id).where(model.id == pk).with_for_update())
    if found is None:
        return [FieldError((path,), f"{model.__name__} {pk} does not exist", ErrorCode.NOT_FOUND)]
    return []


async def _target_duplicate(
    session: AsyncSession, fields: SalesTargetFields, exclude_id: int | None = None
) -> list[FieldError]:
    """DUPLICATE on `period_start` if the owner already has a target for this period."""
    return await duplicate_key(
        session,
        {
            SalesTarget.dealer_id: fields.dealer_id,  # == None compiles to IS NULL
            SalesTarget.store_id: fields.store_id,
            SalesTarget.period_kind: fields.period_kind,
            SalesTarget.period_start: fields.period_start,
        },
        ("period_start",),
        exclude_id,
    )


def period_end(kind: PeriodKind, start: date) -> date:
    """The last day of the period of this kind that opens on `start` (the last day of its last
    month, so that a period ending in December 9999 needs no date beyond it)."""
    last_month = clock.add_months(start, PERIOD_MONTHS[kind] - 1)
    return last_month.replace(day=calendar.monthrange(last_month.year, last_month.month)[1])
