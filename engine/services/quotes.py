"""Quotes: resolve a request against the store (products, buyer, coupons, budgets), then price
it with the live pricing rules. Reads only; placing an order is `engine.services.priced_orders`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
import json
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine import clock
from engine.errors import FieldError
from engine.pricing import PricingRules, build_pricing_rules, price
from engine.services.common import raise_if, validate
from engine.services.rule_sets import live_versions
from engine.settings import get_settings
from engine.store.catalogue import Product
from engine.store.channel import Dealer, DealerRegion, Store
from engine.store.consumer import Member
from engine.store.pricing import CouponCode, CouponRedemption, RuleBudgetUse
from engine.store.scoping import UNSCOPED
from schemas.errors import ErrorCode
from schemas.pricing import Buyer, CouponState, PricedLineInput, PricingDocument, PricingInput, Quote, QuoteRequest
from schemas.rules import RuleSetKind, VersionRef

ALL_ROWS = {UNSCOPED: True}


@lru_cache(maxsize=256)
def _document(digest: str, body: str) -> PricingDocument:
    """Published versions are immutable: a digest's document is parsed once per process."""
    return PricingDocument.model_validate_json(body)


async def live_pricing_rules(session: AsyncSession, at: datetime) -> PricingRules:
    """The pricing rules live at `at`, compiled (cached by the versions' digests)."""
    versions = await live_versions(session, RuleSetKind.PRICING, at)
    return build_pricing_rules([(ref, _document(ref.digest, json.dumps(body))) for ref, body in versions])


async def quote(session: AsyncSession, data: dict[str, Any]) -> Quote:
    """Price a request under the rules live at its moment (default now)."""
    request = validate(QuoteRequest, data)
    at = request.context.at or clock.now()
    rules = await live_pricing_rules(session, at)
    return price(rules, await resolve_input(session, request, at, rules))


async def quote_with(session: AsyncSession, request: QuoteRequest, at: datetime,
                     versions: Sequence[tuple[VersionRef, PricingDocument]]) -> Quote:
    """Price a request under given versions (what-if)."""
    rules = build_pricing_rules(versions)
    return price(rules, await resolve_input(session, request, at, rules))


async def resolve_input(session: AsyncSession, request: QuoteRequest, at: datetime, rules: PricingRules) -> PricingInput:
    """The request as the pricing core takes it; every unknown reference reported at once.
    The caller's row scope applies to dealers and stores (a dealer quotes only for its own
    tree); members, coupons and budgets are read whole, and only their pricing facts used."""
    errors: list[FieldError] = []
    context = request.context
    models = sorted({line.model for line in request.lines})
    products = {p.model: p for p in await session.scalars(select(Product).where(Product.model.in_(models)))}
    lines = []
    for i, line in enumerate(request.lines):
        product = products.get(line.model)
        if product is None:
            errors.append(FieldError(("lines", i, "model"), f"no product {line.model!r}", ErrorCode.NOT_FOUND))
            continue
        lines.append(PricedLineInput(line_no=i + 1, model=product.model, category=product.category.value,
                                     brand=product.brand, quantity=line.quantity, list_price_fen=product.list_price_fen))
    buyer: dict[str, Any] = {}
    dealer = None
    if context.dealer_code is not None:
        dealer = await session.scalar(select(Dealer).where(Dealer.code == context.dealer_code))
        if dealer is None:
            errors.append(FieldError(("context", "dealer_code"), f"no dealer {context.dealer_code!r}", ErrorCode.NOT_FOUND))
        else:
            buyer |= await _dealer_facts(session, dealer)
    if context.store_code is not None:
        store = await session.scalar(select(Store).where(Store.code == context.store_code))
        if store is None:
            errors.append(FieldError(("context", "store_code"), f"no store {context.store_code!r}", ErrorCode.NOT_FOUND))
        elif dealer is not None and store.dealer_id != dealer.id:
            errors.append(FieldError(("context", "store_code"), f"store {store.code} is not run by dealer {dealer.code}",
                                     ErrorCode.INVALID))
        else:
            if dealer is None:
                owner = await session.get(Dealer, store.dealer_id)
                if owner is not None:
                    buyer |= await _dealer_facts(session, owner)
            buyer |= {"store": store.code, "region": store.region_code}
    member = None
    if context.member_no is not None:
        member = await session.scalar(select(Member).where(Member.member_no == context.member_no).execution_options(**ALL_ROWS))
        if member is None or member.erased_at is not None:
            errors.append(FieldError(("context", "member_no"), f"no member {context.member_no!r}", ErrorCode.NOT_FOUND))
            member = None
        else:
            buyer |= {"member_no": member.member_no, "member_tier": member.tier.value, "member_tags": tuple(member.tags),
                      "birthday_month": getattr(member, "birth_month", None)}
            buyer.setdefault("region", member.region_code)
    raise_if(errors)
    coupons = await coupon_states(session, context.coupon_codes, member.id if member else None, at)
    return PricingInput(lines=tuple(lines), buyer=Buyer(**buyer), at=at, time_zone=get_settings().brand_time_zone,
                        coupons=coupons, budget_left_fen=await budgets_left(session, rules))


