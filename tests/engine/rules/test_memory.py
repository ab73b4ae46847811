"""Evaluations leave nothing behind: states deleted, no Python objects or C buffers kept."""

from __future__ import annotations

import os

from engine.rules import compile_rules, evaluate
from tests.engine.rules.support import SCHEMA, cond, rule

PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def test_50_000_evaluations_keep_memory_flat_after_warm_up() -> None:
    rules = [
        rule("bulk", cond("model", "in", ["AC", "TV"]), cond("quantity", "gte", 3)),
        rule("vip", cond("tags", "has_any", ["vip", "gold"]), cond("channel", "ne", "online")),
        rule("plain", cond("tags", "has_none", ["staff"])),
    ]
    compiled = compile_rules("line", SCHEMA, rules)
    facts = [
        {"model": "AC", "quantity": 4, "tags": ["vip"], "channel": "agent"},
        {"model": "TV", "quantity": 1, "tags": []},
        {"model": "WM", "quantity": 9, "tags": ["staff", "gold"]},
    ]
    for _ in range(5_000):
        evaluate(compiled, facts)
    before = resident_bytes()
    for _ in range(50_000):
        result = evaluate(compiled, facts)
    grown = resident_bytes() - before
    assert result.matched == {"bulk": (0,), "vip": (0, 2), "plain": (0, 1)}
    assert grown < 3 * 2**20, f"resident memory grew by {grown / 2**20:.1f} MB"
