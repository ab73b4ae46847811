"""Settlement runs and statement approvals.

A run settles one period for all dealers (or some): every REBATE policy live at the period's
close whose period kind is the run's, and every campaign policy whose campaign ended within the
period. The order lines, payments and standing are read in a few aggregate SQL statements into
numpy (engine.rebates does the rest); the statements are written with bulk inserts.

Before the period has ended (`as_of` inside it) the statements are accruals: the rate reached so
far on the volume so far, one per as-of day. After it, the final statement trues up against the
latest approved accrual. A re-run replaces the drafts of what it settles and leaves approved and
issued statements as they are (they are counted as kept).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, cast, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine import clock
from engine.errors import DomainError, FieldError
from engine.lifecycle import Lifecycle, expect_version
from engine.rebates.eligibility import dealer_eligibility, products_in_scope
from engine.rebates.lines import OrderLines
from engine.rebates.periods import bounds, end_date, scope_key
from engine.rebates.settle import PolicyRun, settle_policy
from engine.services.common import get_or_error, raise_if, validate
from engine.services.dealer_facts import ALL_ROWS, COUNTED, DAY, dealer_facts, dealers_of, product_facts
from engine.services.rule_sets import live_versions
from engine.store.bulk import chunks, copy_rows, epoch, fetch_array
from engine.store.channel import Dealer
from engine.store.dealer_reports import DealerPayment
from engine.store.sales import SalesOrder, SalesOrderLine, SalesTarget
from engine.store.settlements import SettlementStatement, StatementItem, StatementLine
from schemas.enums import TargetOwner
from schemas.errors import ErrorCode
from schemas.rebates import (
    DealerOutcome,
    MeasureKind,
    Period,
    RebateDocument,
    RebatePolicy,
    SettlementForm,
    SettlementRunFields,
    StatementKind,
    StatementStage,
    StatementStatus,
    StatementTransitionFields,
)
from schemas.rules import RuleSetKind, VersionRef

S = StatementStatus
STATEMENT_LIFECYCLE: Lifecycle[StatementStatus] = Lifecycle(
    "settlement statement", {S.DRAFT: frozenset({S.APPROVED}), S.APPROVED: frozenset({S.ISSUED})}
)
_PREFIX = {StatementKind.DEALER_REBATE: "DR", StatementKind.PROMOTION_REBATE: "PR", StatementKind.PRICE_PROTECTION: "PP"}
_FORM = {SettlementForm.CASH: "CA", SettlementForm.CREDIT: "CR", SettlementForm.GOODS: "GD"}


@dataclass
class SettlementRun:
    """What a run did: the drafts it wrote, and how many statements it left as they were."""

    period: Period
    as_of: datetime
    stage: StatementStage
    statements: list[SettlementStatement] = field(default_factory=list)  # the first 1,000 drafts written
    created: int = 0  # drafts written
    kept: int = 0  # approved or issued already: not recomputed into a new draft
    replaced: int = 0  # drafts of an earlier run, replaced


# --- the run -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Job:
    """One policy to settle over one window, into statements of one kind and scope."""

    ref: VersionRef
    policy: RebatePolicy
    kind: StatementKind
    scope: str
    start: datetime
    end: datetime  # exclusive; data is read up to min(end, as_of)


async def run_settlement(session: AsyncSession, data: dict[str, Any], actor: str) -> SettlementRun:
    """Settle a period as of a moment (default now); see the module's docstring."""
    fields = validate(SettlementRunFields, data)
    as_of = fields.as_of or clock.now()
    start, end = bounds(fields.period)
    if as_of <= start:
        raise DomainError.single(("as_of",), f"the period starts at {start.isoformat()}: nothing to settle yet",
                                 ErrorCode.OUT_OF_RANGE)
    dealers, every = await dealers_of(session, fields.dealer_ids)
    final = as_of >= end
    run = SettlementRun(fields.period, as_of, StatementStage.FINAL if final else StatementStage.ACCRUAL)
    jobs = await _jobs(session, fields.period, start, end, as_of)
    if not jobs:
        return run
    cut = min(as_of, end)
    dealer_ids = sorted(dealers)
    facts = await dealer_facts(session, dealers, every, start, cut, as_of)
    products = await product_facts(session)
    # Policy ids are unique within a version's document, not across sets: one evaluation per version.
    eligibility, scopes = {}, {}
    for ref in sorted({job.ref for job in jobs}, key=lambda r: r.rule_set):
        policies = [job.policy for job in jobs if job.ref == ref]
        verdicts, covered = dealer_eligibility(policies, facts), products_in_scope(policies, products)
        for policy in policies:
            eligibility[(ref.rule_set, policy.id)] = verdicts[policy.id]
            scopes[(ref.rule_set, policy.id)] = covered[policy.id]
    windows = sorted({(job.start, job.end) for job in jobs})
    lines = {w: await _lines(session, w[0], min(w[1], as_of), as_of, dealer_ids if fields.dealer_ids else None)
             for w in windows}
    growth_windows = {(job.start, job.end) for job in jobs if job.policy.measure is MeasureKind.GROWTH_PERCENT}
    previous = {w: await _lines(session, _year_before(w[0]), _year_before(min(w[1], as_of)), _year_before(as_of),
                                dealer_ids if fields.dealer_ids else None) for w in sorted(growth_windows)}
    targets = await _targets(session, fields.period)
    results = []
    for job in jobs:
        window = (job.start, job.end)
        key = (job.ref.rule_set, job.policy.id)
        result = settle_policy(job.policy, job.ref, lines[window], previous.get(window), eligibility[key], scopes[key],
                               targets if job.kind is StatementKind.DEALER_REBATE else {})
        results.append((job, result))
    await _write(session, run, fields.period, dealers, results, actor, final)
    return run


