"""Price protection use cases: publish a price change (a pricing draft) and raise the claims its
cuts owe dealers; approve or reject claims; gather approved claims into credit statements.

A price change takes effect at one instant, `effective_at`: the draft's `valid_from` when it
has one, else the moment given (or now), which then becomes its `valid_from` — the new prices
hold from the cut on and quotes before it keep the old ones. It may not lie in the future:
protection is computed from the stock at the cut, which is not known before it.

Dealer prices are the tier-stage unit prices of the pricing rules live at the cut without and
with the new version, quoted for the (dealer, model) pairs holding protectable stock only: one
quote per dealer, its models as lines of one unit each. Every live price-protection policy
applies on its own (as rebate policies do): a pair covered by two policies gets two claims.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import and_, bindparam, func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from engine import clock
from engine.errors import DomainError, FieldError
from engine.lifecycle import Lifecycle, expect_version
from engine.pricing import PricingRules, price
from engine.rebates.eligibility import dealer_eligibility, products_in_scope
from engine.rebates.protection import (
    ClaimDraft, Holdings, Pair, Receipts, SellOuts, StockReports, claim_drafts, holdings,
)
from engine.services.common import get_or_error, raise_if, validate
from engine.services.quotes import budgets_left, live_pricing_rules
from engine.services.rule_sets import RULE_SET_VERSION_LIFECYCLE, live_versions, publish_version
from engine.services.dealer_facts import dealer_facts, dealers_of, product_facts
from engine.store.bulk import epoch, insert_returning
from engine.settings import get_settings
from engine.store.catalogue import Product
from engine.store.channel import Dealer
from engine.store.dealer_reports import SellOutReport, StockReport
from engine.store.rules import RuleSet, RuleSetVersion
from engine.store.sales import SalesOrder, SalesOrderEvent, SalesOrderLine
from engine.store.scoping import UNSCOPED
from engine.store.settlements import (
    PriceChange, PriceProtectionClaim, SettlementStatement, StatementItem, StatementLine,
)
from schemas.enums import SalesOrderStatus
from schemas.errors import ErrorCode
from schemas.pricing import MAX_QUOTE_LINES, Buyer, PricedLineInput, PricingInput
from schemas.rebates import (
    ClaimStatus,
    PriceChangeFields,
    PriceProtectionDocument,
    ProtectionPolicy,
    SettlementForm,
    StatementKind,
    StatementStage,
    StatementStatus,
    StatementTransitionFields,
)
from schemas.rules import RuleSetKind, RuleSetStatus, VersionRef

C = ClaimStatus
CLAIM_LIFECYCLE: Lifecycle[ClaimStatus] = Lifecycle(
    "price-protection claim",
    {C.SUBMITTED: frozenset({C.APPROVED, C.REJECTED}), C.APPROVED: frozenset({C.CREDITED})},
)
ALL_ROWS = {UNSCOPED: True}
CHANGE_NO_PREFIX = "PC"
CHANGE_NO_DIGITS = 5
RECEIVED = (SalesOrderStatus.DELIVERED, SalesOrderStatus.SIGNED)
VERSION = ("rule_set_version_id",)


@dataclass(frozen=True)
class _Policy:
    ref: VersionRef
    policy: ProtectionPolicy
    held: Holdings  # its eligible dealers' in-scope pairs with eligible units


# --- publishing a price change -------------------------------------------------------------------
async def publish_price_change(session: AsyncSession, data: dict[str, Any], actor: str) -> PriceChange:
    """Publish a pricing draft at its cut and raise a SUBMITTED claim per (policy, dealer, model)
    whose dealer price went down with eligible stock; a rise or no change raises nothing."""
    fields = validate(PriceChangeFields, data)
    version = await get_or_error(session, RuleSetVersion, fields.rule_set_version_id, VERSION)
    rule_set = await get_or_error(session, RuleSet, version.rule_set_id, VERSION)
    now = clock.now()
    at = _effective_at(version, rule_set, fields, now)
    if version.valid_from is None:
        version.valid_from = at
    before = await live_pricing_rules(session, at)
    try:
        await publish_version(session, version.id, {}, actor)
    except DomainError as exc:  # its errors are on the version (`id`): here that is the input's id
        raise DomainError([FieldError(VERSION if e.path == ("id",) else e.path, e.message, e.code)
                           for e in exc.errors]) from exc
    after = await live_pricing_rules(session, at)

    policies, facts = await _protected(session, at)
    pairs = sorted({pair for p in policies for pair in p.held.pairs()})
    old = await _dealer_prices(session, before, pairs, facts, at)
    new = await _dealer_prices(session, after, pairs, facts, at)
    change = PriceChange(change_no=await _next_change_no(session, now), rule_set_version_id=version.id,
                         effective_at=at, published_by=actor,
                         cuts=sum(1 for pair in pairs if pair in old and pair in new and new[pair] < old[pair]))
    session.add(change)
    await session.flush()
    drafts = [(p, draft) for p in policies
              for draft in claim_drafts(p.held, old, new, p.policy.cap_fen, p.policy.window_days)]
    claims = [_claim(change, p, draft, at, number) for number, (p, draft) in enumerate(drafts, start=1)]
    # Core inserts: a price cut may owe thousands of dealers, and the ORM's unit of work would
    # insert them one by one.
    for start in range(0, len(claims), 5_000):
        await session.execute(insert(PriceProtectionClaim), claims[start : start + 5_000])
    change.claims, change.credit_fen = len(claims), sum(c["credit_fen"] for c in claims)
    await session.flush()
    return change


def _effective_at(version: RuleSetVersion, rule_set: RuleSet, fields: PriceChangeFields, now: datetime) -> datetime:
    """The cut: see the module's docstring. Every refusal at once."""
    errors: list[FieldError] = []
    if rule_set.kind is not RuleSetKind.PRICING:
        errors.append(FieldError(VERSION, f"version {version.id} is of a {rule_set.kind.value} rule set, not of a "
                                 "pricing one: only a new price list is a price change", ErrorCode.INVALID))
    for check in (lambda: expect_version(version.row_version, fields.expected_version),
                  lambda: RULE_SET_VERSION_LIFECYCLE.check(version.status, RuleSetStatus.PUBLISHED)):
        try:
            check()
        except DomainError as exc:
            errors += [FieldError(VERSION if e.path == ("id",) else e.path, e.message, e.code) for e in exc.errors]
    at = version.valid_from or fields.effective_at or now
    if version.valid_from is not None and fields.effective_at is not None and fields.effective_at != version.valid_from:
        errors.append(FieldError(("effective_at",), f"the draft is valid from {version.valid_from.isoformat()}: its "
                                 "prices change then (leave effective_at out, or change the draft)", ErrorCode.INVALID))
    elif at > now:
        errors.append(FieldError(("effective_at",), f"{at.isoformat()} is in the future: protection is computed from "
                                 "the stock at the cut, known only once it has happened", ErrorCode.OUT_OF_RANGE))
    elif version.valid_to is not None and version.valid_to <= at:
        errors.append(FieldError(("effective_at",), f"the draft is valid only until {version.valid_to.isoformat()}",
                                 ErrorCode.OUT_OF_RANGE))
    raise_if(errors)
    return at


