"""Member points use cases, each in the caller's transaction: award an order's points, take
them back on a return or cancellation, redeem, award activities, expire, and the balance.

The ledger is append-only: every change is a new `PointsEntry` and, where it uses lots, its
`PointsAllocation`s. The rules are the live LOYALTY rule-set document (one at a time; with none
live, orders earn nothing). Each member's changes are serialised by a lock on the member row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine import clock, loyalty
from engine.access.principal import SYSTEM
from engine.errors import DomainError
from engine.rules import CompiledRuleSet, compile_rules
from engine.services.common import raise_if, validate
from engine.services.loyalty_ledger import ALL_ROWS, SCOPED, Options, PointsBalance, balance_at, debts, lots
from engine.services.rule_sets import live_versions
from engine.store.consumer import Member
from engine.store.loyalty import PointsAllocation, PointsEntry
from engine.store.scoping import UNSCOPED
from schemas.enums import ChannelType
from schemas.errors import ErrorCode
from schemas.loyalty import (
    LOYALTY_LINE_FACTS,
    ActivityInput,
    ExpiryInput,
    LoyaltyDocument,
    MemberFacts,
    PaidLine,
    PaidOrder,
    PointsEntryKind,
    PointsResult,
    RedemptionInput,
    Reference,
)
from schemas.rules import RuleSetKind, VersionRef

K = PointsEntryKind
log = logging.getLogger(__name__)
CANCELLATION = "cancel"  # the reference of an order's cancellation: one per order

__all__ = [
    "PointsBalance",
    "award_activity",
    "award_order_points",
    "balance",
    "expire_points",
    "live_programme",
    "redeem_points",
    "reverse_order_points",
]


# --- the programme ---------------------------------------------------------------------------
async def live_programme(session: AsyncSession, at: datetime) -> tuple[VersionRef, LoyaltyDocument] | None:
    """The LOYALTY document live at `at`, or None. If several sets are live (publishing should
    prevent it), the first by set key is used."""
    versions = await live_versions(session, RuleSetKind.LOYALTY, at)
    if not versions:
        return None
    if len(versions) > 1:
        log.warning("%d loyalty rule sets live at %s; using %s", len(versions), at, versions[0][0].rule_set)
    ref, document = versions[0]
    return ref, _document(ref.digest, document)


# Published documents are immutable: parsed and compiled once per content address.
_CACHE_SIZE = 256
_PARSED: dict[str, tuple[LoyaltyDocument, CompiledRuleSet]] = {}


def _document(digest: str, document: dict[str, Any]) -> LoyaltyDocument:
    return _programme(digest, document)[0]


def _compiled(digest: str) -> CompiledRuleSet:
    return _PARSED[digest][1]


def _programme(digest: str, document: dict[str, Any]) -> tuple[LoyaltyDocument, CompiledRuleSet]:
    found = _PARSED.get(digest)
    if found is None:
        parsed = LoyaltyDocument.model_validate(document)
        found = (parsed, compile_rules(loyalty.FACT_TYPE, LOYALTY_LINE_FACTS, loyalty.rule_specs(parsed)))
        while len(_PARSED) >= _CACHE_SIZE:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[digest] = found
    return found


# --- orders ------------------------------------------------------------------------------------
class _ReturnKey(BaseModel):
    order_ref: Reference
    reference: Reference


async def award_order_points(
    session: AsyncSession,
    *,
    member_id: int,
    order_ref: str,
    lines: Sequence[PaidLine],
    at: datetime,
    multipliers: Mapping[int, Decimal] | None = None,
    extra_points: int = 0,
    channel_type: ChannelType | None = None,
    actor: str = SYSTEM.audit_name,
) -> PointsEntry | None:
    """Points and growth value for a paid order, once per `order_ref` (a repeated call returns
    the first entry). Growth (whole yuan paid) is added to the member and the tier follows the
    lifetime growth, this order included. None when no loyalty programme is live at `at`.
    Called by the order use cases, which authorised the caller: reads every row."""
    _aware(at, "at")
    order = validate(PaidOrder, {"order_ref": order_ref, "lines": list(lines), "extra_points": extra_points})
    member = await _locked_member(session, member_id, ALL_ROWS)
    first = await _existing(session, K.EARN, order.order_ref, member.id, ("order_ref",))
    if first is not None:
        return first
    programme = await live_programme(session, at)
    if programme is None:
        return None
    ref, document = programme
    facts = MemberFacts(tier=member.tier, birth_month=member.birth_month, channel_type=channel_type)
    result = loyalty.points_for_order(
        document, _compiled(ref.digest), order.lines, facts, at, clock.BRAND_TZ,
        {int(k): Decimal(v) for k, v in (multipliers or {}).items()}, order.extra_points, ref,
    )
    entry = _entry(
        member.id, K.EARN, result.total, at, actor, ref, growth=result.growth, order_ref=order.order_ref,
        reference=order.order_ref, key=order.order_ref,
        expires_at=loyalty.expiry_moment(at, document.expiry_days, clock.BRAND_TZ),
        detail={"result": result.model_dump(mode="json")},
    )
    await _add_lot(session, entry, ALL_ROWS)
    _grow(member, result.growth, document)
    await session.flush()
    return entry


async def reverse_order_points(
    session: AsyncSession,
    *,
    order_ref: str,
    returned: Mapping[int, int] | None,
    at: datetime,
    reference: str | None = None,
    actor: str = SYSTEM.audit_name,
) -> PointsEntry | None:
    """Take back an order's points and growth: for a return (`returned`: line number → units
    returned now, under the return's `reference`), what the order no longer earns on the units
    kept; for a cancellation (`returned` None), everything it still holds. Once per reference (a
    cancellation's is "cancel"); no line returned beyond what was bought, over all returns.
    The points come from the order's own lot first, then the member's oldest live lots; what
    cannot be covered (points already spent) is owed, and the next points earned settle it.
    None if the order earned no points entry. Reads every row, like `award_order_points`."""
    _aware(at, "at")
    if returned is not None and reference is None:
        raise DomainError.single(("reference",), "a return needs its reference", ErrorCode.REQUIRED)
    key_ref = validate(_ReturnKey, {"order_ref": order_ref, "reference": reference or CANCELLATION})
    key = f"{key_ref.order_ref}/{key_ref.reference}"
    earned = await _existing(session, K.EARN, key_ref.order_ref, None, ("order_ref",))
    if earned is None:
        return None
    member = await _locked_member(session, earned.member_id, ALL_ROWS)
    first = await _existing(session, K.REVERSE, key, member.id, ("reference",))
    if first is not None:
        return first
    result = PointsResult.model_validate(earned.detail["result"])
    before = list(await session.scalars(
        select(PointsEntry).where(PointsEntry.kind == K.REVERSE, PointsEntry.order_ref == key_ref.order_ref)
        .execution_options(**ALL_ROWS)
    ))
    returned_before: dict[int, int] = {}
    for entry in before:
        for line_no, quantity in entry.detail.get("returned", {}).items():
            returned_before[int(line_no)] = returned_before.get(int(line_no), 0) + quantity
    if returned is None:
        now_returned = {line.line_no: line.quantity - returned_before.get(line.line_no, 0) for line in result.lines}
        now_returned = {k: v for k, v in now_returned.items() if v > 0}
        cumulative = None
    else:
        now_returned = {int(k): v for k, v in returned.items()}
        raise_if(loyalty.check_return(result, returned_before, now_returned, ("returned",)))
        cumulative = {k: returned_before.get(k, 0) + now_returned.get(k, 0) for k in {*returned_before, *now_returned}}
    points, growth = loyalty.reversal(
        result, cumulative, -sum(e.points for e in before), -sum(e.growth for e in before)
    )
    taken = await _backing(session, member.id, earned.id, points, at)
    entry = _entry(
        member.id, K.REVERSE, -points, at, actor, _ref(earned), growth=-growth, order_ref=key_ref.order_ref,
        reference=key_ref.reference, key=key,
        detail={
            "returned": {str(k): v for k, v in sorted(now_returned.items())},
            "owed": points - sum(p for _, p in taken),
        },
    )
    session.add(entry)
    await session.flush()
    session.add_all(PointsAllocation(entry_id=entry.id, lot_id=lot_id, points=part) for lot_id, part in taken)
    programme = await live_programme(session, at)
    _grow(member, -growth, programme[1] if programme else None)
    await session.flush()
    return entry


async def _backing(
    session: AsyncSession, member_id: int, own_lot: int, points: int, at: datetime
) -> list[tuple[int, int]]:
    """Lots a reversal takes its points from: the order's own lot (even if past expiry: the points
    go back rather than expire), then the member's oldest live lots."""
    member_lots = await lots(session, member_id, ALL_ROWS)
    own = next((lot for lot in member_lots if lot.id == own_lot), None)
    taken = [(own_lot, min(own.remaining, points))] if own is not None and own.remaining > 0 and points > 0 else []
    rest = points - sum(p for _, p in taken)
    others = [lot for lot in member_lots if lot.id != own_lot]
    return taken + (loyalty.allocate(others, rest, at) if rest > 0 else [])


