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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import is_, itemgetter
from typing import Any

import durable_rules_engine

from engine.rules.compiler import MARKER_RULE, MARKER_TYPE, CompiledRuleSet
from engine.rules.facts import INT_MAX, INT_MIN, normalise
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
    full: dict[str, list[int]] = {}  # rule id -> the facts its durable rules matched
    scopes: dict[str, list[int]] = {}  # rule id -> the facts its scope probe matched
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
            _collect(compiled, handle, state, started[1], sources, full, scopes)
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
    return _evaluation(compiled, full, scopes, len(facts))


def _payload(
    compiled: CompiledRuleSet, facts: Sequence[Mapping[str, Any]], sid: str
) -> tuple[str, list[list[int]] | None]:
    """The facts as the JSON batch durable is sent, and for each fact sent the indices of the
    facts it stands for (None: each for itself). Facts alike on every field the rules test are
    sent once: durable's cost is per fact, and the lines of a quote mostly look alike to the
    tier and member rules (which test the buyer, not the product)."""
    # Field by field (the lines of a quote share their order's values and lists), each value
    # as a key for comparing facts and as its JSON text.
    keys, texts = _columns(compiled, facts)
    template, marker, indexed = _row_format(compiled, sid)
    buckets = [[index.get(value, -1) for value in keys[at]]  # -1: a value no rule leads with
               for at, index in indexed]
    rows: list[str] = [marker]
    sent: dict[tuple[Any, ...], int] = {}  # a fact's values -> its index in the batch
    sources: list[list[int]] = []
    count = len(facts)  # (a rule set may test no field at all: every row is then empty)
    rows_of = zip(zip(*keys) if keys else repeat((), count), zip(*texts) if texts else repeat((), count),
                  zip(*buckets) if buckets else repeat(()))
    for i, (key, text, bucket) in enumerate(rows_of):
        at = sent.get(key)
        if at is not None:
            sources[at].append(i)
            continue
        # "i" first: _collect finds it right after `"m":{` in durable's action messages.
        sent[key] = len(sources)
        rows.append(template % (len(sources), *text, *bucket))
        sources.append([i])
    return f"[{','.join(rows)}]", None if len(sources) == len(facts) else sources


def _row_format(compiled: CompiledRuleSet, sid: str) -> tuple[str, str, list[tuple[int, dict[Any, int]]]]:
    """For the rule set's facts in session `sid`: the template each fact is written through
    (the text `_encode` writes for the same row as a dict, key for key:
    tests/engine/rules/test_evaluate.py), the marker fact's row, and per bucket index the
    position of its fact in the plan. Worked out once per rule set and session."""
    key = (compiled.name, sid)
    found = _formats.get(key)
    if found is None:
        template = "".join([
            '{"i":%d',
            *(f",{_encode_text(name)}:%s" for name, _ in compiled.plan),
            *(f",{_encode_text(fact + BUCKET_SUFFIX)}:%d" for fact in compiled.indexes),
            f',"sid":{_encode_text(sid)},"t":{_encode_text(compiled.fact_type)}}}'.replace("%", "%%"),
        ])
        names = [name for name, _ in compiled.plan]
        indexed = [(names.index(fact), index) for fact, index in compiled.indexes.items()]
        found = (template, _encode({"i": -1, "sid": sid, "t": MARKER_TYPE}), indexed)
        if len(_formats) >= _FORMATS_KEPT:
            _formats.clear()  # rule sets come and go with publications: start over now and then
        _formats[key] = found
    return found


# (rule set name, which addresses its content, and session) -> `_row_format`'s answer.
_formats: dict[tuple[str, str], tuple[str, str, list[tuple[int, dict[Any, int]]]]] = {}
_FORMATS_KEPT = 1024


def _columns(compiled: CompiledRuleSet, facts: Sequence[Mapping[str, Any]]
             ) -> tuple[list[Sequence[Any]], list[list[str]]]:
    """Per planned field, every fact's value (a list as a tuple: a key) and its JSON text.
    Values of their kind's exact type (ints within 64 bits, lists already checked) are taken
    as they are; if any is not, every fact goes through `normalise` in turn, which fills in
    defaults and refuses what does not fit, as it always did."""
    plan = compiled.plan
    empty_list = [compiled.empty_list_item]
    gets = [fact.get for fact in facts]
    lists: dict[int, list[str]] = {}  # normalise's: id of a list value -> the list as sent
    known: dict[int, tuple[tuple[str, ...], str]] = {}  # id of a list value -> (as a key, its JSON)
    keys: list[Sequence[Any]] = []
    texts: list[list[str]] = []
    columns: Iterable[Sequence[Any]]
    # Plain dicts (not a defaultdict, which would add what it lacks) that hold every field, as
    # pricing's do: the columns read in C.
    if len(plan) > 1 and all(map(is_, map(type, facts), repeat(dict))):
        try:
            columns = zip(*map(itemgetter(*[name for name, _ in plan]), facts), strict=True)
            columns = list(columns) if facts else [() for _ in plan]
        except (KeyError, TypeError):
            columns = ([get(name) for get in gets] for name, _ in plan)
    else:
        columns = ([get(name) for get in gets] for name, _ in plan)
    for (name, kind), column in zip(plan, columns):
        if kind is FactKind.TEXT_LIST:
            listed = _lists(column, known, empty_list)
            if listed is None:
                break
            keys.append([key for key, _ in listed])
            texts.append([text for _, text in listed])
            continue
        exact = _EXACT[kind]
        if not all(map(is_, map(type, column), repeat(exact))):
            break
        if kind is FactKind.INT and column and not (INT_MIN <= min(column) and max(column) <= INT_MAX):
            break
        keys.append(column)
        if column and column.count(column[0]) == len(column):  # the order's own fields, on every line fact: encoded once
            texts.append([_SCALAR_JSON[kind](column[0])] * len(column))
        else:
            texts.append(list(map(_SCALAR_JSON[kind], column)))
    else:
        return keys, texts
    # The first fact with a list not seen yet, or a value of another type: row by row, as given.
    rows = [list(normalise(fact, plan, i, empty_list, lists).values()) for i, fact in enumerate(facts)]
    keys, texts = [], []
    for k, (name, kind) in enumerate(plan):
        column = [row[k] for row in rows]
        if kind is FactKind.TEXT_LIST:
            for i, value in enumerate(column):
                original = gets[i](name)
                seen = known.get(id(original)) if original is not None else None
                if seen is None:
                    seen = (tuple(value), _encode(value))
                    if original is not None:
                        known[id(original)] = seen
                column[i] = seen  # type: ignore[call-overload]
            keys.append([key for key, _ in column])
            texts.append([text for _, text in column])
        else:
            keys.append(column)
            texts.append(list(map(_SCALAR_JSON[kind], column)))
    return keys, texts