async def _protected(session: AsyncSession, at: datetime) -> tuple[list[_Policy], dict[int, dict[str, Any]]]:
    """Each live protection policy at the cut with the stock it protects (its eligible dealers'
    in-scope (dealer, model) pairs with units received within its window and still on hand),
    and the DEALER_FACTS of the dealers holding such stock."""
    live = [(ref, PriceProtectionDocument.model_validate(body).policies)
            for ref, body in await live_versions(session, RuleSetKind.PRICE_PROTECTION, at)]
    live = [(ref, policies) for ref, policies in live if policies]
    if not live:
        return [], {}
    widest = max(p.window_days for _, policies in live for p in policies)
    receipts, stock, sellouts = await _stock_data(session, at, widest)
    held = holdings(receipts, stock, sellouts, at, widest)
    held = held.where(held.eligible > 0)  # a narrower window holds a subset of these
    if not len(held):
        return [], {}
    dealers, every = await dealers_of(session, None)
    candidates = {int(d): dealers[int(d)] for d in np.unique(held.dealer_id)}
    facts = await dealer_facts(session, candidates, every, at - timedelta(days=widest), at, at)
    held_products = set(held.product_id.tolist())
    products = {pk: f for pk, f in (await product_facts(session)).items() if pk in held_products}
    found = []
    for ref, policies in live:  # policy ids are unique within a document only: one evaluation per version
        verdicts, scopes = dealer_eligibility(policies, facts), products_in_scope(policies, products)
        for policy in policies:
            own = holdings(receipts, stock, sellouts, at, policy.window_days)
            mask = (own.eligible > 0) & np.isin(own.dealer_id, list(verdicts[policy.id].eligible)) \
                & np.isin(own.product_id, list(scopes[policy.id]))
            if mask.any():
                found.append(_Policy(ref, policy, own.where(mask)))
    return found, facts


