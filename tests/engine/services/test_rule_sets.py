"""Rule-set use cases on a real database: which version is live when, the document cache, and
the conflict check's view of the other sets' live versions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.errors import DomainError
from engine.services import rule_sets as service
from engine.store.rules import RuleSetVersion
from schemas.errors import ErrorCode
from schemas.rules import RuleSetKind, RuleSetStatus
from tests.engine.use_cases import run

ACTOR = "tests"


def at(month: int, day: int = 1, year: int = 2025) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def document(*rule_ids: str) -> dict[str, Any]:
    return {"rules": [
        {"id": r, "name": r, "stage": "promotion", "action": {"kind": "percent_off", "percent": 5}} for r in rule_ids
    ]}


class Sets:
    """Arrange rule sets and versions through the use cases."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url

    def create(self, key: str, doc: dict[str, Any], kind: RuleSetKind = RuleSetKind.PRICING, **window: Any) -> int:
        """A set whose version 1 is `doc`; returns version 1's id."""

        async def go(s: AsyncSession) -> int:
            data = {"key": key, "kind": kind.value, "name": key, "document": doc, **window}
            rule_set = await service.create_rule_set(s, data, ACTOR)
            first = await s.scalar(select(RuleSetVersion.id).where(RuleSetVersion.rule_set_id == rule_set.id))
            assert first is not None
            return first

        return run(self.url, go)

    def draft(self, first_version_id: int, doc: dict[str, Any] | None = None, **window: Any) -> int:
        async def go(s: AsyncSession) -> int:
            first = await s.get(RuleSetVersion, first_version_id)
            assert first is not None
            data = {"rule_set_id": first.rule_set_id, **window}
            if doc is not None:
                data["document"] = doc
            return (await service.create_version(s, data, ACTOR)).id

        return run(self.url, go)

    def publish(self, version_id: int) -> None:
        run(self.url, lambda s: service.publish_version(s, version_id, {}, ACTOR))

    def retire(self, version_id: int) -> None:
        run(self.url, lambda s: service.retire_version(s, version_id, {}, ACTOR))

    def live(self, moment: datetime, kind: RuleSetKind = RuleSetKind.PRICING) -> list[tuple[str, int, list[str]]]:
        found = run(self.url, lambda s: service.live_versions(s, kind, moment))
        return [(ref.rule_set, ref.version, [r["id"] for r in doc.get("rules", [])]) for ref, doc in found]


@pytest.fixture
def sets(database_url: str) -> Sets:
    return Sets(database_url)


def test_live_versions_pick_by_window_and_version_number_and_ignore_drafts_and_retired(sets: Sets) -> None:
    # given set "a": v1 published for 2025, v2 a draft for ever, v3 published for March only;
    # set "b": v1 published then retired, v2 a draft, v3 published from April; set "c" a draft
    a1 = sets.create("a", document("a-v1"), valid_from=at(1), valid_to=at(1, year=2026))
    sets.publish(a1)
    sets.draft(a1, document("a-v2"), valid_from=None, valid_to=None)
    sets.publish(sets.draft(a1, document("a-v3"), valid_from=at(3), valid_to=at(4)))
    b1 = sets.create("b", document("b-v1"))
    sets.publish(b1)
    sets.retire(b1)
    sets.draft(b1)
    sets.publish(sets.draft(b1, document("b-v3"), valid_from=at(4)))
    sets.create("c", document("c-draft"))

    # then
    assert sets.live(at(2)) == [("a", 1, ["a-v1"])]
    assert sets.live(at(3, 15)) == [("a", 3, ["a-v3"])]
    assert sets.live(at(4)) == [("a", 1, ["a-v1"]), ("b", 3, ["b-v3"])]
    assert sets.live(at(1, year=2026)) == [("b", 3, ["b-v3"])]
    assert sets.live(at(4), RuleSetKind.LOYALTY) == []


def test_a_quote_costs_one_select_once_the_documents_are_cached(sets: Sets, database_url: str) -> None:
    version = sets.create("a", document("r1"))
    sets.publish(version)
    sets.live(at(5))  # loads the document into the cache

    statements: list[str] = []
    found = run(database_url, lambda s: service.live_versions(s, RuleSetKind.PRICING, at(5)), statements)

    assert [ref.version for ref, _ in found] == [1]
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


def test_live_versions_refuse_a_naive_moment(sets: Sets) -> None:
    with pytest.raises(ValueError, match="timezone"):
        sets.live(datetime(2025, 1, 1))


def test_a_published_version_cannot_be_changed(sets: Sets, database_url: str) -> None:
    version = sets.create("a", document("r1"))
    sets.publish(version)

    with pytest.raises(DomainError) as refused:
        run(database_url, lambda s: service.update_version(s, version, {"note": "late"}))

    assert [(e.path, e.code) for e in refused.value.errors] == [(("id",), ErrorCode.WRONG_STATUS)]


def test_statuses_follow_the_lifecycle() -> None:
    lifecycle = service.RULE_SET_VERSION_LIFECYCLE
    S = RuleSetStatus

    assert (lifecycle.allowed(S.DRAFT), lifecycle.allowed(S.PUBLISHED), lifecycle.allowed(S.RETIRED)) == (
        {S.PUBLISHED}, {S.RETIRED}, frozenset()
    )


class Row:
    def __init__(self, rule_set_id: int, version: int, valid_from: datetime | None, valid_to: datetime | None) -> None:
        self.rule_set_id, self.version, self.valid_from, self.valid_to = rule_set_id, version, valid_from, valid_to


@pytest.mark.parametrize(
    ("versions", "window", "live"),
    [
        # an older version wholly covered by a newer one inside the window is not live there
        ([(2, None, None), (1, at(1), at(6))], (at(2), at(3)), [2]),
        # ... but it is where the newer one's window leaves a gap
        ([(2, at(3), None), (1, at(1), at(6))], (at(2), at(4)), [2, 1]),
        ([(2, at(3), None), (1, at(1), at(6))], (at(3), at(4)), [2]),
        # a version outside the window is never live in it
        ([(1, None, at(2))], (at(2), None), []),
        # two newer versions together covering the older one
        ([(3, at(4), None), (2, None, at(4)), (1, at(1), at(6))], (None, None), [3, 2]),
    ],
)
def test_the_versions_live_within_a_window(
    versions: list[tuple[int, datetime | None, datetime | None]],
    window: tuple[datetime | None, datetime | None],
    live: list[int],
) -> None:
    rows = [Row(7, number, start, end) for number, start, end in versions]

    assert [r.version for r in service._live_within(rows, window)] == live


def test_a_draft_of_a_missing_set_is_not_found(database_url: str) -> None:
    with pytest.raises(DomainError) as refused:
        run(database_url, lambda s: service.create_version(s, {"rule_set_id": 42}, ACTOR))

    assert [(e.path, e.code) for e in refused.value.errors] == [(("rule_set_id",), ErrorCode.NOT_FOUND)]
