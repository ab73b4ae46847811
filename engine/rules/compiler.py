"""Rule specs to durable-rules JSON rulesets, once per rule-set version.

Each rule becomes a durable rule named by its id, matching facts of one type; a rule with a
threshold condition also gets a scope probe (`<id>~scope`: the rule without its thresholds), so
an evaluation can tell "in scope but short of a threshold" (a near miss) from "not concerned".
The rule set's name is content-addressed: durable-rules cannot replace or remove a registered
ruleset, so a changed rule set must be a new name, and the same rule set is the same name.

Two limits of durable-rules shape the output (both pinned in tests/engine/rules):
- its alpha network walks each fact with a fixed stack of 64 entries: a fact alive in more than
  64 rule paths at once is refused (error 303). Paths that start with equality tests on one
  field cannot be alive together for different values, so each rule leads with its most
  selective equality test, and the rules are packed into shards whose worst case stays below
  the limit (`_Shard`); each shard is its own durable ruleset.
- each action costs tens of microseconds, so identical durable rules are compiled once and a
  probe that is only the type test is not compiled at all (every fact is in its scope).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.errors import DomainError, FieldError
from engine.rules.facts import RESERVED_FIELDS
from engine.rules.validate import check_conditions
from schemas.errors import ErrorCode
from schemas.rules import MEMBERSHIP_OPS, Condition, FactSchema, Op, RuleSpec, canonical

# Bump when the compiled form changes for the same input, so old and new never share a name.
COMPILER_VERSION = 2

SCOPE_SUFFIX = "~scope"
# Every evaluation also asserts one marker fact matched by this rule, so that every state runs
# at least one action before it is deleted (engine.rules.evaluate says why).
MARKER_RULE = "~marker"
MARKER_TYPE = "~marker"
# One action call carries up to `cap` matching facts; far above any quote's line count.
CAP = 10_000
# durable's alpha stack holds 64 entries; a shard's worst case is kept a little below.
MAX_ALIVE_PATHS = 60

_FACT_TYPE = re.compile(r"^[a-z][a-z0-9_]*$")
_ORDER = {Op.GT: "$gt", Op.GTE: "$gte", Op.LT: "$lt", Op.LTE: "$lte"}

Lead = tuple[str, tuple[Any, ...]] | None  # (fact, values) of a leading EQ/IN test, or none


@dataclass(frozen=True, eq=False)
class CompiledRuleSet:
    """A rule set ready for `evaluate`: compare by `name`, which addresses the content."""

    name: str
    fact_type: str
    schema: FactSchema
    rules: tuple[RuleSpec, ...]
    definition: dict[str, Any]  # every durable rule: {name: {"all": …, "cap": …, "run": …}}
    probes: frozenset[str]  # ids of the rules that have a scope probe
    fields: tuple[str, ...]  # the facts the rules reference, sorted: the only ones sent
    empty_list_item: str  # stands in for an empty list fact (see `_empty_list_item`)
    shards: tuple[tuple[str, ...], ...]  # durable rule names per durable ruleset
    reports: dict[str, tuple[tuple[str, bool], ...]]  # durable rule -> (rule id, is its probe)
    whole_scope: frozenset[str] = field(default=frozenset())  # probes that are the type test only

    def ruleset_name(self, shard: int) -> str:
        return f"{self.name}.{shard}"

    def shard_definition(self, shard: int) -> dict[str, Any]:
        """The durable ruleset of one shard (a fresh dict: durable mutates what it is given)."""
        rules = {name: dict(self.definition[name]) for name in self.shards[shard]}
        rules[MARKER_RULE] = {"all": [{"m": {"t": MARKER_TYPE}}], "cap": CAP, "run": "collect"}
        return json.loads(json.dumps(rules))  # type: ignore[no-any-return]


def compile_rules(fact_type: str, schema: FactSchema, rules: Sequence[RuleSpec]) -> CompiledRuleSet:
    """Compile rules over facts of `fact_type`; raises DomainError for invalid conditions or
    duplicate rule ids (paths `(rule index, "conditions", …)`), ValueError for a bad type name
    or a schema using a reserved field name."""
    if not _FACT_TYPE.match(fact_type):
        raise ValueError(f"fact type `{fact_type}` must match {_FACT_TYPE.pattern}")
    reserved = sorted(RESERVED_FIELDS & schema.keys())
    if reserved:
        raise ValueError(f"fact names {reserved} are reserved by the rules adapter")
    _check(schema, rules)

    selectivity = _selectivity(rules)
    definition: dict[str, Any] = {}
    leads: dict[str, Lead] = {}
    reports: dict[str, list[tuple[str, bool]]] = {}
    by_body: dict[str, str] = {}
    probes: set[str] = set()
    whole_scope: set[str] = set()

    def add(name: str, conditions: Sequence[Condition], rule_id: str, probe: bool) -> None:
        lead, ordered = _lead_first(conditions, selectivity)
        body = _rule(fact_type, ordered)
        key = json.dumps(body, sort_keys=True, ensure_ascii=False)
        name = by_body.setdefault(key, name)
        if name not in definition:
            definition[name], leads[name] = body, lead
        reports.setdefault(name, []).append((rule_id, probe))

    for rule in rules:
        add(rule.rule_id, rule.conditions, rule.rule_id, False)
        scope = [c for c in rule.conditions if not schema[c.fact].threshold]
        if len(scope) < len(rule.conditions):
            probes.add(rule.rule_id)
            if scope:
                add(rule.rule_id + SCOPE_SUFFIX, scope, rule.rule_id, True)
            else:
                whole_scope.add(rule.rule_id)

    frozen_rules = tuple(rules)
    return CompiledRuleSet(
        name=f"{fact_type}-{_digest(fact_type, schema, frozen_rules)}",
        fact_type=fact_type,
        schema=dict(schema),
        rules=frozen_rules,
        definition=definition,
        probes=frozenset(probes),
        fields=tuple(sorted({c.fact for rule in rules for c in rule.conditions})),
        empty_list_item=_empty_list_item(rules),
        shards=_pack(leads),
        reports={name: tuple(owners) for name, owners in reports.items()},
        whole_scope=frozenset(whole_scope),
    )


def compile_condition(condition: Condition) -> dict[str, Any]:
    """One condition in durable-rules' JSON (the form `durable.lang` generates)."""
    fact, op, value = condition.fact, condition.op, condition.value
    values = _distinct(value if isinstance(value, list) else [value])
    if op is Op.EQ:
        return {fact: value}
    if op is Op.NE:
        return {"$neq": {fact: value}}
    if op in _ORDER:
        return {_ORDER[op]: {fact: value}}
    if op is Op.IN:
        return _either([{fact: v} for v in values])
    if op is Op.NOT_IN:
        return _both([{"$neq": {fact: v}} for v in values])
    if op is Op.HAS:
        return {"$iany": {fact: {"$i": value}}}
    if op is Op.HAS_ANY:
        return {"$iany": {fact: _either([{"$i": v} for v in values])}}
    # HAS_NONE: durable's $iall is false on an empty list, where "contains none" is true; the
    # adapter sends an empty list as [CompiledRuleSet.empty_list_item], a string no rule tests for.
    return {"$iall": {fact: _both([{"$neq": {"$i": v}} for v in values])}}


