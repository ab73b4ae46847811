"""Rule-set use cases: create a set with its first draft, author drafts, publish (checked for
conflicts with the other live pricing sets), retire; and the versions live at a moment.

A published version is immutable: its document is cached in process by (version id, digest),
so finding the live rules for a quote costs one small SELECT.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine import clock
from engine.errors import DomainError, FieldError, from_validation
from engine.lifecycle import Lifecycle, expect_status, expect_version
from engine.services.common import duplicate, get_or_error, raise_if, validate
from engine.pricing import find_conflicts
from engine.services.rule_documents import digest, parse
from engine.store.rules import RuleSet, RuleSetVersion
from engine.store.scoping import UNSCOPED
from schemas.errors import ErrorCode
from schemas.rule_sets import (
    RuleSetCreateFields,
    RuleSetVersionCreateFields,
    RuleSetVersionTransitionFields,
    RuleSetVersionUpdateFields,
    VersionFields,
)
from schemas.pricing import PricingDocument
from schemas.rules import RuleSetKind, RuleSetStatus, VersionRef, canonical

S = RuleSetStatus

RULE_SET_VERSION_LIFECYCLE: Lifecycle[RuleSetStatus] = Lifecycle(
    "rule-set version", {S.DRAFT: frozenset({S.PUBLISHED}), S.PUBLISHED: frozenset({S.RETIRED})}
)
EDITABLE = frozenset({S.DRAFT})
Window = tuple[datetime | None, datetime | None]
# publish_version and retire_version: (session, version id, input, actor) -> the version.
Transition = Callable[[AsyncSession, int, dict[str, Any], str], Awaitable[RuleSetVersion]]


async def create_rule_set(session: AsyncSession, data: dict[str, Any], actor: str) -> RuleSet:
    """A new rule set with its first draft (version 1); the document defaults to an empty one."""
    errors: list[FieldError] = []
    try:
        fields: RuleSetCreateFields | None = validate(RuleSetCreateFields, data)
    except DomainError as exc:
        fields, errors = None, exc.errors
    kind = _kind(data.get("kind"))
    document, document_errors = _checked(kind, data.get("document") or {}) if kind else (None, [])
    errors = [e for e in errors if e.path[:1] != ("document",)] + document_errors
    if fields is not None:
        errors += await duplicate(session, RuleSet.key, fields.key, ("key",))
    raise_if(errors)
    assert fields is not None and document is not None
    rule_set = RuleSet(
        key=fields.key, kind=fields.kind, name=fields.name, description=fields.description, created_by=actor
    )
    session.add(rule_set)
    await session.flush()
    session.add(_version(rule_set.id, 1, document, (fields.valid_from, fields.valid_to), fields.note, actor))
    await session.flush()
    return rule_set


async def create_version(session: AsyncSession, data: dict[str, Any], actor: str) -> RuleSetVersion:
    """A new draft of a set, numbered after its latest version; what is not sent (document,
    window) is copied from that latest version."""
    fields = validate(RuleSetVersionCreateFields, data)
    sent = fields.model_fields_set
    rule_set = await _locked_set(session, fields.rule_set_id)
    latest = await session.scalar(
        select(RuleSetVersion)
        .where(RuleSetVersion.rule_set_id == rule_set.id)
        .order_by(RuleSetVersion.version.desc())
        .limit(1)
    )
    assert latest is not None  # a set is created with its first version
    window = (
        fields.valid_from if "valid_from" in sent else latest.valid_from,
        fields.valid_to if "valid_to" in sent else latest.valid_to,
    )
    document, errors = _checked(rule_set.kind, fields.document if fields.document is not None else latest.document)
    raise_if(_window_errors(window) + errors)
    assert document is not None
    version = _version(rule_set.id, latest.version + 1, document, window, fields.note, actor)
    session.add(version)
    await session.flush()
    return version


async def update_version(session: AsyncSession, version_id: int, patch: dict[str, Any]) -> RuleSetVersion:
    """Change a draft's document, window or note; a published or retired version is immutable."""
    fields = validate(RuleSetVersionUpdateFields, patch)
    sent = fields.model_fields_set
    version = await get_or_error(session, RuleSetVersion, version_id)
    rule_set = await get_or_error(session, RuleSet, version.rule_set_id)
    errors = _refusals(
        lambda: expect_version(version.row_version, fields.expected_version),
        lambda: expect_status(version.status, EDITABLE, "changing a rule-set version (a published one is immutable)"),
    )
    raise_if(errors)
    errors = _window_errors((
        fields.valid_from if "valid_from" in sent else version.valid_from,
        fields.valid_to if "valid_to" in sent else version.valid_to,
    ))
    document: dict[str, Any] | None = None
    if "document" in sent:
        if fields.document is None:
            errors.append(FieldError(("document",), "a version needs a document", ErrorCode.REQUIRED))
        else:
            document, document_errors = _checked(rule_set.kind, fields.document)
            errors += document_errors
    raise_if(errors)
    if document is not None and document != version.document:
        version.document, version.digest = document, digest(document)
    for name in ("valid_from", "valid_to", "note"):
        if name in sent:
            setattr(version, name, getattr(fields, name))
    await session.flush()
    return version