async def _dealer_facts(session: AsyncSession, dealer: Dealer) -> dict[str, Any]:
    ancestors: list[str] = []
    parent_id, seen = dealer.parent_id, {dealer.id}
    while parent_id is not None and parent_id not in seen:  # the tree is short; a cycle never loops
        seen.add(parent_id)
        parent = (await session.execute(
            select(Dealer.code, Dealer.parent_id).where(Dealer.id == parent_id).execution_options(**ALL_ROWS)
        )).first()
        if parent is None:
            break
        ancestors.append(parent.code)
        parent_id = parent.parent_id
    region = await session.scalar(
        select(DealerRegion.region_code).where(DealerRegion.dealer_id == dealer.id).order_by(DealerRegion.region_code).limit(1)
    )
    return {"channel_type": dealer.channel_type.value, "cooperation_level": dealer.cooperation_level.value,
            "dealer": dealer.code, "dealer_ancestors": tuple(ancestors), "region": region or ""}


async def coupon_states(session: AsyncSession, codes: Sequence[str], member_id: int | None, at: datetime) -> tuple[CouponState, ...]:
    """Each presented code as the store knows it: its campaign and whether it may be used now."""
    if not codes:
        return ()
    found = {c.code: c for c in await session.scalars(
        select(CouponCode).where(CouponCode.code.in_(list(codes))).execution_options(**ALL_ROWS))}
    states = []
    for code in dict.fromkeys(codes):
        coupon = found.get(code)
        if coupon is None:
            states.append(CouponState(code=code, campaign=None, usable=False, reason="no such code"))
            continue
        reason = ""
        if coupon.used_count >= coupon.usage_limit:
            reason = f"used {coupon.used_count} of {coupon.usage_limit} times"
        elif (coupon.valid_from and at < coupon.valid_from) or (coupon.valid_to and at >= coupon.valid_to):
            reason = "outside the code's validity"
        elif coupon.per_member_limit is not None and member_id is not None:
            used = await session.scalar(select(func.count()).select_from(CouponRedemption).where(
                CouponRedemption.code_id == coupon.id, CouponRedemption.member_id == member_id,
                CouponRedemption.released_at.is_(None)).execution_options(**ALL_ROWS))
            if (used or 0) >= coupon.per_member_limit:
                reason = f"this member used it {used} times (limit {coupon.per_member_limit})"
        states.append(CouponState(code=code, campaign=coupon.campaign, usable=not reason, reason=reason))
    return tuple(states)


async def budgets_left(session: AsyncSession, rules: PricingRules) -> dict[str, int]:
    """What each budgeted rule may still give: its budget less what placed orders drew."""
    budgets = {ref.key: ref.rule.budget_fen for stage in rules.stages.values() for ref in stage.refs.values()
               if ref.rule.budget_fen is not None}
    if not budgets:
        return {}
    used = dict((await session.execute(
        select(RuleBudgetUse.rule_key, func.sum(RuleBudgetUse.amount_fen))
        .where(RuleBudgetUse.rule_key.in_(list(budgets)), RuleBudgetUse.released.is_(False))
        .group_by(RuleBudgetUse.rule_key).execution_options(**ALL_ROWS)
    )).all())
    return {key: max(0, budget - int(used.get(key) or 0)) for key, budget in budgets.items()}
