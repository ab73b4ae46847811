"""Rule sets through GraphQL: create, draft, update, publish, retire; immutability of published
versions; document validation with every error on its path; live versions; lists."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import Engine, select

from api.relay import global_id
from engine.store.rules import RuleSetVersion
from tests.api.rules.arrange import (
    CREATE,
    PUBLISH,
    RETIRE,
    UPDATE,
    VERSION_CREATE,
    call,
    create,
    errors_of,
    pricing,
    publish,
    rule,
)
from tests.conftest import GraphQL, data_of

LIVE = """
query Live($at: DateTime) {
  ruleSets(first: 10) { edges { node { key liveVersion(at: $at) { version } } } }
}
"""

LIST = """
query List($where: RuleSetWhereInput, $sortBy: RuleSetOrder) {
  ruleSets(first: 10, where: $where, sortBy: $sortBy) { totalCount edges { node { key kind } } }
}
"""

VERSIONS = """
query Versions($where: RuleSetVersionWhereInput) {
  ruleSetVersions(first: 20, where: $where) { totalCount edges { node { version status ruleSet { key } } } }
}
"""


def rows(db: Engine) -> list[tuple[object, ...]]:
    with db.connect() as c:
        return [tuple(r) for r in c.execute(select(RuleSetVersion.__table__).order_by(RuleSetVersion.id))]


def test_a_rule_set_is_created_with_its_first_draft_and_the_validated_document(gql: GraphQL) -> None:
    rule_set = create(gql, "spring-sale", pricing(rule("ac-10")), description="春季促销")

    (draft,) = rule_set["versions"]
    assert (rule_set["key"], rule_set["kind"], rule_set["description"]) == ("spring-sale", "PRICING", "春季促销")
    assert rule_set["createdBy"].endswith("test-admin")
    assert (draft["version"], draft["status"], draft["rowVersion"]) == (1, "DRAFT", 1)
    stored = draft["document"]["rules"][0]
    assert (stored["action"], stored["stacking"], stored["combine"]) == (
        {"kind": "percent_off", "percent": "10"}, None, "additive"  # defaults filled in, Decimal as text
    )
    canonical = json.dumps(draft["document"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert draft["digest"] == hashlib.sha256(canonical.encode()).hexdigest()


def test_a_rule_set_without_a_document_starts_with_an_empty_one(gql: GraphQL) -> None:
    rule_set = create(gql, "empty")

    assert rule_set["versions"][0]["document"] == {"rules": []}


def test_a_duplicate_key_is_refused(gql: GraphQL) -> None:
    create(gql, "spring-sale")

    payload = call(gql, CREATE, input={"key": "spring-sale", "kind": "LOYALTY", "name": "again"})

    assert payload["ruleSet"] is None
    assert errors_of(payload) == {("input.key", "DUPLICATE")}


def test_a_draft_is_updated_and_its_digest_and_row_version_follow(gql: GraphQL) -> None:
    draft = create(gql, "spring-sale", pricing(rule("ac-10")))["versions"][0]

    payload = call(gql, UPDATE, id=draft["id"], input={
        "document": pricing(rule("ac-10", 15)), "validFrom": "2025-03-01T00:00:00+08:00", "note": "15%",
        "expectedVersion": 1,
    })

    changed = payload["ruleSetVersion"]
    assert payload["errors"] == []
    assert changed["document"]["rules"][0]["action"]["percent"] == "15"
    assert changed["digest"] != draft["digest"]
    assert (changed["validFrom"], changed["validTo"], changed["note"]) == ("2025-02-28T16:00:00+00:00", None, "15%")
    assert changed["rowVersion"] == 2


def test_the_full_flow_draft_publish_new_draft_retire(gql: GraphQL) -> None:
    # given a set whose first draft is published
    rule_set = create(gql, "spring-sale", pricing(rule("ac-10")))
    first = publish(gql, rule_set["versions"][0]["id"])

    # when a second draft is started from it, changed, published, and the first retired
    second = call(gql, VERSION_CREATE, input={"ruleSetId": rule_set["id"], "note": "v2"})["ruleSetVersion"]
    call(gql, UPDATE, id=second["id"], input={"document": pricing(rule("ac-20", 20))})
    second = publish(gql, second["id"])
    retired = call(gql, RETIRE, id=first["id"], input={"expectedVersion": first["rowVersion"]})["ruleSetVersion"]

    # then
    assert (first["status"], first["publishedAt"] is not None, first["publishedBy"].endswith("test-admin")) == (
        "PUBLISHED", True, True
    )
    assert (second["version"], second["status"], second["note"]) == (2, "PUBLISHED", "v2")
    assert second["document"]["rules"][0]["id"] == "ac-20"
    assert (retired["status"], retired["retiredAt"] is not None, retired["retiredBy"].endswith("test-admin")) == (
        "RETIRED", True, True
    )


def test_a_new_draft_copies_the_latest_versions_document_and_window(gql: GraphQL) -> None:
    rule_set = create(gql, "s", pricing(rule("a")), validFrom="2025-01-01T00:00:00Z", validTo="2026-01-01T00:00:00Z")

    payload = call(gql, VERSION_CREATE, input={"ruleSetId": rule_set["id"], "validTo": None})

    second, first = payload["ruleSetVersion"], rule_set["versions"][0]
    assert payload["errors"] == []
    assert (second["version"], second["status"], second["ruleSet"]) == (2, "DRAFT", {"key": "s"})
    assert (second["document"], second["digest"]) == (first["document"], first["digest"])
    assert (second["validFrom"], second["validTo"]) == ("2025-01-01T00:00:00+00:00", None)


def test_a_published_version_refuses_updates_and_nothing_changes(gql: GraphQL, db: Engine) -> None:
    version = publish(gql, create(gql, "s", pricing(rule("a")))["versions"][0]["id"])
    before = rows(db)

    payload = call(gql, UPDATE, id=version["id"], input={"document": pricing(rule("b")), "note": "sneaky"})

    assert payload["ruleSetVersion"] is None
    assert errors_of(payload) == {("id", "WRONG_STATUS")}
    assert rows(db) == before


@pytest.mark.parametrize(
    ("operation", "status_after"),
    [(PUBLISH, "PUBLISHED"), (RETIRE, "RETIRED")],
)
def test_a_wrong_transition_is_refused(gql: GraphQL, operation: str, status_after: str) -> None:
    draft = create(gql, "s")["versions"][0]
    version = publish(gql, draft["id"]) if operation is PUBLISH else draft

    payload = call(gql, operation, id=version["id"])  # publish twice; retire a draft

    assert errors_of(payload) == {("id", "INVALID_TRANSITION")}


def test_a_retired_version_cannot_be_published_again(gql: GraphQL) -> None:
    version = publish(gql, create(gql, "s")["versions"][0]["id"])
    call(gql, RETIRE, id=version["id"])

    payload = call(gql, PUBLISH, id=version["id"])

    assert errors_of(payload) == {("id", "INVALID_TRANSITION")}


def test_a_stale_expected_version_is_a_conflict(gql: GraphQL) -> None:
    draft = create(gql, "s")["versions"][0]
    call(gql, UPDATE, id=draft["id"], input={"note": "moved on"})

    payload = call(gql, PUBLISH, id=draft["id"], input={"expectedVersion": 1})

    assert errors_of(payload) == {("input.expectedVersion", "CONFLICT")}


def test_a_bad_document_reports_every_error_on_its_camel_case_path(gql: GraphQL) -> None:
    document = pricing(
        rule("ok"),
        rule("Bad Id"),  # not a slug
        {"id": "no-name", "stage": "promotion", "action": {"kind": "percent_off", "percent": 5}},  # name missing
        rule("too-much", 500),  # over 100%
        rule("no-kind", action={"percent": 5}),
        rule("zero-amount", action={"kind": "amount_off", "amount_fen": -1}),
        rule("bounds", action={"kind": "buy_get", "buy": 2, "get": 1, "minimum_quantity": 5, "maximum_quantity": 2}),
        rule("fraction", conditions=[{"fact": "quantity", "op": "in", "value": [1.5]}]),
    )

    payload = call(gql, CREATE, input={"key": "bad", "kind": "PRICING", "name": "bad", "document": document})

    assert payload["ruleSet"] is None
    assert errors_of(payload) == {
        ("input.document.rules.1.id", "INVALID"),
        ("input.document.rules.2.name", "REQUIRED"),
        ("input.document.rules.3.action.percent", "OUT_OF_RANGE"),
        ("input.document.rules.4.action", "INVALID"),  # no discriminator
        ("input.document.rules.5.action.amount_fen", "OUT_OF_RANGE"),
        ("input.document.rules.6.action", "INVALID"),  # a cross-field rule of the action
        # a scalar or a list of scalars: each branch's complaint, on the value and on the item
        ("input.document.rules.7.conditions.0.value", "INVALID"),
        ("input.document.rules.7.conditions.0.value.0", "INVALID"),
    }


def test_a_document_that_is_not_an_object_is_refused_on_the_document(gql: GraphQL) -> None:
    draft = create(gql, "s")["versions"][0]

    payload = call(gql, UPDATE, id=draft["id"], input={"document": {"rules": "all of them"}})

    assert errors_of(payload) == {("input.document.rules", "INVALID")}


def test_errors_of_the_document_and_the_window_come_together(gql: GraphQL, db: Engine) -> None:
    payload = call(gql, CREATE, input={
        "key": "s", "kind": "PRICING", "name": "s", "document": pricing(rule("a", 0)),
        "validFrom": "2025-03-01T00:00:00Z", "validTo": "2025-02-01T00:00:00Z",
    })

    assert errors_of(payload) == {("input.validTo", "INVALID"), ("input.document.rules.0.action.percent", "OUT_OF_RANGE")}
    assert rows(db) == []


def test_a_window_time_without_offset_is_refused(gql: GraphQL) -> None:
    payload = call(gql, CREATE, input={"key": "s", "kind": "PRICING", "name": "s", "validFrom": "2025-03-01T00:00:00"})

    assert errors_of(payload) == {("input.validFrom", "INVALID")}


def test_a_loyalty_document_is_validated_against_the_loyalty_model(gql: GraphQL) -> None:
    good = create(gql, "points", {"expiry_days": 365}, kind="LOYALTY")["versions"][0]["document"]

    payload = call(gql, CREATE, input={
        "key": "bad-points", "kind": "LOYALTY", "name": "x", "document": {"expiry_days": 0, "rules": []},
    })

    assert good["expiry_days"] == 365
    assert errors_of(payload) == {("input.document.expiry_days", "OUT_OF_RANGE"), ("input.document.rules", "INVALID")}


def test_live_version_is_the_highest_published_version_whose_window_contains_the_moment(gql: GraphQL) -> None:
    # given version 1 open-ended, and version 2 only for March; version 3 a draft
    rule_set = create(gql, "s", pricing(rule("a")), validFrom="2025-01-01T00:00:00Z")
    publish(gql, rule_set["versions"][0]["id"])
    second = call(gql, VERSION_CREATE, input={
        "ruleSetId": rule_set["id"], "validFrom": "2025-03-01T00:00:00Z", "validTo": "2025-04-01T00:00:00Z",
    })["ruleSetVersion"]
    publish(gql, second["id"])
    call(gql, VERSION_CREATE, input={"ruleSetId": rule_set["id"], "validFrom": None})

    def live(at: str) -> object:
        node = data_of(gql(LIVE, {"at": at}))["ruleSets"]["edges"][0]["node"]
        return node["liveVersion"] and node["liveVersion"]["version"]

    assert [live(at) for at in ("2024-12-31T23:59:59Z", "2025-02-01T00:00:00Z", "2025-03-15T00:00:00Z",
                                "2025-04-01T00:00:00Z")] == [None, 1, 2, 1]


def test_rule_sets_filter_and_sort(gql: GraphQL) -> None:
    for key, kind in (("b-price", "PRICING"), ("a-points", "LOYALTY"), ("c-price", "PRICING")):
        create(gql, key, kind=kind)

    pricing_sets = data_of(gql(LIST, {"where": {"kind": ["PRICING"]}, "sortBy": {"field": "KEY", "direction": "DESC"}}))
    containing = data_of(gql(LIST, {"where": {"keyContains": "price"}}))

    assert [e["node"]["key"] for e in pricing_sets["ruleSets"]["edges"]] == ["c-price", "b-price"]
    assert containing["ruleSets"]["totalCount"] == 2


def test_rule_set_versions_filter_by_set_and_status(gql: GraphQL) -> None:
    a = create(gql, "a")
    b = create(gql, "b")
    publish(gql, a["versions"][0]["id"])
    call(gql, VERSION_CREATE, input={"ruleSetId": a["id"]})

    published = data_of(gql(VERSIONS, {"where": {"status": ["PUBLISHED"]}}))["ruleSetVersions"]
    of_a = data_of(gql(VERSIONS, {"where": {"ruleSet": [a["id"]]}}))["ruleSetVersions"]
    of_b = data_of(gql(VERSIONS, {"where": {"ruleSetKey": "b"}}))["ruleSetVersions"]

    assert [e["node"] for e in published["edges"]] == [{"version": 1, "status": "PUBLISHED", "ruleSet": {"key": "a"}}]
    assert [e["node"]["version"] for e in of_a["edges"]] == [1, 2]
    assert of_b["totalCount"] == 1 and b["key"] == "b"


def test_an_unknown_rule_set_is_not_found(gql: GraphQL) -> None:
    payload = call(gql, VERSION_CREATE, input={"ruleSetId": global_id("RuleSet", 999)})

    assert errors_of(payload) == {("input.ruleSetId", "NOT_FOUND")}


PAGE = """
query Page($first: Int!) {
  ruleSets(first: $first) { edges { node { key versions { version ruleSet { key } } liveVersion { version } } } }
}
"""


def test_a_page_of_rule_sets_with_their_versions_costs_the_same_statements_for_2_and_12_sets(
    gql: GraphQL, statements: list[str]
) -> None:
    for i in range(12):
        rule_set = create(gql, f"set-{i:02}")
        publish(gql, rule_set["versions"][0]["id"])
        call(gql, VERSION_CREATE, input={"ruleSetId": rule_set["id"]})

    def cost(first: int) -> tuple[int, list[dict[str, object]]]:
        statements.clear()
        edges = data_of(gql(PAGE, {"first": first}))["ruleSets"]["edges"]
        return len(statements), edges

    small_count, small = cost(2)
    large_count, large = cost(12)

    assert len(small) == 2 and len(large) == 12
    assert large[11]["node"] == {
        "key": "set-11",
        "versions": [{"version": 1, "ruleSet": {"key": "set-11"}}, {"version": 2, "ruleSet": {"key": "set-11"}}],
        "liveVersion": {"version": 1},
    }
    assert small_count == large_count