async def approve_statement(session: AsyncSession, statement_id: int, data: dict[str, Any], actor: str) -> SettlementStatement:
    """DRAFT → APPROVED: the amounts are agreed (an accrual is booked)."""
    fields = validate(StatementTransitionFields, data)
    statement = await get_or_error(session, SettlementStatement, statement_id)
    _transition(statement, S.APPROVED, fields)
    statement.approved_at, statement.approved_by = clock.now(), actor
    await session.flush()
    return statement


async def issue_statement(session: AsyncSession, statement_id: int, data: dict[str, Any], actor: str) -> SettlementStatement:
    """APPROVED → ISSUED: paid in cash, credited or shipped as goods. Accruals are booked, never issued."""
    fields = validate(StatementTransitionFields, data)
    statement = await get_or_error(session, SettlementStatement, statement_id)
    if statement.stage is StatementStage.ACCRUAL:
        raise DomainError.single(("id",), "an accrual is booked by approving it, never issued: issue the period's "
                                 "final statement", ErrorCode.WRONG_STATUS)
    _transition(statement, S.ISSUED, fields)
    statement.issued_at, statement.issued_by = clock.now(), actor
    await session.flush()
    return statement


def _transition(statement: SettlementStatement, target: StatementStatus, fields: StatementTransitionFields) -> None:
    errors: list[FieldError] = []
    for check in (lambda: expect_version(statement.row_version, fields.expected_version),
                  lambda: STATEMENT_LIFECYCLE.check(statement.status, target)):
        try:
            check()
        except DomainError as exc:
            errors += exc.errors
    raise_if(errors)
    statement.status = target
    if fields.note is not None:
        statement.note = fields.note


# --- what to settle ------------------------------------------------------------------------------
async def _jobs(session: AsyncSession, period: Period, start: datetime, end: datetime, as_of: datetime) -> list[_Job]:
    """The policies of the REBATE versions live at the period's close (its last instant, or as_of
    before then): periodic policies of the run's period kind over the period; campaign policies
    whose campaign ended within the period and by as_of, over the campaign."""
    close = min(end, as_of) - timedelta(microseconds=1)
    jobs = []
    for ref, body in await live_versions(session, RuleSetKind.REBATE, close):
        for policy in RebateDocument.model_validate(body).policies:
            if policy.period is period.kind:
                jobs.append(_Job(ref, policy, StatementKind.DEALER_REBATE, scope_key(period), start, end))
            elif policy.campaign is not None and start < policy.campaign.ends_at <= min(end, as_of):
                jobs.append(_Job(ref, policy, StatementKind.PROMOTION_REBATE, f"campaign:{policy.campaign.key}",
                                 policy.campaign.starts_at, policy.campaign.ends_at))
    return jobs


