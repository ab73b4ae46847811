"""What-if: a sample of recent orders priced under the live rules and under the live rules with
a draft in place of its set's live version, so a planner sees a draft's cost before publishing.
Nothing is written."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from engine.errors import DomainError
from engine.pricing import build_pricing_rules, price
from engine.services.common import get_or_error, validate
from engine.services.quotes import ALL_ROWS, _document, resolve_input
from engine.services.rule_documents import digest
from engine.services.rule_sets import live_versions
from engine.store.catalogue import Product
from engine.store.channel import Dealer, Store
from engine.store.pricing import PricedOrder
from engine.store.rules import RuleSet, RuleSetVersion
from engine.store.sales import SalesOrder
from schemas.errors import ErrorCode
from schemas.pricing import PricingDocument, Quote, QuoteContext, QuoteLineInput, QuoteRequest
from schemas.pricing_orders import OrderDifference, SampleSource, Simulation, SimulationFields
from schemas.rules import RuleSetKind, RuleSetStatus, VersionRef


async def simulate(session: AsyncSession, data: dict[str, Any]) -> Simulation:
    fields = validate(SimulationFields, data)
    draft = await get_or_error(session, RuleSetVersion, fields.draft_version_id, ("draft_version_id",))
    rule_set = await get_or_error(session, RuleSet, draft.rule_set_id, ("draft_version_id",))
    if rule_set.kind is not RuleSetKind.PRICING or draft.status is not RuleSetStatus.DRAFT:
        raise DomainError.single(("draft_version_id",), "simulate a draft version of a pricing rule set", ErrorCode.WRONG_STATUS)
    draft_ref = VersionRef(rule_set=rule_set.key, version=draft.version, digest=digest(draft.document))
    draft_document = PricingDocument.model_validate(draft.document)
    orders: list[OrderDifference] = []
    for reference, request in await _sample(session, fields):
        at = request.context.at
        assert at is not None
        live = [(ref, _document(ref.digest, json.dumps(body)))
                for ref, body in await live_versions(session, RuleSetKind.PRICING, at)]
        with_draft = [(ref, doc) for ref, doc in live if ref.rule_set != rule_set.key] + [(draft_ref, draft_document)]
        with_draft.sort(key=lambda pair: pair[0].rule_set)
        try:
            live_rules, draft_rules = build_pricing_rules(live), build_pricing_rules(with_draft)
            pricing_input = await resolve_input(session, request, at, live_rules)
            before, after = price(live_rules, pricing_input), price(draft_rules, pricing_input)
        except DomainError as exc:
            orders.append(OrderDifference(reference=reference, at=at, live_final_fen=0, draft_final_fen=0,
                                          live_discount_fen=0, draft_discount_fen=0, live_points_award=0,
                                          draft_points_award=0, error=str(exc)))
            continue
        orders.append(OrderDifference(
            reference=reference, at=at, live_final_fen=before.totals.final_amount_fen,
            draft_final_fen=after.totals.final_amount_fen, live_discount_fen=_discount(before),
            draft_discount_fen=_discount(after), live_points_award=before.totals.points_award,
            draft_points_award=after.totals.points_award,
        ))
    priced = [o for o in orders if o.error is None]
    return Simulation(
        orders=orders, priced=len(priced),
        live_final_fen=sum(o.live_final_fen for o in priced), draft_final_fen=sum(o.draft_final_fen for o in priced),
        discount_cost_difference_fen=sum(o.draft_discount_fen - o.live_discount_fen for o in priced),
        points_award_difference=sum(o.draft_points_award - o.live_points_award for o in priced),
    )


def _discount(quote: Quote) -> int:
    """What the brand gives away: list amount less what the buyer pays for the sale lines."""
    return quote.totals.list_amount_fen - (quote.totals.final_amount_fen - quote.totals.gift_amount_fen)


async def _sample(session: AsyncSession, fields: SimulationFields) -> list[tuple[str, QuoteRequest]]:
    """The most recent orders of the source (newest first), as quote requests at their own moment."""
    if fields.source is SampleSource.PRICED_ORDERS:
        stmt = select(PricedOrder).order_by(PricedOrder.placed_at.desc(), PricedOrder.id.desc()).limit(fields.limit)
        if fields.since:
            stmt = stmt.where(PricedOrder.placed_at >= fields.since)
        if fields.until:
            stmt = stmt.where(PricedOrder.placed_at < fields.until)
        if fields.dealer_codes:
            stmt = stmt.join(Dealer, Dealer.id == PricedOrder.dealer_id).where(Dealer.code.in_(fields.dealer_codes))
        found = []
        for order in await session.scalars(stmt):
            request = QuoteRequest.model_validate(order.request)
            context = request.context.model_copy(update={"at": order.placed_at, "coupon_codes": []})
            found.append((order.order_ref, request.model_copy(update={"context": context})))
        return found
    stmt = (select(SalesOrder, Dealer.code, Store.code).join(Dealer, Dealer.id == SalesOrder.dealer_id)
            .outerjoin(Store, Store.id == SalesOrder.store_id).options(selectinload(SalesOrder.lines))
            .order_by(SalesOrder.placed_at.desc(), SalesOrder.id.desc()).limit(fields.limit))
    if fields.since:
        stmt = stmt.where(SalesOrder.placed_at >= fields.since)
    if fields.until:
        stmt = stmt.where(SalesOrder.placed_at < fields.until)
    if fields.dealer_codes:
        stmt = stmt.where(Dealer.code.in_(fields.dealer_codes))
    rows = (await session.execute(stmt)).all()
    product_ids = {line.product_id for order, _, _ in rows for line in order.lines}
    models = dict((await session.execute(select(Product.id, Product.model).where(Product.id.in_(product_ids))
                                         .execution_options(**ALL_ROWS))).all()) if product_ids else {}
    return [
        (order.order_no, QuoteRequest(
            lines=[QuoteLineInput(model=models[line.product_id], quantity=line.quantity) for line in order.lines],
            context=QuoteContext(dealer_code=dealer_code, store_code=store_code, at=order.placed_at),
        ))
        for order, dealer_code, store_code in rows
    ]
