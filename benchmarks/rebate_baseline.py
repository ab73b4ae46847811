"""The naive settlement, for the benchmark's baseline and as an independent check: ORM rows read
and summed one by one in Python, the policies' conditions and tiers applied by hand (no
engine.rules, no engine.rebates, no numpy), for the dealers asked for.

It follows the definitions the settlement documents: accepted orders (approved, shipped,
delivered, signed) placed in the period; a payment counts as paid in terms when received by the
settlement's moment and at most `payment_terms_days` after the order was placed; a line's paid
part is amount × min(paid, total) // total; overdue receivables are what accepted orders past
their due date still owe, less payments on account; percentages are floored to 4 places, each
amount rounded half-up to the fen once, then capped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.clock import BRAND_TZ
from engine.store.catalogue import Product
from engine.store.channel import Dealer
from engine.store.dealer_reports import DealerPayment, PriceViolation
from engine.store.rules import RuleSetVersion
from engine.store.sales import SalesOrder, SalesTarget
from schemas.enums import SalesOrderStatus, TargetOwner
from schemas.rebates import Basis, MeasureKind, Period, RebateDocument, RebatePolicy, TierMode
from schemas.rules import Condition, RuleSetKind, RuleSetStatus

ACCEPTED = {SalesOrderStatus.APPROVED, SalesOrderStatus.SHIPPED, SalesOrderStatus.DELIVERED, SalesOrderStatus.SIGNED}
FOUR_PLACES = Decimal("0.0001")


def settle_row_by_row(session: Session, period: Period, start: datetime, end: datetime, as_of: datetime,
                      dealer_ids: Iterable[int]) -> dict[tuple[int, str], int]:
    """(dealer id, policy id) -> amount in fen, for every policy of the published rebate sets of
    `period`'s kind and every dealer in `dealer_ids` with in-scope purchases (0 when not earned)."""
    wanted = sorted(set(dealer_ids))
    policies = [p for p in _published_policies(session) if p.period is period.kind]
    dealers = {d.id: d for d in session.scalars(select(Dealer).where(Dealer.id.in_(wanted)))}
    every = {d.id: d for d in session.scalars(select(Dealer))}
    products = {p.id: {"model": p.model, "category": p.category.value, "brand": p.brand}
                for p in session.scalars(select(Product))}
    targets = {t.dealer_id: t.amount_fen for t in session.scalars(select(SalesTarget).where(
        SalesTarget.owner_kind == TargetOwner.DEALER, SalesTarget.period_kind == period.kind,
        SalesTarget.period_start == period.start, SalesTarget.dealer_id.in_(wanted)))}
    cut = min(end, as_of)
    now = _lines(session, wanted, start, cut, as_of, every)
    before = _lines(session, wanted, _year_before(start), _year_before(cut), _year_before(as_of), every)
    facts = {pk: _dealer_facts(session, d, every, start, cut, as_of) for pk, d in dealers.items()}

    amounts: dict[tuple[int, str], int] = {}
    for policy in policies:
        scope = {pk for pk, fact in products.items() if _holds(policy.scope, fact)}
        for dealer_id in wanted:
            lines = [line for line in now.get(dealer_id, []) if line[0] in scope]
            if not lines or not _holds(policy.eligibility, facts[dealer_id]):
                continue
            volume = _volume(policy.basis, lines)
            measure: Decimal | None = volume
            if policy.measure is MeasureKind.TARGET_PERCENT:
                target = targets.get(dealer_id)
                measure = (volume * 100 / target).quantize(FOUR_PLACES, ROUND_FLOOR) if target else None
            elif policy.measure is MeasureKind.GROWTH_PERCENT:
                last = _volume(policy.basis, [line for line in before.get(dealer_id, []) if line[0] in scope])
                measure = ((volume - last) * 100 / last).quantize(FOUR_PLACES, ROUND_FLOOR) if last > 0 else None
            amounts[(dealer_id, policy.id)] = 0 if measure is None else _amount(policy, volume, measure)
    return amounts


def _published_policies(session: Session) -> list[RebatePolicy]:
    versions = session.scalars(select(RuleSetVersion).options(selectinload(RuleSetVersion.rule_set))
                               .where(RuleSetVersion.status == RuleSetStatus.PUBLISHED)).all()
    return [policy for v in versions if v.rule_set.kind is RuleSetKind.REBATE
            for policy in RebateDocument.model_validate(v.document).policies]