async def _stock_data(session: AsyncSession, at: datetime, window_days: int) -> tuple[Receipts, StockReports, SellOuts]:
    """The latest stock report per pair on or before the cut's day, the deliveries since the
    window's start or the oldest such report's day, and the sell-out since that day."""
    cut_day = clock.today(at)
    latest = (select(StockReport.dealer_id, StockReport.product_id, func.max(StockReport.as_of).label("as_of"))
              .where(StockReport.as_of <= cut_day).group_by(StockReport.dealer_id, StockReport.product_id).subquery())
    reports = (await session.execute(
        select(StockReport.dealer_id, StockReport.product_id, StockReport.as_of, StockReport.on_hand)
        .join(latest, and_(latest.c.dealer_id == StockReport.dealer_id, latest.c.product_id == StockReport.product_id,
                           latest.c.as_of == StockReport.as_of))
        .execution_options(**ALL_ROWS)
    )).all()
    oldest = min((r.as_of for r in reports), default=cut_day)
    since = min(at - timedelta(days=window_days), _day_start(oldest + timedelta(days=1)))
    delivered = (select(SalesOrderEvent.order_id, func.min(SalesOrderEvent.at).label("at"))
                 .where(SalesOrderEvent.to_status == SalesOrderStatus.DELIVERED)
                 .group_by(SalesOrderEvent.order_id).subquery())
    got = (await session.execute(
        select(SalesOrder.dealer_id, SalesOrderLine.product_id, epoch(delivered.c.at), SalesOrderLine.quantity)
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
        .join(delivered, delivered.c.order_id == SalesOrder.id)
        .where(SalesOrder.status.in_(RECEIVED), delivered.c.at >= since, delivered.c.at < at)
        .execution_options(**ALL_ROWS)
    )).all()
    sold = (await session.execute(
        select(SellOutReport.dealer_id, SellOutReport.product_id, SellOutReport.sold_on,
               func.sum(SellOutReport.quantity))
        .where(SellOutReport.sold_on > oldest, SellOutReport.sold_on <= cut_day)
        .group_by(SellOutReport.dealer_id, SellOutReport.product_id, SellOutReport.sold_on)
        .execution_options(**ALL_ROWS)
    )).all()
    return (
        Receipts.from_columns(dealer_id=_col(got, 0), product_id=_col(got, 1), at=_col(got, 2), quantity=_col(got, 3)),
        StockReports.from_columns(dealer_id=_col(reports, 0), product_id=_col(reports, 1),
                                  as_of=[r.as_of.toordinal() for r in reports], on_hand=_col(reports, 3)),
        SellOuts.from_columns(dealer_id=_col(sold, 0), product_id=_col(sold, 1),
                              sold_on=[r[2].toordinal() for r in sold], quantity=_col(sold, 3)),
    )