async def publish_version(session: AsyncSession, version_id: int, data: dict[str, Any], actor: str) -> RuleSetVersion:
    """DRAFT → PUBLISHED: the document is checked again and against the other sets of its kind
    live at some moment of this version's window (CONFLICT): for pricing, rules conflicting at
    equal priority; for loyalty, any other live set (one points programme at a time)."""
    fields = validate(RuleSetVersionTransitionFields, data)
    version = await get_or_error(session, RuleSetVersion, version_id)
    rule_set = await get_or_error(session, RuleSet, version.rule_set_id)
    raise_if(_refusals(
        lambda: expect_version(version.row_version, fields.expected_version),
        lambda: RULE_SET_VERSION_LIFECYCLE.check(version.status, S.PUBLISHED),
    ))
    document, errors = _checked(rule_set.kind, version.document)
    # The document is not an argument of this mutation: its errors are the version's (`id`).
    raise_if([FieldError(("id",), f"{_dotted(e.path)}: {e.message}", e.code) for e in errors])
    assert document is not None
    raise_if(await _conflicts(session, rule_set, version, document))
    version.document, version.digest = document, digest(document)
    version.status = S.PUBLISHED
    version.published_at, version.published_by = clock.now(), actor
    await session.flush()
    return version


async def retire_version(session: AsyncSession, version_id: int, data: dict[str, Any], actor: str) -> RuleSetVersion:
    """PUBLISHED → RETIRED: the version no longer counts anywhere, from now on."""
    fields = validate(RuleSetVersionTransitionFields, data)
    version = await get_or_error(session, RuleSetVersion, version_id)
    raise_if(_refusals(
        lambda: expect_version(version.row_version, fields.expected_version),
        lambda: RULE_SET_VERSION_LIFECYCLE.check(version.status, S.RETIRED),
    ))
    version.status = S.RETIRED
    version.retired_at, version.retired_by = clock.now(), actor
    await session.flush()
    return version


# --- the live versions ---------------------------------------------------------------------
_CACHE_SIZE = 1024
_DOCUMENTS: OrderedDict[tuple[int, str], dict[str, Any]] = OrderedDict()


async def live_versions(session: AsyncSession, kind: RuleSetKind, at: datetime) -> list[tuple[VersionRef, dict[str, Any]]]:
    """For each rule set of `kind`, its live version at `at` and its document, by set key: the
    published version with the highest number whose window contains `at` (drafts and retired
    versions never count). Read whatever the caller's row scope: the live rules apply to every
    quote. The documents are shared with later callers and must not be changed."""
    if at.utcoffset() is None:
        raise ValueError("at must be timezone-aware")
    rows = (await session.execute(
        select(RuleSetVersion.id, RuleSet.key, RuleSetVersion.version, RuleSetVersion.digest)
        .join(RuleSet, RuleSet.id == RuleSetVersion.rule_set_id)
        .where(RuleSet.kind == kind, RuleSetVersion.status == S.PUBLISHED, _window_contains(at))
        .order_by(RuleSet.key, RuleSetVersion.version.desc())
        .execution_options(**{UNSCOPED: True})
    )).all()
    picked = {}
    for row in rows:
        picked.setdefault(row.key, row)  # the first of a key has its highest version
    documents = await _documents(session, [(r.id, r.digest) for r in picked.values()])
    return [
        (VersionRef(rule_set=r.key, version=r.version, digest=r.digest), documents[(r.id, r.digest)])
        for r in picked.values()
    ]


