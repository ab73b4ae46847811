"""Sales use cases: dealer orders through their status machine, and sales targets."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from engine import clock
from engine.errors import DomainError, FieldError
from engine.lifecycle import Lifecycle
from engine.services.common import duplicate, get_or_error, missing_references, raise_if, validate
from engine.store.catalogue import Product
from engine.store.channel import Dealer, Store
from engine.store.sales import SalesOrder, SalesOrderEvent, SalesOrderLine, SalesTarget
from schemas.enums import SalesOrderStatus, TargetOwner
from schemas.errors import ErrorCode
from schemas.sales import (
    SalesOrderCreateFields,
    SalesOrderLineFields,
    SalesOrderTransitionFields,
    SalesOrderUpdateFields,
    SalesTargetFields,
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

# Generated order numbers: "SO" + the brand's calendar date (engine.clock, Asia/Shanghai) the order
# is placed on (YYYYMMDD) + a daily sequence of at least 5 digits, one above the highest all-digit
# suffix already used that day (client-chosen numbers included), e.g. SO2024030100001. Two
# concurrent creates may pick the same number: the unique column refuses the second, which the API
# reports as CONFLICT (retry).
ORDER_NO_PREFIX = "SO"
ORDER_NO_DIGITS = 5


async def create_sales_order(session: AsyncSession, data: dict[str, Any]) -> SalesOrder:
    """Place an order: priced lines, total, generated number, and the first history event."""
    fields = validate(SalesOrderCreateFields, data)
    errors = await missing_references(session, [(("dealer_id",), Dealer, fields.dealer_id)])
    errors += await _store_errors(session, fields.store_id, None if errors else fields.dealer_id)
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
    errors = _version_errors(order, fields.expected_version)
    if order.status is not S.PLACED:
        errors.append(
            FieldError(
                ("id",),
                f"a sales order can be changed only while placed; this one is {order.status.value}",
                ErrorCode.INVALID_TRANSITION,
            )
        )
    if "store_id" in sent:
        errors += await _store_errors(session, fields.store_id, order.dealer_id)
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
    errors = _version_errors(order, fields.expected_version)
    try:
        SALES_ORDER_LIFECYCLE.check(order.status, target)
    except DomainError as exc:
        errors += exc.errors
    raise_if(errors)
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


def _version_errors(order: SalesOrder, expected: int | None) -> list[FieldError]:
    if expected is None or expected == order.version:
        return []
    return [
        FieldError(
            ("expected_version",),
            f"the order is at version {order.version}, not {expected}; reload and retry",
            ErrorCode.CONFLICT,
        )
    ]


async def _store_errors(
    session: AsyncSession, store_id: int | None, dealer_id: int | None
) -> list[FieldError]:
    """An error if the store does not exist or is run by another dealer than the order's
    (not checked when `dealer_id` is None: the dealer is unknown, which is reported already)."""
    if store_id is None:
        return []
    store = await session.get(Store, store_id)
    if store is None:
        return [FieldError(("store_id",), f"Store {store_id} does not exist", ErrorCode.NOT_FOUND)]
    if dealer_id is not None and store.dealer_id != dealer_id:
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
    prefix = f"{ORDER_NO_PREFIX}{clock.today(placed_at):%Y%m%d}"
    taken = await session.scalars(
        select(SalesOrder.order_no).where(SalesOrder.order_no.startswith(prefix, autoescape=True))
    )
    suffixes = (number[len(prefix) :] for number in taken)
    sequence = max((int(s) for s in suffixes if s.isascii() and s.isdigit()), default=0) + 1
    return f"{prefix}{sequence:0{ORDER_NO_DIGITS}d}"


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
    stmt = (
        select(func.count())
        .select_from(SalesTarget)
        .where(
            SalesTarget.dealer_id == fields.dealer_id,  # == None compiles to IS NULL
            SalesTarget.store_id == fields.store_id,
            SalesTarget.period_kind == fields.period_kind,
            SalesTarget.period_start == fields.period_start,
        )
    )
    if exclude_id is not None:
        stmt = stmt.where(SalesTarget.id != exclude_id)
    if await session.scalar(stmt):
        owner = (
            f"dealer {fields.dealer_id}"
            if fields.dealer_id is not None
            else f"store {fields.store_id}"
        )
        return [
            FieldError(
                ("period_start",),
                f"{owner} already has a {fields.period_kind.value} target starting {fields.period_start}",
                ErrorCode.DUPLICATE,
            )
        ]
    return []