async def _dealer_prices(session: AsyncSession, rules: PricingRules, pairs: Sequence[Pair],
                         facts: Mapping[int, Mapping[str, Any]], at: datetime) -> dict[Pair, int]:
    """Tier-stage unit price per (dealer, product) under `rules` at `at`: one quote per dealer
    (per 200 models), one unit of each model. The buyer is the dealer as `quotes.resolve_input`
    makes it (channel, level, code, ancestors, first region), from the facts already loaded
    rather than four SELECTs per dealer and rule set."""
    if not pairs:
        return {}
    products = {row.id: row for row in (await session.execute(
        select(Product.id, Product.model, Product.category, Product.brand, Product.list_price_fen)
        .where(Product.id.in_(sorted({p for _, p in pairs})))
    )).all()}
    budgets = await budgets_left(session, rules)
    zone = get_settings().brand_time_zone
    by_dealer: dict[int, list[int]] = defaultdict(list)
    for dealer_id, product_id in pairs:
        by_dealer[dealer_id].append(product_id)
    prices = {}
    for dealer_id, own in by_dealer.items():
        fact = facts[dealer_id]
        buyer = Buyer(channel_type=fact["channel_type"], cooperation_level=fact["cooperation_level"],
                      dealer=fact["dealer"], dealer_ancestors=tuple(fact["dealer_ancestors"]),
                      region=min(fact["regions"], default=""))
        for start in range(0, len(own), MAX_QUOTE_LINES):
            chunk = own[start : start + MAX_QUOTE_LINES]
            lines = tuple(
                PricedLineInput(line_no=n, model=products[pk].model, category=products[pk].category.value,
                                brand=products[pk].brand, quantity=1, list_price_fen=products[pk].list_price_fen)
                for n, pk in enumerate(chunk, start=1)
            )
            quote = price(rules, PricingInput(lines=lines, buyer=buyer, at=at, time_zone=zone, budget_left_fen=budgets))
            for line in quote.lines:
                if line.kind == "sale":
                    prices[(dealer_id, chunk[line.line_no - 1])] = line.tier_price_fen
    return prices


def _claim(change: PriceChange, p: _Policy, draft: ClaimDraft, at: datetime, number: int) -> dict[str, Any]:
    now = clock.now()
    return {
        "claim_no": f"{change.change_no}-{number:05d}", "price_change_id": change.id, "dealer_id": draft.dealer_id,
        "product_id": draft.product_id, "rule_set": p.ref.rule_set, "rule_set_version": p.ref.version,
        "rule_id": p.policy.id, "old_price_fen": draft.old_price_fen, "new_price_fen": draft.new_price_fen,
        "received_units": draft.received, "on_hand_units": draft.on_hand, "eligible_units": draft.eligible,
        "credit_fen": draft.credit_fen, "capped": draft.capped, "settlement_form": p.policy.settlement,
        "deadline": at + timedelta(days=p.policy.claim_days), "status": C.SUBMITTED,
        "detail": f"{p.policy.name}: {draft.detail}"[:2000], "row_version": 1, "created_at": now, "updated_at": now,
    }


async def _next_change_no(session: AsyncSession, now: datetime) -> str:
    """The day's next number, PC + brand-local date + sequence, one above the day's highest (as
    sales orders are numbered; a concurrent publish taking the same one fails on the unique
    column and is reported as a conflict)."""
    prefix = f"{CHANGE_NO_PREFIX}{clock.today(now):%Y%m%d}"
    taken = await session.scalars(select(PriceChange.change_no).where(
        PriceChange.change_no.startswith(prefix, autoescape=True),
        func.length(PriceChange.change_no) == len(prefix) + CHANGE_NO_DIGITS,
    ).execution_options(**ALL_ROWS))
    used = max((int(n[len(prefix):]) for n in taken if n[len(prefix):].isdigit()), default=0)
    if used >= 10**CHANGE_NO_DIGITS - 1:
        raise DomainError.single(VERSION, f"all price-change numbers of {clock.today(now)} are used",
                                 ErrorCode.CONFLICT)
    return f"{prefix}{used + 1:0{CHANGE_NO_DIGITS}d}"


# --- claims ---------------------------------------------------------------------------------------
async def approve_claim(session: AsyncSession, claim_id: int, data: dict[str, Any], actor: str) -> PriceProtectionClaim:
    """SUBMITTED → APPROVED, before the claim's deadline (after it the claim can only be
    rejected: WRONG_STATUS, the claim has lapsed — no field of the request is out of range)."""
    return await _decide(session, claim_id, data, actor, C.APPROVED)


async def reject_claim(session: AsyncSession, claim_id: int, data: dict[str, Any], actor: str) -> PriceProtectionClaim:
    """SUBMITTED → REJECTED, at any time."""
    return await _decide(session, claim_id, data, actor, C.REJECTED)