def _rule(fact_type: str, conditions: Sequence[Condition]) -> dict[str, Any]:
    tests = [{"t": fact_type}, *(compile_condition(c) for c in conditions)]
    return {"all": [{"m": {"$and": tests}}], "cap": CAP, "run": "collect"}


def _distinct(values: list[Any]) -> list[Any]:
    """Values without repeats (True and 1 are distinct here): an IN's alternatives must exclude
    one another, or a fact is alive in several paths of one rule."""
    seen: set[tuple[type, Any]] = set()
    kept: list[Any] = []
    for v in values:
        if (type(v), v) not in seen:
            seen.add((type(v), v))
            kept.append(v)
    return kept


def _either(tests: list[dict[str, Any]]) -> dict[str, Any]:
    return tests[0] if len(tests) == 1 else {"$or": tests}


def _both(tests: list[dict[str, Any]]) -> dict[str, Any]:
    return tests[0] if len(tests) == 1 else {"$and": tests}


def _selectivity(rules: Sequence[RuleSpec]) -> Counter[str]:
    """Per fact, how many distinct values the rules' EQ/IN tests use: more is more selective."""
    values: dict[str, set[tuple[type, Any]]] = {}
    for rule in rules:
        for c in rule.conditions:
            if c.op in (Op.EQ, Op.IN):
                seen = values.setdefault(c.fact, set())
                seen.update((type(v), v) for v in (c.value if isinstance(c.value, list) else [c.value]))
    return Counter({fact: len(seen) for fact, seen in values.items()})


