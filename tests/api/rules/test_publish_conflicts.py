"""Publishing against the other live sets of its kind: equal-priority pricing conflicts and a
second loyalty programme are refused with CONFLICT; windows that do not meet are not."""

from __future__ import annotations

from tests.api.rules.arrange import (
    CREATE,
    PUBLISH,
    RETIRE,
    VERSION_CREATE,
    call,
    create,
    errors_of,
    pricing,
    publish,
    rule,
)
from tests.conftest import GraphQL

JANUARY = {"validFrom": "2025-01-01T00:00:00Z", "validTo": "2025-02-01T00:00:00Z"}
FEBRUARY = {"validFrom": "2025-02-01T00:00:00Z", "validTo": "2025-03-01T00:00:00Z"}


def loyalty(gql: GraphQL, key: str, **window: str) -> str:
    rule_set = create(gql, key, {"expiry_days": 365}, kind="LOYALTY", **window)
    return rule_set["versions"][0]["id"]  # type: ignore[no-any-return]


def test_a_second_loyalty_programme_live_at_the_same_time_is_refused(gql: GraphQL) -> None:
    publish(gql, loyalty(gql, "points", **JANUARY))
    overlapping = loyalty(gql, "more-points", validFrom="2025-01-31T00:00:00Z")

    payload = call(gql, PUBLISH, id=overlapping)

    assert payload["ruleSetVersion"] is None
    assert errors_of(payload) == {("id", "CONFLICT")}
    assert "points" in payload["errors"][0]["message"]


def test_loyalty_programmes_one_after_the_other_are_published(gql: GraphQL) -> None:
    publish(gql, loyalty(gql, "points", **JANUARY))

    assert publish(gql, loyalty(gql, "more-points", **FEBRUARY))["status"] == "PUBLISHED"


def test_a_retired_programme_no_longer_stands_in_the_way(gql: GraphQL) -> None:
    first = publish(gql, loyalty(gql, "points"))
    call(gql, RETIRE, id=first["id"])

    assert publish(gql, loyalty(gql, "more-points"))["status"] == "PUBLISHED"


def exclusive(rule_id: str, priority: int) -> dict[str, object]:
    return rule(rule_id, 10, stage="promotion", priority=priority, stacking="exclusive")


def test_equal_priority_conflicting_rules_of_two_sets_refuse_the_second_publication(gql: GraphQL) -> None:
    publish(gql, create(gql, "spring", pricing(exclusive("ac-10", 5)))["versions"][0]["id"])
    second = create(gql, "members-week", pricing(exclusive("ac-12", 5)))["versions"][0]["id"]

    payload = call(gql, PUBLISH, id=second)

    assert payload["ruleSetVersion"] is None
    assert {code for _, code in errors_of(payload)} == {"CONFLICT"}


def test_rules_of_two_sets_whose_windows_do_not_meet_do_not_conflict(gql: GraphQL) -> None:
    publish(gql, create(gql, "spring", pricing(exclusive("ac-10", 5)), **JANUARY)["versions"][0]["id"])
    second = create(gql, "members-week", pricing(exclusive("ac-12", 5)), **FEBRUARY)["versions"][0]["id"]

    assert publish(gql, second)["status"] == "PUBLISHED"


def test_different_priorities_do_not_conflict(gql: GraphQL) -> None:
    publish(gql, create(gql, "spring", pricing(exclusive("ac-10", 5)))["versions"][0]["id"])
    second = create(gql, "members-week", pricing(exclusive("ac-12", 6)))["versions"][0]["id"]

    assert publish(gql, second)["status"] == "PUBLISHED"


def test_the_conflict_names_both_rules(gql: GraphQL) -> None:
    publish(gql, create(gql, "spring", pricing(exclusive("ac-10", 5)))["versions"][0]["id"])
    second = create(gql, "members-week", pricing(exclusive("ac-12", 5)))["versions"][0]["id"]

    (error,) = call(gql, PUBLISH, id=second)["errors"]

    assert "members-week/ac-12" in error["message"] and "spring/ac-10" in error["message"]


def test_conflicting_rules_within_one_document_refuse_its_publication(gql: GraphQL) -> None:
    draft = create(gql, "spring", pricing(exclusive("ac-10", 5), exclusive("ac-12", 5)))["versions"][0]["id"]

    assert errors_of(call(gql, PUBLISH, id=draft)) == {("id", "CONFLICT")}


def test_two_other_sets_conflicting_at_different_moments_do_not_block_a_third(gql: GraphQL) -> None:
    # given two sets with rules that would fight, live one after the other
    publish(gql, create(gql, "january", pricing(exclusive("jan", 5)), **JANUARY)["versions"][0]["id"])
    publish(gql, create(gql, "february", pricing(exclusive("feb", 5)), **FEBRUARY)["versions"][0]["id"])

    # when a set spanning both months, with a rule that fights neither, is published
    both = create(
        gql, "winter", pricing(exclusive("winter", 6)), validFrom=JANUARY["validFrom"], validTo=FEBRUARY["validTo"]
    )

    # then
    assert publish(gql, both["versions"][0]["id"])["status"] == "PUBLISHED"


def test_a_superseded_version_of_another_set_does_not_count(gql: GraphQL) -> None:
    # given set "spring" whose version 2 (priority 7) replaces version 1 (priority 5) everywhere
    spring = create(gql, "spring", pricing(exclusive("ac-10", 5)))
    publish(gql, spring["versions"][0]["id"])
    second = call(gql, VERSION_CREATE, input={"ruleSetId": spring["id"], "document": pricing(exclusive("ac-10", 7))})
    publish(gql, second["ruleSetVersion"]["id"])

    # then a rule of priority 5 elsewhere fights nothing live
    other = create(gql, "members-week", pricing(exclusive("ac-12", 5)))["versions"][0]["id"]
    assert publish(gql, other)["status"] == "PUBLISHED"


def test_the_pricing_checks_of_the_domain_apply_to_drafts(gql: GraphQL) -> None:
    document = pricing(
        rule("tier", 10, stage="tier"),  # percent_off is not a tier action
        rule("tier", 90, stage="tier", action={"kind": "percent_of_list", "percent": 90}),
    )

    payload = call(gql, CREATE, input={"key": "tiers", "kind": "PRICING", "name": "t", "document": document})

    assert errors_of(payload) == {
        ("input.document.rules.0.action.kind", "INVALID"),
        ("input.document.rules.1.id", "DUPLICATE"),
    }
