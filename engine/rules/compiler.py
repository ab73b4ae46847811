"""Rule specs to durable-rules JSON rulesets, once per rule-set version.

Each rule becomes a durable rule named by its id, matching facts of one type; a rule with a
threshold condition also gets a scope probe (`<id>~scope`: the rule without its thresholds), so
an evaluation can tell "in scope but short of a threshold" (a near miss) from "not concerned".
Identical durable rules are compiled once (an action costs microseconds), and a probe that is
only the type test is not compiled at all: every fact is in its scope. engine.rules.layout
orders each rule's tests and splits the rules into shards to keep inside durable's limits.

The rule set's name is content-addressed: durable-rules cannot replace or remove a registered
ruleset, so a changed rule set must be a new name, and the same rule set is the same name.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.errors import DomainError, FieldError
from engine.rules.facts import RESERVED_FIELDS, Plan, plan_for
from engine.rules.layout import Planned, Step, bucket_indexes, pack, place, plan, selectivity, values_of
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

_FACT_TYPE = re.compile(r"^[a-z][a-z0-9_]*$")
_ORDER = {Op.GT: "$gt", Op.GTE: "$gte", Op.LT: "$lt", Op.LTE: "$lte"}


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
    shards: tuple[tuple[str, ...], ...]  # durable rule names of each durable ruleset
    reports: dict[str, tuple[tuple[str, bool], ...]]  # durable rule -> ((rule id, is probe), …)
    whole_scope: frozenset[str]  # rules whose probe is the type test alone
    indexes: dict[str, dict[Any, int]]  # fact -> {lead value: bucket}, sent as `<fact>~b`
    plan: Plan = ()  # (name, kind) of `fields`: what evaluate reads from each fact

    def ruleset_name(self, shard: int) -> str:
        return f"{self.name}.{shard}"

    def shard_definition(self, shard: int) -> dict[str, Any]:
        """The durable ruleset of one shard, as a fresh deep copy (durable mutates it)."""
        rules = {name: self.definition[name] for name in self.shards[shard]}
        rules[MARKER_RULE] = {"all": [{"m": {"t": MARKER_TYPE}}], "cap": CAP, "run": "collect"}
        copy: dict[str, Any] = json.loads(json.dumps(rules, ensure_ascii=False))
        return copy


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

    ranks = selectivity(rules)
    wanted: list[tuple[str, Planned, str, bool]] = []  # (name, plan, rule id, is probe)
    probes: set[str] = set()
    whole_scope: set[str] = set()
    for rule in rules:
        wanted.append((rule.rule_id, plan(rule.conditions, ranks), rule.rule_id, False))
        scope = [c for c in rule.conditions if not schema[c.fact].threshold]
        if len(scope) < len(rule.conditions):
            probes.add(rule.rule_id)
            if scope:
                wanted.append((rule.rule_id + SCOPE_SUFFIX, plan(scope, ranks), rule.rule_id, True))
            else:
                whole_scope.add(rule.rule_id)

    indexes = bucket_indexes((p for _, p, _, _ in wanted), schema)
    definition: dict[str, Any] = {}
    paths: dict[str, list[Step]] = {}
    reports: dict[str, list[tuple[str, bool]]] = {}
    by_body: dict[str, str] = {}
    for base, whole, rule_id, probe in wanted:
        pieces = place(whole, indexes)
        for bucket, p in pieces:
            tests = [*([bucket] if bucket else []), *(compile_condition(c) for c in p.conditions)]
            body = {"all": [{"m": {"$and": [{"t": fact_type}, *tests]}}], "cap": CAP, "run": "collect"}
            piece = base if len(pieces) == 1 or bucket is None else f"{base}~{next(iter(bucket.values()))}"
            name = by_body.setdefault(json.dumps(body, sort_keys=True, ensure_ascii=False), piece)
            if name not in definition:
                definition[name] = body
                paths[name] = [_step(t, name) for t in tests]
            reports.setdefault(name, []).append((rule_id, probe))

    frozen_rules = tuple(rules)
    fields = tuple(sorted({c.fact for rule in rules for c in rule.conditions}))
    return CompiledRuleSet(
        name=f"{fact_type}-{_digest(fact_type, schema, frozen_rules)}",
        fact_type=fact_type,
        schema=dict(schema),
        rules=frozen_rules,
        definition=definition,
        probes=frozenset(probes),
        fields=fields,
        empty_list_item=_empty_list_item(rules),
        shards=pack(paths),
        reports={name: tuple(owners) for name, owners in reports.items()},
        whole_scope=frozenset(whole_scope),
        indexes=indexes,
        plan=plan_for(schema, fields),
    )


def compile_condition(condition: Condition) -> dict[str, Any]:
    """One condition in durable-rules' JSON (the form `durable.lang` generates)."""
    fact, op, value = condition.fact, condition.op, condition.value
    values = values_of(condition)
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


def _step(test: dict[str, Any], rule: str) -> Step:
    """A test as engine.rules.layout packs it: its key in durable's network, how many children
    it adds to its node (one per alternative of an $or) and the fact it tests for equality.
    durable shares a node between rules for equal equality and comparison tests but never for
    $or, $iany or $iall (measured): those get a key of their own rule."""
    text = json.dumps(test, sort_keys=True, ensure_ascii=False)
    (key, inner), = test.items()
    if key in _UNSHARED:
        return f"{text}@{rule}", len(inner) if key == "$or" else 1, None
    return text, 1, None if key.startswith("$") else key


_UNSHARED = frozenset({"$or", "$iany", "$iall"})


def _either(tests: list[dict[str, Any]]) -> dict[str, Any]:
    return tests[0] if len(tests) == 1 else {"$or": tests}


def _both(tests: list[dict[str, Any]]) -> dict[str, Any]:
    return tests[0] if len(tests) == 1 else {"$and": tests}


def _empty_list_item(rules: Sequence[RuleSpec]) -> str:
    """A string that no membership condition of these rules tests for: durable sees an empty
    list fact as a list holding only it, so HAS/HAS_ANY fail and HAS_NONE holds, as in Python."""
    tested = {v for rule in rules for c in rule.conditions if c.op in MEMBERSHIP_OPS for v in values_of(c)}
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