def _lead_first(conditions: Sequence[Condition], selectivity: Counter[str]) -> tuple[Lead, list[Condition]]:
    """The conditions with the most selective EQ/IN test first (durable keeps the order)."""
    candidates = [c for c in conditions if c.op in (Op.EQ, Op.IN)]
    if not candidates:
        return None, list(conditions)
    best = max(candidates, key=lambda c: (selectivity[c.fact], c.op is Op.EQ, -_width(c)))
    rest = list(conditions)
    rest.remove(best)
    values = best.value if isinstance(best.value, list) else [best.value]
    return (best.fact, tuple((type(v), v) for v in _distinct(values))), [best, *rest]


def _width(condition: Condition) -> int:
    return len(condition.value) if isinstance(condition.value, list) else 1


@dataclass
class _Shard:
    """Durable rules packed into one ruleset, with the most paths a fact can be alive in:
    per leading field the worst value's count (different values exclude one another), plus
    every rule without a leading equality test."""

    names: list[str] = field(default_factory=list)
    counts: dict[str, Counter[Any]] = field(default_factory=dict)
    free: int = 0

    def alive_with(self, lead: Lead) -> int:
        worst = {f: max(c.values()) for f, c in self.counts.items()}
        if lead is None:
            return self.free + 1 + sum(worst.values())
        fact, values = lead
        counts = self.counts.get(fact, Counter())
        worst[fact] = max(max(counts.values(), default=0), max(counts[v] + 1 for v in values))
        return self.free + sum(worst.values())

    def add(self, name: str, lead: Lead) -> None:
        self.names.append(name)
        if lead is None:
            self.free += 1
        else:
            self.counts.setdefault(lead[0], Counter()).update(lead[1])


def _pack(leads: Mapping[str, Lead]) -> tuple[tuple[str, ...], ...]:
    """First-fit packing of the durable rules into shards of bounded alive paths."""
    shards: list[_Shard] = []
    for name, lead in leads.items():
        for shard in shards:
            if shard.alive_with(lead) <= MAX_ALIVE_PATHS:
                break
        else:
            shard = _Shard()
            shards.append(shard)
        shard.add(name, lead)
    return tuple(tuple(s.names) for s in shards) or ((),)


def _empty_list_item(rules: Sequence[RuleSpec]) -> str:
    """A string that no membership condition of these rules tests for: durable sees an empty
    list fact as a list holding only it, so HAS/HAS_ANY fail and HAS_NONE holds, as in Python."""
    tested = {
        v
        for rule in rules
        for c in rule.conditions
        if c.op in MEMBERSHIP_OPS
        for v in (c.value if isinstance(c.value, list) else [c.value])
    }
    item = "~"
    while item in tested:
        item += "~"
    return item


def _check(schema: FactSchema, rules: Sequence[RuleSpec]) -> None:
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if rule.rule_id in seen:
            errors.append(FieldError((i, "rule_id"), f"duplicate rule id `{rule.rule_id}`", ErrorCode.DUPLICATE))
        seen.add(rule.rule_id)
        errors.extend(check_conditions(schema, rule.conditions, (i, "conditions")))
    if errors:
        raise DomainError(errors)


def _digest(fact_type: str, schema: Mapping[str, Any], rules: tuple[RuleSpec, ...]) -> str:
    document = {
        "compiler": COMPILER_VERSION,
        "fact_type": fact_type,
        "schema": {name: canonical(field) for name, field in schema.items()},
        "rules": [canonical(rule) for rule in rules],
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]