# --- redemptions and activities ------------------------------------------------------------------
async def redeem_points(
    session: AsyncSession,
    *,
    member_id: int,
    reference: str,
    at: datetime,
    reward_key: str | None = None,
    points: int | None = None,
    actor: str = SYSTEM.audit_name,
) -> PointsEntry:
    """Spend points on a reward of the live catalogue (or a plain number of points), oldest
    lots first, skipping expired ones; refused with INSUFFICIENT_POINTS, writing nothing, if the
    member has fewer. Once per reference."""
    _aware(at, "at")
    data = validate(RedemptionInput, {"member_id": member_id, "reference": reference, "reward_key": reward_key,
                                      "points": points})
    member = await _locked_member(session, data.member_id)
    first = await _existing(session, K.REDEEM, data.reference, member.id, ("reference",),
                            lambda e: e.reward == data.reward_key and (data.points is None or -e.points == data.points))
    if first is not None:
        return first
    ref: VersionRef | None = None
    detail: dict[str, Any] = {}
    needed = data.points or 0
    field = "points"
    if data.reward_key is not None:
        field = "reward_key"
        programme = await live_programme(session, at)
        reward = next((r for r in programme[1].rewards if r.key == data.reward_key), None) if programme else None
        if programme is None or reward is None:
            raise DomainError.single((field,), f"no live reward {data.reward_key!r}", ErrorCode.NOT_FOUND)
        ref, needed = programme[0], reward.points
        detail["reward"] = reward.model_dump(mode="json")
    member_lots = await lots(session, member.id)
    owed = sum(p for _, p in await debts(session, member.id))
    spendable = loyalty.available(member_lots, at) - owed
    if spendable < needed:
        raise DomainError.single((field,), f"the member has {max(spendable, 0)} points, {needed} are needed",
                                 ErrorCode.INSUFFICIENT_POINTS)
    entry = _entry(member.id, K.REDEEM, -needed, at, actor, ref, reference=data.reference, key=data.reference,
                   reward=data.reward_key, detail=detail)
    session.add(entry)
    await session.flush()
    session.add_all(
        PointsAllocation(entry_id=entry.id, lot_id=lot_id, points=part)
        for lot_id, part in loyalty.allocate(member_lots, needed, at)
    )
    await session.flush()
    return entry