async def _decide(session: AsyncSession, claim_id: int, data: dict[str, Any], actor: str,
                  target: ClaimStatus) -> PriceProtectionClaim:
    fields = validate(StatementTransitionFields, data)
    claim = await get_or_error(session, PriceProtectionClaim, claim_id)
    expect_version(claim.row_version, fields.expected_version)
    CLAIM_LIFECYCLE.check(claim.status, target)
    now = clock.now()
    if target is C.APPROVED and now >= claim.deadline:
        raise DomainError.single(("id",), f"the claim lapsed at its deadline {claim.deadline.isoformat()}: it can only "
                                 "be rejected", ErrorCode.WRONG_STATUS)
    claim.status, claim.decided_at, claim.decided_by, claim.note = target, now, actor, fields.note
    await session.flush()
    return claim


# --- credit statements ----------------------------------------------------------------------------
async def create_credit_statements(session: AsyncSession, price_change_id: int,
                                   actor: str) -> list[SettlementStatement]:
    """Per dealer (and settlement form), a draft FINAL statement of the change's APPROVED claims
    not yet on one: an item per policy, a line per claim; the claims become CREDITED. Claims
    approved later join the dealer's draft while it is one, else a supplementary statement
    (scope "price_change:<no>/2", …: an approved statement is never duplicated). Written with
    bulk statements: a national price cut owes thousands of dealers."""
    change = await get_or_error(session, PriceChange, price_change_id, ("price_change_id",))
    claim = PriceProtectionClaim
    claims = (await session.execute(
        select(claim.id, claim.dealer_id, claim.settlement_form, claim.rule_set, claim.rule_set_version,
               claim.rule_id, claim.credit_fen, claim.eligible_units, claim.capped)
        .where(claim.price_change_id == change.id, claim.status == C.APPROVED, claim.statement_id.is_(None))
        .order_by(claim.dealer_id, claim.id)
        .with_for_update().execution_options(**ALL_ROWS)
    )).all()
    if not claims:
        return []
    scope = f"price_change:{change.change_no}"
    groups: dict[tuple[int, SettlementForm], list[Any]] = defaultdict(list)
    for row in claims:
        groups[(row.dealer_id, row.settlement_form)].append(row)
    existing: dict[tuple[int, SettlementForm], list[Any]] = defaultdict(list)
    for row in (await session.execute(
        select(SettlementStatement.id, SettlementStatement.dealer_id, SettlementStatement.settlement_form,
               SettlementStatement.status)
        .where(SettlementStatement.kind == StatementKind.PRICE_PROTECTION,
               SettlementStatement.scope_key.startswith(scope, autoescape=True))
        .order_by(SettlementStatement.id).execution_options(**ALL_ROWS)
    )).all():
        existing[(row.dealer_id, row.settlement_form)].append(row)
    drafts = {key: next(r.id for r in rows if r.status is StatementStatus.DRAFT)
              for key, rows in existing.items() if key in groups and any(r.status is StatementStatus.DRAFT for r in rows)}
    now = clock.now()
    for key, statement_id in drafts.items():
        await session.execute(
            update(SettlementStatement.__table__).where(SettlementStatement.__table__.c.id == statement_id).values(
                amount_fen=SettlementStatement.__table__.c.amount_fen + sum(r.credit_fen for r in groups[key]),
                true_up_fen=SettlementStatement.__table__.c.true_up_fen + sum(r.credit_fen for r in groups[key]),
                as_of=now, computed_by=actor, updated_at=now,
                row_version=SettlementStatement.__table__.c.row_version + 1,
            ))
    fresh = [key for key in groups if key not in drafts]
    codes = await _codes(session, {dealer_id for dealer_id, _ in fresh})
    rows = []
    for dealer_id, form in fresh:
        suffix = f"/{len(existing[(dealer_id, form)]) + 1}" if existing[(dealer_id, form)] else ""
        amount = sum(r.credit_fen for r in groups[(dealer_id, form)])
        rows.append({
            "statement_no": f"PP-{change.change_no}{suffix}-F{form.value[0].upper()}-{codes[dealer_id]}"[:120],
            "kind": StatementKind.PRICE_PROTECTION, "stage": StatementStage.FINAL, "status": StatementStatus.DRAFT,
            "dealer_id": dealer_id, "scope_key": scope + suffix, "settlement_form": form, "amount_fen": amount,
            "accrued_fen": 0, "true_up_fen": amount, "as_of": now, "computed_by": actor, "created_at": now,
            "updated_at": now, "row_version": 1,
        })
    owners = drafts | dict(zip(fresh, await insert_returning(session, SettlementStatement, rows), strict=True))
    await _items(session, owners, groups, await _policies(session, {(r.rule_set, r.rule_set_version) for r in claims}))
    table = PriceProtectionClaim.__table__
    await session.execute(
        update(table).where(table.c.id == bindparam("claim")).values(
            status=C.CREDITED, statement_id=bindparam("statement"), updated_at=now, row_version=table.c.row_version + 1),
        [{"claim": r.id, "statement": owners[key]} for key, own in groups.items() for r in own],
    )
    return list((await session.scalars(
        select(SettlementStatement).where(SettlementStatement.id.in_(sorted(owners.values())))
        .order_by(SettlementStatement.id).execution_options(populate_existing=True, **ALL_ROWS)
    )).all())


