"""Priced orders: placing an order at the engine's quote redeems its coupons, draws on budgeted
promotions and earns the member's points, in one transaction; returns and cancellation give
back what the returned part earned. Coupon codes are issued here too."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from engine import clock
from engine.errors import DomainError, FieldError
from engine.services import loyalty
from engine.services.common import get_or_error, raise_if, validate
from engine.services.quotes import ALL_ROWS, live_pricing_rules, resolve_input
from engine.pricing import price
from engine.store.channel import Dealer, Store
from engine.store.consumer import Member
from engine.store.pricing import CouponCode, CouponRedemption, PricedOrder, PricedOrderLine, RuleBudgetUse
from schemas.enums import ChannelType
from schemas.errors import ErrorCode
from schemas.loyalty import PaidLine
from schemas.pricing import Quote
from schemas.pricing_orders import (
    CouponCodesIssueFields,
    PricedOrderPlaceFields,
    PricedOrderReturnFields,
    PricedOrderStatus,
)

S = PricedOrderStatus
# No 0/O, 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


async def place_order(session: AsyncSession, data: dict[str, Any], actor: str) -> PricedOrder:
    """Quote and place. The same `order_ref` again returns the first order untouched; a coupon
    that cannot be used refuses the order (a quote only reports it)."""
    fields = validate(PricedOrderPlaceFields, data)
    request_json = fields.request.model_dump(mode="json")
    existing = await session.scalar(select(PricedOrder).where(PricedOrder.order_ref == fields.order_ref)
                                    .options(selectinload(PricedOrder.lines)).execution_options(**ALL_ROWS))
    if existing is not None:
        if existing.request != request_json:
            raise DomainError.single(("order_ref",), f"order {fields.order_ref} was placed with another request",
                                     ErrorCode.CONFLICT)
        return existing
    at = clock.now() if fields.request.context.at is None else fields.request.context.at
    rules = await live_pricing_rules(session, at)
    try:
        pricing_input = await resolve_input(session, fields.request, at, rules)
    except DomainError as exc:  # the request is the input's `request` field
        raise DomainError([FieldError(("request", *e.path), e.message, e.code) for e in exc.errors]) from exc
    refused = [FieldError(("request", "context", "coupon_codes", i), f"coupon {c.code}: {c.reason}", ErrorCode.INVALID)
               for i, c in enumerate(pricing_input.coupons) if not c.usable]
    raise_if(refused)
    quote = price(rules, pricing_input)
    context = fields.request.context
    dealer_id = await _id_of(session, Dealer, Dealer.code, context.dealer_code)
    store_id = await _id_of(session, Store, Store.code, context.store_code)
    member = None
    if context.member_no is not None:
        member = await session.scalar(select(Member).where(Member.member_no == context.member_no).execution_options(**ALL_ROWS))
    order = PricedOrder(
        order_ref=fields.order_ref, dealer_id=dealer_id, store_id=store_id, member_id=member.id if member else None,
        status=S.PLACED, placed_at=at, list_amount_fen=quote.totals.list_amount_fen,
        discount_fen=quote.totals.list_amount_fen - (quote.totals.final_amount_fen - quote.totals.gift_amount_fen),
        final_amount_fen=quote.totals.final_amount_fen, request=request_json, quote=quote.model_dump(mode="json"),
        placed_by=actor,
    )
    by_line = {line.line_no: line for line in pricing_input.lines}
    order.lines = [
        PricedOrderLine(line_no=line.line_no, kind=line.kind, model=line.model,
                        category=by_line[line.line_no].category if line.kind == "sale" else None,
                        brand=by_line[line.line_no].brand if line.kind == "sale" else None,
                        quantity=line.quantity, list_amount_fen=line.list_amount_fen,
                        final_amount_fen=line.final_amount_fen, points_multiplier=str(line.points_multiplier))
        for line in quote.lines
    ]
    session.add(order)
    await session.flush()
    await _redeem(session, order, quote, pricing_input.coupons, at)
    await _draw_budgets(session, order, quote)
    if member is not None:
        await loyalty.award_order_points(
            session, member_id=member.id, order_ref=order.order_ref, lines=_paid_lines(order), at=at,
            multipliers={l.line_no: l.points_multiplier for l in quote.lines if l.kind == "sale"},
            extra_points=quote.totals.points_award, actor=actor,
            channel_type=ChannelType(pricing_input.buyer.channel_type) if pricing_input.buyer.channel_type else None,
        )
    await session.flush()
    return order


async def return_order(session: AsyncSession, order_id: int, data: dict[str, Any], actor: str) -> PricedOrder:
    """Take back units of sale lines; the member loses the points of the returned part."""
    fields = validate(PricedOrderReturnFields, data)
    order = await _order(session, order_id)
    if order.status in (S.CANCELLED, S.RETURNED):
        raise DomainError.single(("id",), f"a {order.status.value} order takes no returns", ErrorCode.WRONG_STATUS)
    lines = {line.line_no: line for line in order.lines}
    errors, wanted = [], {}
    for i, item in enumerate(fields.lines):
        line = lines.get(item.line_no)
        if line is None or line.kind != "sale":
            errors.append(FieldError(("lines", i, "line_no"), f"no sale line {item.line_no}", ErrorCode.NOT_FOUND))
        elif line.returned_quantity + wanted.get(item.line_no, 0) + item.quantity > line.quantity:
            left = line.quantity - line.returned_quantity - wanted.get(item.line_no, 0)
            errors.append(FieldError(("lines", i, "quantity"), f"only {left} units of line {item.line_no} can be returned",
                                     ErrorCode.OUT_OF_RANGE))
        else:
            wanted[item.line_no] = wanted.get(item.line_no, 0) + item.quantity
    raise_if(errors)
    if order.member_id is not None:
        await loyalty.reverse_order_points(session, order_ref=order.order_ref, returned=wanted, at=clock.now(),
                                           reference=fields.reference, actor=actor)
    for line_no, quantity in wanted.items():
        lines[line_no].returned_quantity += quantity
    sale = [line for line in order.lines if line.kind == "sale"]
    order.status = S.RETURNED if all(l.returned_quantity == l.quantity for l in sale) else S.PARTIALLY_RETURNED
    await session.flush()
    return order


async def cancel_order(session: AsyncSession, order_id: int, actor: str) -> PricedOrder:
    """Cancel a placed order: every point it earned is reversed, its coupon uses and budget
    draws are given back (the sale did not happen)."""
    order = await _order(session, order_id)
    if order.status is not S.PLACED:
        raise DomainError.single(("id",), f"only a placed order without returns can be cancelled (it is {order.status.value})",
                                 ErrorCode.INVALID_TRANSITION)
    now = clock.now()
    if order.member_id is not None:
        await loyalty.reverse_order_points(session, order_ref=order.order_ref, returned=None, at=now, actor=actor)
    redemptions = list(await session.scalars(select(CouponRedemption).where(
        CouponRedemption.order_id == order.id, CouponRedemption.released_at.is_(None)).execution_options(**ALL_ROWS)))
    for redemption in redemptions:
        redemption.released_at = now
        await session.execute(update(CouponCode).where(CouponCode.id == redemption.code_id)
                              .values(used_count=CouponCode.used_count - 1).execution_options(**ALL_ROWS))
    await session.execute(update(RuleBudgetUse).where(RuleBudgetUse.order_id == order.id).values(released=True)
                          .execution_options(**ALL_ROWS))
    order.status = S.CANCELLED
    await session.flush()
    return order


async def issue_coupon_codes(session: AsyncSession, data: dict[str, Any], actor: str) -> list[CouponCode]:
    fields = validate(CouponCodesIssueFields, data)
    codes = fields.codes if fields.codes is not None else _generated(fields.count or 0)
    taken = set(await session.scalars(select(CouponCode.code).where(CouponCode.code.in_(codes)).execution_options(**ALL_ROWS)))
    repeated = {c for c in codes if codes.count(c) > 1}
    raise_if([FieldError(("codes", i), f"code {c} is already issued" if c in taken else f"code {c} is repeated",
                         ErrorCode.DUPLICATE) for i, c in enumerate(codes) if c in taken or c in repeated])
    rows = [CouponCode(code=c, campaign=fields.campaign, usage_limit=fields.usage_limit,
                       per_member_limit=fields.per_member_limit, valid_from=fields.valid_from, valid_to=fields.valid_to,
                       created_by=actor) for c in codes]
    session.add_all(rows)
    await session.flush()
    return rows


def _generated(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:  # 31^10 codes: a collision with an issued one is refused, not retried
        codes.add("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))
    return sorted(codes)


async def _redeem(session: AsyncSession, order: PricedOrder, quote: Quote, coupons: Any, at: Any) -> None:
    """One use of each applied code, guarded so two orders cannot both take a code's last use."""
    for code in quote.coupons_applied:
        coupon = await session.scalar(select(CouponCode).where(CouponCode.code == code).execution_options(**ALL_ROWS))
        assert coupon is not None
        taken = await session.execute(
            update(CouponCode).where(CouponCode.id == coupon.id, CouponCode.used_count < CouponCode.usage_limit)
            .values(used_count=CouponCode.used_count + 1).execution_options(**ALL_ROWS, synchronize_session="fetch"))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise DomainError.single(("request", "context", "coupon_codes"), f"coupon {code} was just used up", ErrorCode.CONFLICT)
        session.add(CouponRedemption(code_id=coupon.id, order_id=order.id, member_id=order.member_id, at=at))