async def _targets(session: AsyncSession, period: Period) -> dict[int, int]:
    rows = (await session.execute(
        select(SalesTarget.dealer_id, SalesTarget.amount_fen)
        .where(SalesTarget.owner_kind == TargetOwner.DEALER, SalesTarget.period_kind == period.kind,
               SalesTarget.period_start == period.start)
        .execution_options(**ALL_ROWS)
    )).all()
    return {int(dealer_id): int(amount) for dealer_id, amount in rows}


async def _lines(session: AsyncSession, start: datetime, end: datetime, as_of: datetime,
                 dealer_ids: Sequence[int] | None) -> OrderLines:
    """The accepted order lines placed in [start, end), with each order's total and what was paid
    on it by its due date and by as_of: three integer SELECTs (orders, what was paid on them,
    their lines) read into numpy and joined there, sorted by dealer and order."""
    order_filter = [SalesOrder.placed_at >= start, SalesOrder.placed_at < end, SalesOrder.status.in_(COUNTED)]
    if dealer_ids is not None:
        order_filter.append(SalesOrder.dealer_id.in_(dealer_ids))
    connection = await session.connection()
    orders = await fetch_array(connection, select(
        SalesOrder.id, SalesOrder.dealer_id, epoch(SalesOrder.placed_at), SalesOrder.total_fen,
    ).where(*order_filter).order_by(SalesOrder.id))
    due = epoch(SalesOrder.placed_at) + Dealer.payment_terms_days * DAY
    paid = await fetch_array(connection, select(DealerPayment.order_id, cast(func.sum(DealerPayment.amount_fen), BigInteger))
        .join(SalesOrder, SalesOrder.id == DealerPayment.order_id)
        .join(Dealer, Dealer.id == SalesOrder.dealer_id)
        .where(*order_filter, DealerPayment.received_at <= as_of, epoch(DealerPayment.received_at) <= due)
        .group_by(DealerPayment.order_id))
    lines = await fetch_array(connection, select(
        SalesOrderLine.order_id, SalesOrderLine.product_id, SalesOrderLine.quantity, SalesOrderLine.amount_fen,
    ).join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id).where(*order_filter))
    # Orders are sorted by id and every line's order is among them (the same filter).
    at = np.searchsorted(orders[:, 0], lines[:, 0])
    order_paid = np.zeros(len(orders), dtype=np.int64)
    order_paid[np.searchsorted(orders[:, 0], paid[:, 0])] = paid[:, 1]
    dealer = orders[at, 1]
    by = np.lexsort((lines[:, 0], dealer))
    at = at[by]
    return OrderLines(
        order_id=lines[by, 0], dealer_id=dealer[by], product_id=lines[by, 1], placed_at=orders[at, 2],
        quantity=lines[by, 2], amount_fen=lines[by, 3], order_total_fen=orders[at, 3], order_paid_fen=order_paid[at],
    )


def _year_before(moment: datetime) -> datetime:
    local = moment.astimezone(clock.BRAND_TZ)
    try:
        return local.replace(year=local.year - 1)
    except ValueError:  # February 29
        return local.replace(year=local.year - 1, day=28)


# --- writing statements --------------------------------------------------------------------------
_Key = tuple[int, StatementKind, str, SettlementForm]  # dealer, kind, scope, form