async def award_activity(
    session: AsyncSession,
    *,
    member_id: int,
    activity: str,
    reference: str,
    at: datetime,
    actor: str = SYSTEM.audit_name,
) -> PointsEntry:
    """Points for an activity of the live document (product registration, service review…),
    once per reference and at most the activity's per-member limit."""
    _aware(at, "at")
    data = validate(ActivityInput, {"member_id": member_id, "activity": activity, "reference": reference})
    member = await _locked_member(session, data.member_id)
    first = await _existing(session, K.ACTIVITY, data.reference, member.id, ("reference",),
                            lambda e: e.activity == data.activity)
    if first is not None:
        return first
    programme = await live_programme(session, at)
    award = next((a for a in programme[1].activity_awards if a.activity == data.activity), None) if programme else None
    if programme is None or award is None:
        raise DomainError.single(("activity",), f"no live activity award {data.activity!r}", ErrorCode.NOT_FOUND)
    ref, document = programme
    if award.limit_per_member is not None:
        done = await session.scalar(
            select(func.count()).select_from(PointsEntry)
            .where(PointsEntry.member_id == member.id, PointsEntry.kind == K.ACTIVITY,
                   PointsEntry.activity == data.activity)
        )
        if (done or 0) >= award.limit_per_member:
            raise DomainError.single(("activity",), f"{data.activity} earns points {award.limit_per_member} time(s) "
                                     "per member, already reached", ErrorCode.LIMIT_EXCEEDED)
    entry = _entry(
        member.id, K.ACTIVITY, award.points, at, actor, ref, reference=data.reference, key=data.reference,
        activity=data.activity, expires_at=loyalty.expiry_moment(at, document.expiry_days, clock.BRAND_TZ),
    )
    await _add_lot(session, entry, SCOPED)
    await session.flush()
    return entry