def live_version(versions: Iterable[RuleSetVersion], at: datetime) -> RuleSetVersion | None:
    """Of one set's versions, the one live at `at` (the rule `live_versions` applies)."""
    live = [v for v in versions if v.status is S.PUBLISHED and _contains((v.valid_from, v.valid_to), at)]
    return max(live, key=lambda v: v.version, default=None)


async def _documents(session: AsyncSession, keys: list[tuple[int, str]]) -> dict[tuple[int, str], dict[str, Any]]:
    """Documents of published versions by (id, digest), from the cache or one SELECT of the
    missing ones. The digest is part of the key: ids are reused when a database is recreated."""
    missing = [key for key in keys if key not in _DOCUMENTS]
    if missing:
        rows = (await session.execute(
            select(RuleSetVersion.id, RuleSetVersion.digest, RuleSetVersion.document)
            .where(RuleSetVersion.id.in_([pk for pk, _ in missing]))
            .execution_options(**{UNSCOPED: True})
        )).all()
        for row in rows:
            _DOCUMENTS[(row.id, row.digest)] = row.document
        while len(_DOCUMENTS) > _CACHE_SIZE:
            _DOCUMENTS.popitem(last=False)
    found = {}
    for key in keys:
        _DOCUMENTS.move_to_end(key)
        found[key] = _DOCUMENTS[key]
    return found


# --- conflicts with the other live sets ------------------------------------------------------
async def _conflicts(
    session: AsyncSession, rule_set: RuleSet, version: RuleSetVersion, document: dict[str, Any]
) -> list[FieldError]:
    window = (version.valid_from, version.valid_to)
    # Publications of one kind are serialised (PostgreSQL row locks), so two conflicting sets
    # published at the same moment cannot both pass this check.
    await session.execute(
        select(RuleSet.id).where(RuleSet.kind == rule_set.kind).with_for_update().execution_options(**{UNSCOPED: True})
    )
    others = (await session.execute(
        select(RuleSetVersion.id, RuleSetVersion.rule_set_id, RuleSet.key, RuleSetVersion.version, RuleSetVersion.digest,
               RuleSetVersion.valid_from, RuleSetVersion.valid_to)
        .join(RuleSet, RuleSet.id == RuleSetVersion.rule_set_id)
        .where(RuleSet.kind == rule_set.kind, RuleSet.id != rule_set.id, RuleSetVersion.status == S.PUBLISHED,
               _window_overlaps(window))
        .order_by(RuleSet.key, RuleSetVersion.version.desc())
        .execution_options(**{UNSCOPED: True})
    )).all()
    live = _live_within(others, window)
    if rule_set.kind is RuleSetKind.LOYALTY:
        return [
            FieldError(("id",), f"the loyalty programme {r.key!r} (version {r.version}) is live during this "
                       "version's window: one programme at a time", ErrorCode.CONFLICT)
            for r in live
        ]
    if rule_set.kind is RuleSetKind.PRICING:
        return await _pricing_conflicts(session, rule_set, version, document, live)
    return []  # rebate and price-protection policies of several sets all apply, each on its own


async def _pricing_conflicts(
    session: AsyncSession, rule_set: RuleSet, version: RuleSetVersion, document: dict[str, Any], live: list[Any]
) -> list[FieldError]:
    """`engine.pricing.find_conflicts` over this version's rules among themselves and against the
    rules of the other sets' live versions. Pairs of two other sets' rules are not asked about:
    those sets may be live at different moments of this window, and are not what is published."""
    documents = await _documents(session, [(r.id, r.digest) for r in live])
    ref = VersionRef(rule_set=rule_set.key, version=version.version, digest=digest(document))
    own = [(ref, rule) for rule in PricingDocument.model_validate(document).rules]
    found = list(find_conflicts(own))
    # Only rules of one stage and one priority can conflict: pair those alone.
    by_rank: dict[tuple[Any, int], list[tuple[VersionRef, Any]]] = {}
    for row in live:
        other = VersionRef(rule_set=row.key, version=row.version, digest=row.digest)
        for rule in PricingDocument.model_validate(documents[(row.id, row.digest)]).rules:
            by_rank.setdefault((rule.stage, rule.priority), []).append((other, rule))
    for mine in own:
        for theirs in by_rank.get((mine[1].stage, mine[1].priority), []):
            found += find_conflicts([mine, theirs])
    return [FieldError(("id",), e.message, ErrorCode.CONFLICT) for e in found]


