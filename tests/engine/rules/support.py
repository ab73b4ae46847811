"""Small schemas, rules and a plain durable Host for the rules tests."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import durable.engine

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
