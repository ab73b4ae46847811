"""Demo consent: every member's current marketing consent comes from a recorded choice."""

from __future__ import annotations

from engine.demo.generate import DemoData


def test_each_demo_member_has_one_signup_event_that_matches_its_consent(small: DemoData) -> None:
    events = {e["member_id"]: e for e in small.tables["consent_events"]}

    assert len(events) == len(small.tables["consent_events"]) == len(small.tables["members"])
    for member in small.tables["members"]:
        event = events[member["id"]]
        assert (event["granted"], event["source"]) == (member["marketing_consent"], "signup")
        assert event["at"] == member["consent_updated_at"] == member["created_at"]
    assert 0 < sum(m["marketing_consent"] for m in small.tables["members"]) < len(small.tables["members"])