async def _draw_budgets(session: AsyncSession, order: PricedOrder, quote: Quote) -> None:
    given: dict[str, int] = {}
    for line in quote.lines:
        for d in line.discounts:
            given[f"{d.rule_set}/{d.rule_id}"] = given.get(f"{d.rule_set}/{d.rule_id}", 0) + d.amount_fen
    budgeted = {f"{ref.version.rule_set}/{ref.rule.id}" for ref in await _budgeted_refs(session, order)}
    session.add_all(RuleBudgetUse(rule_key=key, order_id=order.id, amount_fen=amount)
                    for key, amount in sorted(given.items()) if key in budgeted and amount)


async def _budgeted_refs(session: AsyncSession, order: PricedOrder) -> list[Any]:
    rules = await live_pricing_rules(session, order.placed_at)
    return [ref for stage in rules.stages.values() for ref in stage.refs.values() if ref.rule.budget_fen is not None]


def _paid_lines(order: PricedOrder) -> list[PaidLine]:
    return [PaidLine(line_no=l.line_no, model=l.model, category=l.category or "", brand=l.brand or "",
                     quantity=l.quantity, paid_fen=l.final_amount_fen) for l in order.lines if l.kind == "sale"]


async def _order(session: AsyncSession, order_id: int) -> PricedOrder:
    return await get_or_error(session, PricedOrder, order_id, ("id",), selectinload(PricedOrder.lines))


async def _id_of(session: AsyncSession, model: Any, column: Any, value: str | None) -> int | None:
    if value is None:
        return None
    return await session.scalar(select(model.id).where(column == value))  # type: ignore[no-any-return]