async def _items(session: AsyncSession, owners: Mapping[tuple[int, SettlementForm], int],
                 groups: Mapping[tuple[int, SettlementForm], Sequence[Any]],
                 policies: Mapping[tuple[str, int, str], tuple[str, str]]) -> None:
    """An item per statement and policy (numbered after a draft's items), a line per claim."""
    numbers = dict((await session.execute(
        select(StatementItem.statement_id, func.max(StatementItem.item_no))
        .where(StatementItem.statement_id.in_(sorted(owners.values()))).group_by(StatementItem.statement_id)
    )).all())
    item_rows, item_claims = [], []
    for key, own in groups.items():
        by_policy: dict[tuple[str, int, str], list[Any]] = defaultdict(list)
        for row in own:
            by_policy[(row.rule_set, row.rule_set_version, row.rule_id)].append(row)
        statement_id = owners[key]
        for number, (policy, rows) in enumerate(by_policy.items(), start=int(numbers.get(statement_id) or 0) + 1):
            digest, name = policies.get(policy, ("", policy[2]))
            units = sum(r.eligible_units for r in rows)
            item_rows.append({
                "statement_id": statement_id, "item_no": number, "rule_set": policy[0], "rule_set_version": policy[1],
                "digest": digest, "rule_id": policy[2], "policy_name": name[:200], "basis": None, "measure_kind": None,
                "volume": units, "measure": units, "tier_index": None, "amount_fen": sum(r.credit_fen for r in rows),
                "capped": any(r.capped for r in rows), "eligible": True, "reason": "",
                "detail": f"{len(rows)} approved claims, {units} eligible units",
            })
            item_claims.append(rows)
    item_ids = await insert_returning(session, StatementItem, item_rows)
    lines = [{"item_id": item_id, "claim_id": r.id, "order_id": None, "amount_fen": r.credit_fen, "paid_fen": 0,
              "quantity": r.eligible_units} for item_id, rows in zip(item_ids, item_claims, strict=True) for r in rows]
    for start in range(0, len(lines), 20_000):
        await session.execute(insert(StatementLine), lines[start : start + 20_000])


async def _policies(session: AsyncSession,
                    versions: Iterable[tuple[str, int]]) -> dict[tuple[str, int, str], tuple[str, str]]:
    """(rule set, version, policy id) -> (the version's digest, the policy's name)."""
    wanted = sorted(set(versions))
    rows = (await session.execute(
        select(RuleSet.key, RuleSetVersion.version, RuleSetVersion.digest, RuleSetVersion.document)
        .join(RuleSet, RuleSet.id == RuleSetVersion.rule_set_id)
        .where(tuple_(RuleSet.key, RuleSetVersion.version).in_(wanted))
        .execution_options(**ALL_ROWS)
    )).all() if wanted else []
    return {(r.key, r.version, p.id): (r.digest, p.name)
            for r in rows for p in PriceProtectionDocument.model_validate(r.document).policies}


async def _codes(session: AsyncSession, dealer_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(dealer_ids))
    return dict((await session.execute(
        select(Dealer.id, Dealer.code).where(Dealer.id.in_(ids)).execution_options(**ALL_ROWS)
    )).all()) if ids else {}


def _day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), clock.BRAND_TZ)


def _col(rows: Sequence[Any], index: int) -> list[int]:
    return [int(r[index]) for r in rows]