# --- expiry and balance --------------------------------------------------------------------------
async def expire_points(
    session: AsyncSession, *, as_of: datetime, member_id: int | None = None, actor: str = SYSTEM.audit_name
) -> list[PointsEntry]:
    """Write off what is left of the lots past expiry at `as_of` (not later than now): one
    expire entry per member, allocated to those lots. Running it again writes nothing new."""
    data = validate(ExpiryInput, {"as_of": as_of})
    if data.as_of > clock.now():
        raise DomainError.single(("as_of",), "points cannot be expired ahead of time", ErrorCode.OUT_OF_RANGE)
    stmt = select(PointsEntry.member_id).where(
        PointsEntry.kind.in_((K.EARN, K.ACTIVITY)), PointsEntry.expires_at <= data.as_of
    ).distinct()
    if member_id is not None:
        await _locked_member(session, member_id)
        stmt = stmt.where(PointsEntry.member_id == member_id)
    written = []
    for owner in sorted(await session.scalars(stmt)):
        member = await _locked_member(session, owner)
        due = [
            lot for lot in await lots(session, member.id)
            if lot.remaining > 0 and lot.expires_at is not None and lot.expires_at <= data.as_of
        ]
        if not due:
            continue
        entry = _entry(member.id, K.EXPIRE, -sum(lot.remaining for lot in due), data.as_of, actor, None,
                       detail={"lots": [lot.id for lot in due]})
        session.add(entry)
        await session.flush()
        session.add_all(PointsAllocation(entry_id=entry.id, lot_id=lot.id, points=lot.remaining) for lot in due)
        written.append(entry)
    await session.flush()
    return written


async def balance(session: AsyncSession, member_id: int, at: datetime) -> PointsBalance | None:
    """The member's balance at `at`; None if the member does not exist (or is outside the scope)."""
    _aware(at, "at")
    if await session.get(Member, member_id) is None:
        return None
    return await balance_at(session, member_id, at)


# --- helpers -------------------------------------------------------------------------------------
def _aware(moment: datetime, name: str) -> None:
    if moment.utcoffset() is None:
        raise DomainError.single((name,), f"{name} must carry a time zone", ErrorCode.INVALID)


async def _existing(
    session: AsyncSession, kind: PointsEntryKind, key: str, member_id: int | None, path: tuple[str, ...],
    same: Callable[[PointsEntry], bool] = lambda entry: True,
) -> PointsEntry | None:
    """The entry a previous call with this key wrote; a DUPLICATE if it was another member's or
    another request's (`same`). Looked up in every row: a key used outside the caller's scope is
    used all the same (the callers load the member in their scope first, so only that member's
    entry is ever returned)."""
    entry = await session.scalar(
        select(PointsEntry).where(PointsEntry.kind == kind, PointsEntry.idempotency_key == key)
        .execution_options(**{UNSCOPED: True})
    )
    if entry is not None and member_id is not None and entry.member_id != member_id:
        raise DomainError.single(path, f"{key!r} is already used for another member", ErrorCode.DUPLICATE)
    if entry is not None and not same(entry):
        raise DomainError.single(path, f"{key!r} is already used for another {kind.value}", ErrorCode.DUPLICATE)
    return entry


async def _locked_member(session: AsyncSession, member_id: int, options: Options = SCOPED) -> Member:
    """The member, locked until commit (PostgreSQL), so one member's points change one at a time."""
    member = await session.scalar(
        select(Member).where(Member.id == member_id).with_for_update().execution_options(**options)
    )
    if member is None:
        raise DomainError.single(("member_id",), f"Member {member_id} does not exist", ErrorCode.NOT_FOUND)
    return member


def _entry(
    member_id: int, kind: PointsEntryKind, points: int, at: datetime, actor: str, ref: VersionRef | None,
    **values: Any,
) -> PointsEntry:
    key = values.pop("key", None)
    return PointsEntry(
        member_id=member_id, kind=kind, points=points, at=at, created_by=actor, idempotency_key=key,
        rule_set=ref.rule_set if ref else None, version=ref.version if ref else None,
        detail={**values.pop("detail", {}), **({"digest": ref.digest} if ref else {})},
        growth=values.pop("growth", 0), **values,
    )


def _ref(entry: PointsEntry) -> VersionRef | None:
    """The version an entry was made under, for the entries that follow from it."""
    if entry.rule_set is None or entry.version is None:
        return None
    return VersionRef(rule_set=entry.rule_set, version=entry.version, digest=entry.detail.get("digest", ""))


async def _add_lot(session: AsyncSession, lot: PointsEntry, options: Options) -> None:
    """Add a new lot; it settles the member's debts first, oldest first."""
    session.add(lot)
    await session.flush()
    left = lot.points
    for entry_id, owed in await debts(session, lot.member_id, options):
        if left <= 0:
            break
        part = min(owed, left)
        session.add(PointsAllocation(entry_id=entry_id, lot_id=lot.id, points=part))
        left -= part


def _grow(member: Member, growth: int, document: LoyaltyDocument | None) -> None:
    """Change the member's growth value; the tier follows it (down too) under the live tiers."""
    member.growth_value = max(member.growth_value + growth, 0)
    if document is not None and document.tiers:
        member.tier = loyalty.tier_for(member.growth_value, document)