async def _write(session: AsyncSession, run: SettlementRun, period: Period, dealers: Mapping[int, Any],
                 results: Sequence[tuple[_Job, PolicyRun]], actor: str, final: bool) -> None:
    """Group the outcomes into statements (dealer × kind × scope × form), replace the drafts of
    those keys, keep approved and issued ones, and insert the new drafts with their detail."""
    day = clock.today(run.as_of)
    grouped: dict[_Key, list[tuple[_Job, DealerOutcome, PolicyRun]]] = defaultdict(list)
    stages: dict[_Key, StatementStage] = {}
    for job, result in results:
        # A campaign is only settled once it has ended: its statements are final in any run.
        stage = StatementStage.FINAL if final or job.kind is StatementKind.PROMOTION_REBATE else StatementStage.ACCRUAL
        for outcome in result.outcomes:
            key = (outcome.dealer_id, job.kind, _scope(job.scope, stage, day), job.policy.settlement)
            grouped[key].append((job, outcome, result))
            stages[key] = stage
    scopes = sorted({key[2] for key in grouped})
    kinds = sorted({key[1] for key in grouped}, key=lambda k: k.value)
    existing = (await session.execute(
        select(SettlementStatement.id, SettlementStatement.dealer_id, SettlementStatement.kind,
               SettlementStatement.scope_key, SettlementStatement.settlement_form, SettlementStatement.status)
        .where(SettlementStatement.scope_key.in_(scopes),  # an accrual's scope names its day: no stage needed
               SettlementStatement.kind.in_(kinds))
        .execution_options(**ALL_ROWS)
    )).all() if grouped else []
    settled = {(r.dealer_id, r.kind, r.scope_key, r.settlement_form) for r in existing if r.status is not S.DRAFT}
    drafts = [r.id for r in existing if r.status is S.DRAFT and (r.dealer_id, r.kind, r.scope_key, r.settlement_form)
              in grouped]
    run.kept = sum(1 for key in grouped if key in settled)
    run.replaced = len(drafts)
    for chunk in chunks(drafts, 5_000):
        await session.execute(delete(SettlementStatement).where(SettlementStatement.id.in_(chunk)))
    accrued = await _accrued(session, [k for k in grouped if stages[k] is StatementStage.FINAL])
    keys = [key for key in sorted(grouped, key=_sort_key) if key not in settled]
    if not keys:
        return
    codes = {pk: row.code for pk, row in dealers.items()}
    rows = []
    for key in keys:
        dealer_id, kind, scope, form = key
        stage = stages[key]
        amount = sum(outcome.amount_fen for _, outcome, _ in grouped[key])
        got = accrued.get(key, 0)
        rows.append({
            "statement_no": _number(kind, scope, stage, form, codes.get(dealer_id, str(dealer_id))),
            "kind": kind, "stage": stage, "status": S.DRAFT, "dealer_id": dealer_id, "scope_key": scope,
            "period_kind": period.kind if kind is StatementKind.DEALER_REBATE else None,
            "period_start": period.start if kind is StatementKind.DEALER_REBATE else None,
            "period_end": end_date(period) if kind is StatementKind.DEALER_REBATE else None,
            "settlement_form": form, "amount_fen": amount, "accrued_fen": got,
            "true_up_fen": amount - got if stage is StatementStage.FINAL else 0, "as_of": run.as_of, "computed_by": actor,
        })
    connection = await session.connection()
    for chunk in chunks(rows, 5_000):
        await connection.execute(insert(SettlementStatement), chunk)
    # The drafts just written, by key (at most one draft per key: earlier ones were deleted).
    drafts_here = (SettlementStatement.scope_key.in_(scopes), SettlementStatement.kind.in_(kinds),
                   SettlementStatement.status == S.DRAFT)
    ids = {(r.dealer_id, r.kind, r.scope_key, r.settlement_form): r.id for r in (await session.execute(
        select(SettlementStatement.id, SettlementStatement.dealer_id, SettlementStatement.kind,
               SettlementStatement.scope_key, SettlementStatement.settlement_form)
        .where(*drafts_here).execution_options(**ALL_ROWS)
    )).all()}
    item_rows, owners = [], []
    for key in keys:
        for number, (job, outcome, result) in enumerate(grouped[key], start=1):
            item_rows.append({
                "statement_id": ids[key], "item_no": number, "rule_set": job.ref.rule_set,
                "rule_set_version": job.ref.version, "digest": job.ref.digest, "rule_id": job.policy.id,
                "policy_name": job.policy.name, "basis": job.policy.basis, "measure_kind": job.policy.measure,
                "volume": outcome.volume, "measure": outcome.measure, "tier_index": outcome.tier_index,
                "amount_fen": outcome.amount_fen, "capped": outcome.capped, "eligible": outcome.eligible,
                "reason": outcome.reason[:500], "detail": outcome.detail[:2000],
            })
            owners.append((ids[key], number, outcome.dealer_id, result))
    for chunk in chunks(item_rows, 5_000):
        await connection.execute(insert(StatementItem), chunk)
    written = {statement_id for statement_id, *_ in owners}
    item_ids = {(int(statement_id), int(number)): int(pk) for pk, statement_id, number in (await fetch_array(
        connection, select(StatementItem.id, StatementItem.statement_id, StatementItem.item_no)
        .join(SettlementStatement, SettlementStatement.id == StatementItem.statement_id).where(*drafts_here)
    )).tolist() if statement_id in written}
    await copy_rows(connection, StatementLine.__table__, _DETAIL,
                    _detail([(item_ids[(statement_id, number)], dealer_id, result)
                             for statement_id, number, dealer_id, result in owners]))
    run.created = len(keys)
    first = sorted(ids[key] for key in keys)[:1_000]
    run.statements = list((await session.scalars(
        select(SettlementStatement).where(SettlementStatement.id.in_(first)).order_by(SettlementStatement.id)
        .execution_options(**ALL_ROWS)
    )).all())


