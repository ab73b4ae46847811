"""Which dealers a policy's `eligibility` admits and which products its `scope` covers, evaluated
by engine.rules on one fact per dealer (DEALER_FACTS) and one per product (PRODUCT_FACTS).

One rule set per fact schema and set of policies (a rule per policy, its id the policy's), so a
settlement of 200 policies over 10,000 dealers is one compiled rule set and 20 evaluate calls.
A dealer in a policy's scope that fails a threshold fact (overdue receivables, price
violations) is a near miss with the failed conditions as its reason, shown on its statement.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from engine.rules import CompiledRuleSet, compile_rules, evaluate, failed_conditions
from schemas.rebates import DEALER_FACTS, PRODUCT_FACTS, ProtectionPolicy, RebatePolicy
from schemas.rules import Condition, FactKind, FactSchema, RuleSpec

# Facts per evaluate call: durable's cost per fact is flat, but one action carries at most the
# compiler's CAP facts and a batch's JSON is built in one piece; 500 keeps both small (the
# hazards in FIELD-NOTES and tests/engine/rules/test_durable_hazards.py).
CHUNK = 500

DEALER_TYPE = "rebate_dealer"
PRODUCT_TYPE = "rebate_product"

Policy = RebatePolicy | ProtectionPolicy


@dataclass(frozen=True)
class Eligibility:
    """One policy's verdict on the dealers: who may earn it, and who is in its scope but fails
    a threshold (dealer id -> the failed conditions, readable)."""

    eligible: frozenset[int]
    near_misses: dict[int, str]


def dealer_eligibility(policies: Sequence[Policy], dealers: Mapping[int, Mapping[str, Any]]
                       ) -> dict[str, Eligibility]:
    """Each policy's eligibility over the dealers (id -> DEALER_FACTS values), by policy id."""
    ids, facts = _facts(dealers)
    compiled = _compiled(DEALER_TYPE, "dealer", _key(policies, "eligibility"))
    matched, missed = _evaluate(compiled, facts)
    result: dict[str, Eligibility] = {}
    for policy in policies:
        near = {
            ids[i]: reason(failed_conditions(policy.eligibility, facts[i]), facts[i], DEALER_FACTS)
            for i in missed.get(policy.id, ())
        }
        result[policy.id] = Eligibility(frozenset(ids[i] for i in matched.get(policy.id, ())), near)
    return result


def products_in_scope(policies: Sequence[Policy], products: Mapping[int, Mapping[str, Any]]
                      ) -> dict[str, frozenset[int]]:
    """Each policy's products (id -> PRODUCT_FACTS values) whose purchases count, by policy id."""
    ids, facts = _facts(products)
    compiled = _compiled(PRODUCT_TYPE, "product", _key(policies, "scope"))
    matched, _ = _evaluate(compiled, facts)
    return {policy.id: frozenset(ids[i] for i in matched.get(policy.id, ())) for policy in policies}


def reason(failed: Sequence[Condition], fact: Mapping[str, Any], schema: FactSchema) -> str:
    """Failed conditions as a reason, e.g. "overdue_fen 1200000 must be lte 0"."""
    parts = []
    for condition in failed:
        actual = fact.get(condition.fact)
        if actual is None:  # a missing fact holds its kind's default, as engine.rules evaluates it
            actual = _DEFAULTS[schema[condition.fact].kind]
        parts.append(f"{condition.fact} {actual!r} must be {condition.op.value} {condition.value!r}")
    return "; ".join(parts)


def _facts(objects: Mapping[int, Mapping[str, Any]]) -> tuple[list[int], list[Mapping[str, Any]]]:
    ids = sorted(objects)
    return ids, [objects[i] for i in ids]


def _evaluate(compiled: CompiledRuleSet, facts: Sequence[Mapping[str, Any]]
              ) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Matched and near-miss fact indices per rule id, over all facts, in chunks."""
    matched: dict[str, list[int]] = {}
    missed: dict[str, list[int]] = {}
    for start in range(0, len(facts), CHUNK):
        found = evaluate(compiled, facts[start : start + CHUNK])
        for into, part in ((matched, found.matched), (missed, found.near_misses)):
            for rule_id, indices in part.items():
                into.setdefault(rule_id, []).extend(start + i for i in indices)
    return matched, missed


def _key(policies: Sequence[Policy], field: str) -> str:
    """The policies' ids and conditions (of `field`) as canonical JSON: the compiled rule set's
    cache key (conditions hold lists, so the specs themselves are not hashable)."""
    seen: set[str] = set()
    specs = []
    for policy in policies:
        if policy.id in seen:
            raise ValueError(f"policy id {policy.id!r} is given twice")
        seen.add(policy.id)
        specs.append([policy.id, [c.model_dump(mode="json") for c in getattr(policy, field)]])
    return json.dumps(specs, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


_DEFAULTS: dict[FactKind, Any] = {FactKind.TEXT: "", FactKind.INT: 0, FactKind.BOOL: False, FactKind.TEXT_LIST: []}
_SCHEMAS: dict[str, FactSchema] = {"dealer": DEALER_FACTS, "product": PRODUCT_FACTS}


@lru_cache(maxsize=64)
def _compiled(fact_type: str, schema: str, key: str) -> CompiledRuleSet:
    # Compiling 200 policies takes milliseconds but a settlement run asks once per period and
    # policy document; the same content compiles to the same durable name anyway.
    rules = [
        RuleSpec(rule_id=rule_id, conditions=tuple(Condition.model_validate(c) for c in conditions))
        for rule_id, conditions in json.loads(key)
    ]
    return compile_rules(fact_type, _SCHEMAS[schema], rules)