def _lines(session: Session, dealer_ids: list[int], start: datetime, end: datetime, as_of: datetime,
           dealers: Mapping[int, Dealer]) -> dict[int, list[tuple[int, int, int, int]]]:
    """Per dealer, its accepted orders' lines placed in [start, end) as (product id, amount, paid
    part, quantity): the orders, their lines and payments read as ORM objects, one by one."""
    orders = {o.id: o for o in session.scalars(
        select(SalesOrder).options(selectinload(SalesOrder.lines))
        .where(SalesOrder.dealer_id.in_(dealer_ids), SalesOrder.placed_at >= start, SalesOrder.placed_at < end)
    )}
    in_terms: dict[int, int] = defaultdict(int)
    ids = sorted(orders)
    for at in range(0, len(ids), 30_000):
        for payment in session.scalars(select(DealerPayment).where(
                DealerPayment.order_id.in_(ids[at:at + 30_000]), DealerPayment.received_at <= as_of)):
            order = orders[payment.order_id]
            if payment.received_at <= order.placed_at + timedelta(days=dealers[order.dealer_id].payment_terms_days):
                in_terms[order.id] += payment.amount_fen
    by_dealer: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
    for order in orders.values():
        if order.status not in ACCEPTED:
            continue
        total, paid = order.total_fen, min(in_terms.get(order.id, 0), order.total_fen)
        for line in order.lines:
            share = line.amount_fen * paid // total if total > 0 else 0
            by_dealer[order.dealer_id].append((line.product_id, line.amount_fen, share, line.quantity))
    return by_dealer


def _dealer_facts(session: Session, dealer: Dealer, every: Mapping[int, Dealer], start: datetime, cut: datetime,
                  as_of: datetime) -> dict[str, Any]:
    """The dealer's facts, its standing summed from its orders and payments one by one."""
    payments = session.scalars(select(DealerPayment).where(DealerPayment.dealer_id == dealer.id,
                                                           DealerPayment.received_at <= as_of)).all()
    received: dict[int | None, int] = defaultdict(int)
    for payment in payments:
        received[payment.order_id] += payment.amount_fen
    owed = 0
    for order in session.scalars(select(SalesOrder).where(SalesOrder.dealer_id == dealer.id,
                                                          SalesOrder.placed_at <= as_of)):
        if order.status in ACCEPTED and order.placed_at + timedelta(days=dealer.payment_terms_days) < as_of:
            owed += max(0, order.total_fen - received.get(order.id, 0))
    violations = sum(1 for v in session.scalars(select(PriceViolation).where(PriceViolation.dealer_id == dealer.id))
                     if start <= v.observed_at < cut)
    ancestors, parent = [], dealer.parent_id
    while parent is not None and parent in every and every[parent].code not in ancestors:
        ancestors.append(every[parent].code)
        parent = every[parent].parent_id
    return {"dealer": dealer.code, "dealer_ancestors": ancestors, "channel_type": dealer.channel_type.value,
            "cooperation_level": dealer.cooperation_level.value, "overdue_fen": max(0, owed - received.get(None, 0)),
            "price_violations": violations}


def _holds(conditions: Iterable[Condition], fact: Mapping[str, Any]) -> bool:
    """Every condition holds (the operators the benchmark's policies use, and their mirrors)."""
    for c in conditions:
        value, op = fact.get(c.fact), c.op.value
        ok = {"eq": lambda: value == c.value, "ne": lambda: value != c.value,
              "in": lambda: value in c.value, "not_in": lambda: value not in c.value,
              "gt": lambda: value > c.value, "gte": lambda: value >= c.value,
              "lt": lambda: value < c.value, "lte": lambda: value <= c.value,
              "has": lambda: c.value in value}[op]()
        if not ok:
            return False
    return True


def _volume(basis: Basis, lines: list[tuple[int, int, int, int]]) -> Decimal:
    column = {Basis.PURCHASE_AMOUNT: 1, Basis.PAID_AMOUNT: 2, Basis.QUANTITY: 3}[basis]
    return Decimal(sum(line[column] for line in lines))


def _amount(policy: RebatePolicy, volume: Decimal, measure: Decimal) -> int:
    reached = [k for k, tier in enumerate(policy.tiers) if tier.at_least <= measure]
    if not reached:
        return 0
    if policy.mode is TierMode.RETROACTIVE:
        earned = _earn(policy.tiers[reached[-1]], volume)
    else:
        earned = Decimal(0)
        for k in reached:
            high = policy.tiers[k + 1].at_least if k + 1 < len(policy.tiers) else policy.up_to
            band = (min(volume, high) if high is not None else volume) - policy.tiers[k].at_least
            if band > 0:
                earned += _earn(policy.tiers[k], band)
    amount = int(earned.quantize(Decimal(1), ROUND_HALF_UP))
    return min(amount, policy.cap_fen) if policy.cap_fen is not None else amount


def _earn(tier: Any, volume: Decimal) -> Decimal:
    if tier.amount_fen is not None:
        return Decimal(tier.amount_fen)
    if tier.percent is not None:
        return volume * tier.percent / 100
    return volume * tier.per_unit_fen


def _year_before(moment: datetime) -> datetime:
    local = moment.astimezone(BRAND_TZ)
    return local.replace(year=local.year - 1, day=min(local.day, 28) if local.month == 2 else local.day)
