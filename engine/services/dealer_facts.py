"""What a policy's conditions test, read from the store: each dealer's DEALER_FACTS (who it is,
and its standing at a moment: receivables past due, price-violation records) and each product's
PRODUCT_FACTS. Settlements and price protection read them the same way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.services.common import raise_if
from engine.errors import FieldError
from engine.store.bulk import epoch, seconds
from engine.store.catalogue import Product
from engine.store.channel import Dealer, DealerRegion
from engine.store.dealer_reports import DealerPayment, PriceViolation
from engine.store.sales import SalesOrder
from engine.store.scoping import UNSCOPED
from schemas.enums import SalesOrderStatus
from schemas.errors import ErrorCode

# Sell-in: orders the brand accepted. Placed orders may still be rejected; rejected and
# cancelled ones never count.
COUNTED = (SalesOrderStatus.APPROVED, SalesOrderStatus.SHIPPED, SalesOrderStatus.DELIVERED, SalesOrderStatus.SIGNED)
ALL_ROWS = {UNSCOPED: True}
DAY = 86_400


async def dealers_of(session: AsyncSession, dealer_ids: Sequence[int] | None) -> tuple[dict[int, Any], dict[int, Any]]:
    """The dealers to settle, and every dealer (their ancestors' codes are facts)."""
    rows = (await session.execute(
        select(Dealer.id, Dealer.code, Dealer.parent_id, Dealer.channel_type, Dealer.cooperation_level)
        .execution_options(**ALL_ROWS)
    )).all()
    every = {row.id: row for row in rows}
    if dealer_ids is None:
        return every, every
    errors = [FieldError(("dealer_ids", i), f"Dealer {pk} does not exist", ErrorCode.NOT_FOUND)
              for i, pk in enumerate(dealer_ids) if pk not in every]
    raise_if(errors)
    wanted = set(dealer_ids)
    return {pk: row for pk, row in every.items() if pk in wanted}, every


async def dealer_facts(session: AsyncSession, dealers: Mapping[int, Any], every: Mapping[int, Any], start: datetime,
                        cut: datetime, as_of: datetime) -> dict[int, dict[str, Any]]:
    """DEALER_FACTS of each dealer: who it is (tree, channel, regions) and its standing at as_of:
    receivables past their due date and unpaid, and price-violation records in the period."""
    regions: dict[int, list[str]] = defaultdict(list)
    for dealer_id, code in (await session.execute(
        select(DealerRegion.dealer_id, DealerRegion.region_code).order_by(DealerRegion.dealer_id, DealerRegion.region_code)
    )).all():
        regions[dealer_id].append(code)
    # Some dealers out of many: only theirs are read (all of them: no filter, no long IN list).
    some = sorted(dealers) if len(dealers) < len(every) else None
    overdue = await overdue_by_dealer(session, as_of, some)
    violations = dict((await session.execute(
        select(PriceViolation.dealer_id, func.count())
        .where(PriceViolation.observed_at >= start, PriceViolation.observed_at < cut,
               *([] if some is None else [PriceViolation.dealer_id.in_(some)]))
        .group_by(PriceViolation.dealer_id).execution_options(**ALL_ROWS)
    )).all())
    facts = {}
    for pk, row in dealers.items():
        ancestors, parent, seen = [], row.parent_id, {pk}
        while parent is not None and parent not in seen and parent in every:
            seen.add(parent)
            ancestors.append(every[parent].code)
            parent = every[parent].parent_id
        facts[pk] = {
            "dealer": row.code, "dealer_ancestors": ancestors, "channel_type": row.channel_type.value,
            "cooperation_level": row.cooperation_level.value, "regions": regions.get(pk, []),
            "overdue_fen": int(overdue.get(pk, 0)), "price_violations": int(violations.get(pk, 0)),
        }
    return facts


async def overdue_by_dealer(session: AsyncSession, as_of: datetime,
                            dealer_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Per dealer (of `dealer_ids`, default all), what its accepted orders due before as_of still
    owe at as_of, less payments on account (not against an order) received by then; never below
    zero."""
    mine = [] if dealer_ids is None else [SalesOrder.dealer_id.in_(dealer_ids)]
    # A payment against an order is the order's dealer's (refused otherwise when recorded).
    theirs = [] if dealer_ids is None else [DealerPayment.dealer_id.in_(dealer_ids)]
    paid = (select(DealerPayment.order_id, func.sum(DealerPayment.amount_fen).label("paid"))
            .where(*theirs, DealerPayment.order_id.is_not(None), DealerPayment.received_at <= as_of)
            .group_by(DealerPayment.order_id).subquery())
    owed = func.sum(SalesOrder.total_fen - func.coalesce(paid.c.paid, 0))
    rows = (await session.execute(
        select(SalesOrder.dealer_id, owed)
        .join(Dealer, Dealer.id == SalesOrder.dealer_id)
        .outerjoin(paid, paid.c.order_id == SalesOrder.id)
        .where(*mine, SalesOrder.status.in_(COUNTED), SalesOrder.placed_at <= as_of,
               epoch(SalesOrder.placed_at) + Dealer.payment_terms_days * DAY < seconds(as_of),
               SalesOrder.total_fen > func.coalesce(paid.c.paid, 0))
        .group_by(SalesOrder.dealer_id).execution_options(**ALL_ROWS)
    )).all()
    on_account = dict((await session.execute(
        select(DealerPayment.dealer_id, func.sum(DealerPayment.amount_fen))
        .where(*theirs, DealerPayment.order_id.is_(None), DealerPayment.received_at <= as_of)
        .group_by(DealerPayment.dealer_id).execution_options(**ALL_ROWS)
    )).all())
    return {dealer_id: max(0, int(amount) - int(on_account.get(dealer_id, 0))) for dealer_id, amount in rows}


async def product_facts(session: AsyncSession) -> dict[int, dict[str, Any]]:
    rows = (await session.execute(select(Product.id, Product.model, Product.category, Product.brand))).all()
    return {r.id: {"model": r.model, "category": r.category.value, "brand": r.brand} for r in rows}
