"""Facts against a compiled rule set on durable-rules: which rules matched which facts, and
which were near misses (in scope, short of a threshold).

The facts go in as one batch of durable *facts* (an event is consumed by the first rule that
fires; a fact lets every rule fire), and the actions are drained through the C module
directly: one action per rule carries every fact it matched (the rules' `cap`), and no Python
closure is built per match, which keeps a 20-line quote against 500 rules at about a millisecond.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import durable_rules_engine

from engine.rules.compiler import MARKER_RULE, MARKER_TYPE, CompiledRuleSet
from engine.rules.facts import normalise, plan_for
from engine.rules.host import handles_for, retire
from engine.rules.layout import BUCKET_SUFFIX

# Result codes of the C module's assert calls that carry a usable state: OK, "not handled"
# (the batch's last fact matched nothing, although others may have) and "observed" (a fact
# identical to one already asserted was ignored). durable's Python Ruleset raises for the last
# two and drops the state handle; the adapter calls the C module to keep it.
_ACCEPTED = frozenset({0, 1, 2})

_SIDS = itertools.count()


@dataclass(frozen=True)
class Evaluation:
    """Per rule id, the sorted indices of the facts it matched, and of its near misses (scope
    probe matched, full rule did not). Rules with neither are absent."""

    matched: dict[str, tuple[int, ...]]
    near_misses: dict[str, tuple[int, ...]]


def evaluate(compiled: CompiledRuleSet, facts: Sequence[Mapping[str, Any]]) -> Evaluation:
    """Evaluate facts (plain dicts of the schema's fields; missing ones take their defaults)."""
    sid = f"{threading.get_ident()}-{next(_SIDS)}"
    payload = _payload(compiled, facts, sid)
    hits: dict[str, list[int]] = {}
    for handle in handles_for(compiled):
        try:
            code, state = durable_rules_engine.assert_facts(handle, payload)
            started = None
            if code in _ACCEPTED:
                started = durable_rules_engine.start_action_for_state(handle, state)
            if not started:
                raise RuntimeError(f"durable-rules returned {code} and no action for {compiled.name}")
        except BaseException:
            # The state may exist with no action ever started, and deleting such a state frees
            # uninitialised pointers inside durable-rules (a crash): leave it, and retire the
            # Host so that the ruleset is never used again.
            retire()
            raise
        try:
            _collect(compiled, handle, state, started[1], hits)
        finally:
            # durable keeps at most 1,024 live states per ruleset; every evaluation deletes its own.
            durable_rules_engine.delete_state(handle, sid)
    return _evaluation(compiled, hits, len(facts))


def _payload(compiled: CompiledRuleSet, facts: Sequence[Mapping[str, Any]], sid: str) -> str:
    plan = plan_for(compiled.schema, compiled.fields)
    empty_list = [compiled.empty_list_item]
    buckets = [(fact, fact + BUCKET_SUFFIX, index) for fact, index in compiled.indexes.items()]
    rows: list[dict[str, Any]] = [{"i": -1, "sid": sid, "t": MARKER_TYPE}]
    lists: dict[int, list[str]] = {}
    for i, fact in enumerate(facts):
        # "i" first: _collect finds it right after `"m":{` in durable's action messages.
        row: dict[str, Any] = {"i": i}
        row.update(normalise(fact, plan, i, empty_list, lists))
        for name, bucket, index in buckets:
            row[bucket] = index.get(row[name], -1)  # a value no rule leads with: no bucket
        row["sid"], row["t"] = sid, compiled.fact_type
        rows.append(row)
    # ensure_ascii=False as durable's own Ruleset serialises the rules: durable compares strings
    # as JSON text, so "空调" in a rule never equals "\u7a7a\u8c03" in a fact.
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


# An action message is {"<durable rule>":[{"m":<fact as sent>},…]}; each fact's text starts with
# {"i":<index>, and `"m":{"i":` cannot occur inside a JSON string (its quotes are escaped), so
# the indices are read without parsing the facts (json.loads of every frame doubles the cost).
_INDEX = re.compile(r'"m":\{"i":(-?\d+)')


def _collect(
    compiled: CompiledRuleSet, handle: int, state: int, message: str, hits: dict[str, list[int]]
) -> None:
    """Drain every pending action of this state into {durable rule name: fact indices}."""
    while message:
        name = message[2 : message.index('"', 2)]
        if name != MARKER_RULE:
            if name not in compiled.reports:
                raise RuntimeError(f"durable-rules fired `{name}`, not a rule of {compiled.name}")
            hits.setdefault(name, []).extend(map(int, _INDEX.findall(message)))
        message = durable_rules_engine.complete_and_start_action(handle, state)


def _evaluation(compiled: CompiledRuleSet, hits: dict[str, list[int]], count: int) -> Evaluation:
    # A rule may stand on several durable rules (one per bucket of its lead), and one durable
    # rule for several rules (identical conditions): gather by rule id.
    full: dict[str, set[int]] = {}
    scopes: dict[str, set[int]] = {rule_id: set(range(count)) for rule_id in compiled.whole_scope}
    for name, indices in hits.items():
        for rule_id, probe in compiled.reports[name]:
            (scopes if probe else full).setdefault(rule_id, set()).update(indices)
    matched = {rule_id: tuple(sorted(indices)) for rule_id, indices in full.items()}
    near_misses: dict[str, tuple[int, ...]] = {}
    for rule_id, indices in scopes.items():
        missed = indices.difference(full.get(rule_id, ()))
        if missed:
            near_misses[rule_id] = tuple(sorted(missed))
    return Evaluation(matched, near_misses)