_DETAIL = ("item_id", "order_id", "amount_fen", "paid_fen", "quantity")


def _detail(items: Sequence[tuple[int, int, PolicyRun]]) -> list[np.ndarray]:
    """The detail columns (_DETAIL) of the items (id, dealer, its policy's run): one line per
    order an item counted, from the run's per-order sums (sorted by dealer)."""
    by_run: dict[int, tuple[PolicyRun, list[int], list[int]]] = {}
    for item_id, dealer_id, result in items:
        entry = by_run.setdefault(id(result), (result, [], []))
        entry[1].append(dealer_id)
        entry[2].append(item_id)
    parts: list[list[np.ndarray]] = [[] for _ in _DETAIL]
    for result, dealer_ids, owner_ids in by_run.values():
        dealers, owners = np.array(dealer_ids, dtype=np.int64), np.array(owner_ids, dtype=np.int64)
        order = np.argsort(dealers)
        dealers, owners = dealers[order], owners[order]
        at = np.searchsorted(dealers, result.order_dealer).clip(0, len(dealers) - 1)
        # A dealer of the run may have no item here (its statement was approved already).
        mine = dealers[at] == result.order_dealer
        for part, column in zip(parts, (owners[at], result.order_id, result.order_amount_fen, result.order_paid_fen,
                                        result.order_quantity), strict=True):
            part.append(column[mine])
    return [np.concatenate(part) if part else np.zeros(0, dtype=np.int64) for part in parts]


async def _accrued(session: AsyncSession, finals: Sequence[_Key]) -> dict[_Key, int]:
    """Per final key, the amount of its latest approved accrual (accrual scopes are the period's
    scope plus "@<day>"), which the final statement trues up."""
    if not finals:
        return {}
    prefixes = sorted({key[2] for key in finals})
    rows = (await session.execute(
        select(SettlementStatement.dealer_id, SettlementStatement.kind, SettlementStatement.scope_key,
               SettlementStatement.settlement_form, SettlementStatement.amount_fen)
        .where(SettlementStatement.stage == StatementStage.ACCRUAL, SettlementStatement.status == S.APPROVED,
               or_(*(SettlementStatement.scope_key.startswith(p + "@", autoescape=True) for p in prefixes)))
        .order_by(SettlementStatement.scope_key)  # "@YYYY-MM-DD": the latest day last
        .execution_options(**ALL_ROWS)
    )).all()
    accrued = {}
    for row in rows:
        accrued[(row.dealer_id, row.kind, row.scope_key.split("@", 1)[0], row.settlement_form)] = int(row.amount_fen)
    return accrued


def _scope(scope: str, stage: StatementStage, day: Any) -> str:
    return scope if stage is StatementStage.FINAL else f"{scope}@{day.isoformat()}"


def _number(kind: StatementKind, scope: str, stage: StatementStage, form: SettlementForm, dealer_code: str) -> str:
    """A statement's number follows from its key, which at most one live statement holds: a
    replaced draft keeps its number."""
    compact = scope.replace("month:", "M").replace("quarter:", "Q").replace("year:", "Y").replace("campaign:", "")
    compact = compact.replace("-", "").replace("@", "A")
    return f"{_PREFIX[kind]}-{compact}-{stage.value[0].upper()}{_FORM[form]}-{dealer_code}"[:120]


def _sort_key(key: _Key) -> tuple[int, str, str, str]:
    return key[0], key[1].value, key[2], key[3].value