def _live_within(rows: list[Any], window: Window) -> list[Any]:
    """The versions (rows by set, highest version first) live at some moment of `window`: the
    part of a version's window inside `window` not covered by a higher version of its set."""
    live, covered, current = [], [], None
    for row in rows:
        if row.rule_set_id != current:
            current, covered = row.rule_set_id, []
        own = _intersection((row.valid_from, row.valid_to), window)
        if own is not None and _uncovered(own, covered):
            live.append(row)
        covered.append((row.valid_from, row.valid_to))
    return live


_NEVER, _ALWAYS = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)


def _bounds(window: Window) -> tuple[datetime, datetime]:
    return window[0] or _NEVER, window[1] or _ALWAYS


def _intersection(a: Window, b: Window) -> tuple[datetime, datetime] | None:
    (a0, a1), (b0, b1) = _bounds(a), _bounds(b)
    start, end = max(a0, b0), min(a1, b1)
    return (start, end) if start < end else None


def _uncovered(span: tuple[datetime, datetime], covered: list[Window]) -> bool:
    """Whether some moment of the half-open span lies outside every covered window."""
    start, end = span
    for c0, c1 in sorted(_bounds(c) for c in covered):
        if c0 > start:
            return True
        start = max(start, c1)
        if start >= end:
            return False
    return start < end


def _contains(window: Window, at: datetime) -> bool:
    start, end = window
    return (start is None or start <= at) and (end is None or at < end)


def _window_contains(at: datetime) -> Any:
    v = RuleSetVersion
    return and_(or_(v.valid_from.is_(None), v.valid_from <= at), or_(v.valid_to.is_(None), v.valid_to > at))


def _window_overlaps(window: Window) -> Any:
    start, end = window
    v = RuleSetVersion
    conditions = []
    if end is not None:
        conditions.append(or_(v.valid_from.is_(None), v.valid_from < end))
    if start is not None:
        conditions.append(or_(v.valid_to.is_(None), v.valid_to > start))
    return and_(True, *conditions)


# --- helpers -------------------------------------------------------------------------------
def _version(
    rule_set_id: int, number: int, document: dict[str, Any], window: Window, note: str | None, actor: str
) -> RuleSetVersion:
    return RuleSetVersion(
        rule_set_id=rule_set_id, version=number, status=S.DRAFT, document=document, digest=digest(document),
        valid_from=window[0], valid_to=window[1], author=actor, note=note,
    )


def _checked(kind: RuleSetKind, document: Any) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """(the validated document as stored, []) or (None, every error at its path)."""
    try:
        return canonical(parse(kind, document)), []
    except DomainError as exc:
        return None, exc.errors


def _window_errors(window: Window) -> list[FieldError]:
    """The window after a change, checked whole (an end after the start, both timezone-aware)."""
    try:
        VersionFields.model_validate({"valid_from": window[0], "valid_to": window[1]})
    except ValidationError as exc:
        return from_validation(exc).errors
    return []


async def _locked_set(session: AsyncSession, rule_set_id: int) -> RuleSet:
    """The set, locked until commit (PostgreSQL): its next version number is taken once."""
    rule_set = await session.scalar(select(RuleSet).where(RuleSet.id == rule_set_id).with_for_update())
    if rule_set is None:
        raise DomainError.single(("rule_set_id",), f"RuleSet {rule_set_id} does not exist", ErrorCode.NOT_FOUND)
    return rule_set


def _kind(value: Any) -> RuleSetKind | None:
    try:
        return RuleSetKind(value)
    except ValueError:
        return None


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(map(str, path))


def _refusals(*checks: Any) -> list[FieldError]:
    errors: list[FieldError] = []
    for check in checks:
        try:
            check()
        except DomainError as exc:
            errors += exc.errors
    return errors
