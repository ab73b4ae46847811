"""Facts against a compiled rule set on durable-rules: which rules matched which facts, and
which were near misses (in scope, short of a threshold).

The facts go in as one batch of durable *facts* (an event is consumed by the first rule that
fires; a fact lets every rule fire), and the actions are drained through the C module
directly: one action per rule carries every fact it matched (the rules' `cap`), and no Python
closure is built per match, which keeps a 20-line quote against 500 rules at about a millisecond.

Each ruleset handle (one per thread, engine.rules.host) keeps one session that every evaluation
reuses: the facts are retracted once their actions are drained, which leaves the session empty.
Creating a session allocates state for every node of the ruleset: a 20-line quote's facts took
about 790 µs to assert into a new session of the 500-rule benchmark's promotions and 70 µs to
delete it, against 200 µs into the live session and 70 µs to retract them (measured). A session
is deleted only when an evaluation fails half-way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import durable_rules_engine

from engine.rules.compiler import MARKER_RULE, MARKER_TYPE, CompiledRuleSet
from engine.rules.facts import normalise, plan_for
from engine.rules.host import handles_for, retire
from engine.rules.layout import BUCKET_SUFFIX
from schemas.rules import FactKind

# Result codes of the C module's assert calls that carry a usable state: OK, "not handled"
# (the batch's last fact matched nothing, although others may have) and "observed" (a fact
# identical to one already asserted was ignored). durable's Python Ruleset raises for the last
# two and drops the state handle; the adapter calls the C module to keep it.
_ACCEPTED = frozenset({0, 1, 2})

# The one session of each handle: a handle belongs to one thread's Host, so a constant is unique.
SESSION = "quote"


@dataclass(frozen=True)
class Evaluation:
    """Per rule id, the sorted indices of the facts it matched, and of its near misses (scope
    probe matched, full rule did not). Rules with neither are absent."""

    matched: dict[str, tuple[int, ...]]
    near_misses: dict[str, tuple[int, ...]]


def evaluate(compiled: CompiledRuleSet, facts: Sequence[Mapping[str, Any]]) -> Evaluation:
    """Evaluate facts (plain dicts of the schema's fields; missing ones take their defaults)."""
    payload, sources = _payload(compiled, facts, SESSION)
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
            _collect(compiled, handle, state, started[1], sources, hits)
        except BaseException:
            # Actions may be left pending: start the next evaluation on a fresh session (an
            # action has run, so deleting this one is safe).
            durable_rules_engine.delete_state(handle, SESSION)
            raise
        try:
            durable_rules_engine.retract_facts(handle, payload)
        except BaseException:
            retire()  # the session may still hold facts: never use this Host again
            raise
    return _evaluation(compiled, hits, len(facts))


def _payload(
    compiled: CompiledRuleSet, facts: Sequence[Mapping[str, Any]], sid: str
) -> tuple[str, list[list[int]] | None]:
    """The facts as the JSON batch durable is sent, and for each fact sent the indices of the
    facts it stands for (None: each for itself). Facts alike on every field the rules test are
    sent once: durable's cost is per fact, and the lines of a quote mostly look alike to the
    tier and member rules (which test the buyer, not the product)."""
    plan = plan_for(compiled.schema, compiled.fields)
    # Where the row's list values sit in its key (after "i"): a key holds them as tuples.
    list_at = [1 + k for k, (_, kind) in enumerate(plan) if kind is FactKind.TEXT_LIST]
    empty_list = [compiled.empty_list_item]
    buckets = [(fact, fact + BUCKET_SUFFIX, index) for fact, index in compiled.indexes.items()]
    rows: list[dict[str, Any]] = [{"i": -1, "sid": sid, "t": MARKER_TYPE}]
    lists: dict[int, list[str]] = {}
    sent: dict[tuple[Any, ...], int] = {}  # a fact's values -> its index in the batch
    sources: list[list[int]] = []
    fact_type = compiled.fact_type
    for i, fact in enumerate(facts):
        # "i" first: _collect finds it right after `"m":{` in durable's action messages.
        row = normalise(fact, plan, i, empty_list, lists, into={"i": None})
        values = list(row.values())
        for k in list_at:
            values[k] = tuple(values[k])
        key = tuple(values)  # equal values are the same JSON: normalise holds each field to its kind
        at = sent.get(key)
        if at is not None:
            sources[at].append(i)
            continue
        row["i"] = sent[key] = len(sources)
        sources.append([i])
        for name, bucket, index in buckets:
            row[bucket] = index.get(row[name], -1)  # a value no rule leads with: no bucket
        row["sid"], row["t"] = sid, fact_type
        rows.append(row)
    return _encode(rows), None if len(sources) == len(facts) else sources


# ensure_ascii=False as durable's own Ruleset serialises the rules: durable compares strings
# as JSON text, so "空调" in a rule never equals "\u7a7a\u8c03" in a fact. The rows are built
# above and hold no cycles: skipping the check saves a tenth of the encoding.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


# An action message is {"<durable rule>":[{"m":<fact as sent>},…]}; each fact's text starts with
# {"i":<index>, and `"m":{"i":` cannot occur inside a JSON string (its quotes are escaped), so
# the indices are read without parsing the facts (json.loads of every frame doubles the cost).
_INDEX = re.compile(r'"m":\{"i":(-?\d+)')


def _collect(
    compiled: CompiledRuleSet, handle: int, state: int, message: str, sources: list[list[int]] | None,
    hits: dict[str, list[int]],
) -> None:
    """Drain every pending action of this state into {durable rule name: fact indices} (the
    indices of the facts given, through `sources` when alike facts were sent once)."""
    while message:
        name = message[2 : message.index('"', 2)]
        if name != MARKER_RULE:
            if name not in compiled.reports:
                raise RuntimeError(f"durable-rules fired `{name}`, not a rule of {compiled.name}")
            found = hits.setdefault(name, [])
            sent = map(int, _INDEX.findall(message))
            if sources is None:
                found.extend(sent)
            else:
                for at in sent:
                    found.extend(sources[at])
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