def _lists(column: Sequence[Any], known: dict[int, tuple[tuple[str, ...], str]], empty_list: list[str]
           ) -> list[tuple[tuple[str, ...], str]] | None:
    """(key, JSON) of each list value, or None if one is not a list of str (normalise decides)."""
    listed = []
    for value in column:
        seen = known.get(id(value))
        if seen is None:
            if type(value) is not list or not all(map(is_, map(type, value), repeat(str))):
                return None
            as_sent = value or empty_list
            seen = known[id(value)] = (tuple(as_sent), _encode(as_sent))
        listed.append(seen)
    return listed


_EXACT: dict[FactKind, type] = {FactKind.TEXT: str, FactKind.INT: int, FactKind.BOOL: bool}


# ensure_ascii=False as durable's own Ruleset serialises the rules: durable compares strings
# as JSON text, so "空调" in a rule never equals "\u7a7a\u8c03" in a fact. The rows are built
# above and hold no cycles: skipping the check saves a tenth of the encoding.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
_encode_text = json.encoder.encode_basestring  # a str as `_encode` writes it (ensure_ascii=False)
# A scalar of each kind as `_encode` writes it (an int or str enum member as its value).
_SCALAR_JSON: dict[FactKind, Any] = {
    FactKind.TEXT: _encode_text,
    FactKind.INT: int.__repr__,
    FactKind.BOOL: {True: "true", False: "false"}.__getitem__,
}


# An action message is {"<durable rule>":[{"m":<fact as sent>},…]}; each fact's text starts with
# {"i":<index>, and `"m":{"i":` cannot occur inside a JSON string (its quotes are escaped), so
# the indices are read without parsing the facts (json.loads of every frame doubles the cost).
_INDEX = re.compile(r'"m":\{"i":(-?\d+)')


def _collect(
    compiled: CompiledRuleSet, handle: int, state: int, message: str, sources: list[list[int]] | None,
    full: dict[str, list[int]], scopes: dict[str, list[int]],
) -> None:
    """Drain every pending action of this state into the facts each rule (`full`) and each
    scope probe (`scopes`) matched, by rule id (the indices of the facts given, through
    `sources` when alike facts were sent once). A rule may stand on several durable rules (one
    per bucket of its lead), and one durable rule for several rules (identical conditions)."""
    reports = compiled.reports
    findall = _INDEX.findall
    while message:
        name = message[2 : message.index('"', 2)]
        owners = reports.get(name)
        if owners is None:
            if name != MARKER_RULE:
                raise RuntimeError(f"durable-rules fired `{name}`, not a rule of {compiled.name}")
        else:
            indices = list(map(int, findall(message)))
            if sources is not None:
                indices = [i for at in indices for i in sources[at]]
            for rule_id, probe in owners:
                found = (scopes if probe else full).get(rule_id)
                if found is None:
                    (scopes if probe else full)[rule_id] = indices.copy()
                else:
                    found.extend(indices)
        message = durable_rules_engine.complete_and_start_action(handle, state)


def _evaluation(compiled: CompiledRuleSet, full: dict[str, list[int]], scopes: dict[str, list[int]],
                count: int) -> Evaluation:
    # A fact reaches a rule through one durable rule at most (the pieces of a bucketed lead
    # exclude one another), but two rules may share one: sort, and drop repeats.
    matched = {rule_id: (indices[0],) if len(indices) == 1 else tuple(sorted(set(indices)))
               for rule_id, indices in full.items()}
    near_misses: dict[str, tuple[int, ...]] = {}
    for rule_id, indices in scopes.items():
        missed = set(indices).difference(matched.get(rule_id, ()))
        if missed:
            near_misses[rule_id] = tuple(sorted(missed))
    if count:
        every = tuple(range(count))
        for rule_id in compiled.whole_scope:  # every fact is in scope
            hit = matched.get(rule_id)
            if hit is None:
                near_misses[rule_id] = every
            elif len(hit) < count:
                taken = set(hit)  # once: a set built per fact made this quadratic in the facts
                near_misses[rule_id] = tuple(i for i in every if i not in taken)
    return Evaluation(matched, near_misses)
