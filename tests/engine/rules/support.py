"""Small schemas, rules and a plain durable Host for the rules tests."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import durable.engine
import durable_rules_engine

from schemas.rules import Condition, FactField, FactKind, FactSchema, Op, RuleSpec

SCHEMA: FactSchema = {
    "model": FactField(kind=FactKind.TEXT),
    "category": FactField(kind=FactKind.TEXT),
    "channel": FactField(kind=FactKind.TEXT),
    "member": FactField(kind=FactKind.BOOL),
    "tags": FactField(kind=FactKind.TEXT_LIST),
    "quantity": FactField(kind=FactKind.INT, threshold=True),
    "amount": FactField(kind=FactKind.INT, threshold=True),
    "coupons": FactField(kind=FactKind.TEXT_LIST, threshold=True),
}


def cond(fact: str, op: Op | str, value: Any) -> Condition:
    return Condition(fact=fact, op=Op(op), value=value)


def rule(rule_id: str, *conditions: Condition) -> RuleSpec:
    return RuleSpec(rule_id=rule_id, conditions=conditions)


class PlainHost(durable.engine.Host):
    """durable's own Host minus its two background timer threads, so that raw-durable tests
    are deterministic (the timers would dispatch pending actions every 0.2 s)."""

    def _run(self) -> None:
        return


def run_python(code: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run a script in a fresh interpreter (for crashes and hangs that would take pytest down)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout,
        cwd=Path(__file__).resolve().parents[3],
    )


def raw_matches(rules: dict[str, Any], facts: list[dict[str, Any]], *, ensure_ascii: bool = False) -> list[tuple[str, int]]:
    """(rule, fact index) pairs straight from durable's C module, for rules {name: test} over
    facts of type "x". A marker rule always fires, so the state may be deleted safely."""
    definition = {name: {"all": [{"m": {"$and": [{"t": "x"}, test]}}], "cap": 1000} for name, test in rules.items()}
    definition["~"] = {"all": [{"m": {"t": "~"}}]}
    handle = durable_rules_engine.create_ruleset(f"raw-{next(_RAW)}", json.dumps(definition, ensure_ascii=False))
    rows = [{"i": -1, "sid": "1", "t": "~"}] + [{**f, "i": i, "sid": "1", "t": "x"} for i, f in enumerate(facts)]
    _code, state = durable_rules_engine.assert_facts(handle, json.dumps(rows, ensure_ascii=ensure_ascii))
    found: list[tuple[str, int]] = []
    message = durable_rules_engine.start_action_for_state(handle, state)[1]
    while message:
        for name, frames in json.loads(message).items():
            found += [(name, frame["m"]["i"]) for frame in frames if name != "~"]
        message = durable_rules_engine.complete_and_start_action(handle, state)
    durable_rules_engine.delete_state(handle, "1")
    return sorted(found)


_RAW = itertools.count()
