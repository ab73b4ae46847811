"""Eligibility and scope of policies, evaluated by engine.rules on dealer and product facts."""

from __future__ import annotations

import random
from typing import Any

from engine.rebates import dealer_eligibility, products_in_scope
from engine.rebates.eligibility import CHUNK, DEALER_TYPE, _compiled, _key
from engine.rules import evaluate_reference
from schemas.rebates import DEALER_FACTS, ProtectionPolicy, RebatePolicy
from schemas.rules import Condition, RuleSpec
from tests.engine.rebates.build import policy, tier

CLEAN = [{"fact": "overdue_fen", "op": "lte", "value": 0}, {"fact": "price_violations", "op": "eq", "value": 0}]
AGENTS = [{"fact": "channel_type", "op": "eq", "value": "agent"}, *CLEAN]


def rebate(rule_id: str, **fields: Any) -> RebatePolicy:
    return policy(tier(0, percent=1), id=rule_id, **fields)


def test_a_dealer_in_scope_with_overdue_receivables_is_a_near_miss_with_the_failed_condition() -> None:
    rule = rebate("agents", eligibility=AGENTS)
    verdict = dealer_eligibility([rule], {
        10: {"dealer": "D10", "channel_type": "agent"},
        11: {"dealer": "D11", "channel_type": "agent", "overdue_fen": 1_200_000},
        12: {"dealer": "D12", "channel_type": "agent", "overdue_fen": 1, "price_violations": 3},
        13: {"dealer": "D13", "channel_type": "retail", "overdue_fen": 1},  # outside the scope: silent
    })["agents"]
    assert verdict.eligible == frozenset({10})
    assert verdict.near_misses == {
        11: "overdue_fen 1200000 must be lte 0",
        12: "overdue_fen 1 must be lte 0; price_violations 3 must be eq 0",
    }


def test_a_policy_without_conditions_admits_every_dealer_and_product() -> None:
    rule = rebate("everyone")
    assert dealer_eligibility([rule], {1: {}, 2: {"overdue_fen": 9}})["everyone"].eligible == frozenset({1, 2})
    assert products_in_scope([rule], {5: {"category": "tv"}, 6: {}})["everyone"] == frozenset({5, 6})


def test_rebate_and_protection_policies_are_evaluated_together_by_id() -> None:
    rules = [rebate("clean", eligibility=CLEAN, scope=[{"fact": "category", "op": "in", "value": ["tv", "ac"]}]),
             ProtectionPolicy(id="cut", name="Cut", window_days=30,
                              eligibility=[Condition.model_validate({"fact": "regions", "op": "has", "value": "east"})],
                              scope=[Condition.model_validate({"fact": "brand", "op": "ne", "value": "other"})])]
    dealers = {1: {"regions": ["east"], "price_violations": 1}, 2: {"regions": ["west"]}}
    products = {1: {"category": "tv", "brand": "own"}, 2: {"category": "washer", "brand": "other"}}
    verdicts = dealer_eligibility(rules, dealers)
    assert verdicts["clean"].eligible == frozenset({2})
    assert verdicts["clean"].near_misses == {1: "price_violations 1 must be eq 0"}
    assert (verdicts["cut"].eligible, verdicts["cut"].near_misses) == (frozenset({1}), {})
    assert products_in_scope(rules, products) == {"clean": frozenset({1}), "cut": frozenset({1})}


def test_many_dealers_are_evaluated_in_chunks_as_the_reference_evaluates_them_at_once() -> None:
    rng = random.Random(5)
    rules = [rebate(f"p{k}", eligibility=[{"fact": "cooperation_level", "op": "eq", "value": level},
                                          {"fact": "overdue_fen", "op": "lte", "value": limit}])
             for k, (level, limit) in enumerate([("a", 0), ("b", 500), ("a", 100)])]
    ids = rng.sample(range(1, 10**6), 3 * CHUNK + 7)  # unordered ids across chunk boundaries
    dealers = {i: {"cooperation_level": rng.choice("ab"), "overdue_fen": rng.choice([0, 0, 50, 700])} for i in ids}
    verdicts = dealer_eligibility(rules, dealers)
    order = sorted(dealers)
    specs = [RuleSpec(rule_id=r.id, conditions=tuple(r.eligibility)) for r in rules]
    want = evaluate_reference(specs, DEALER_FACTS, [dealers[i] for i in order])
    for rule in rules:
        assert verdicts[rule.id].eligible == frozenset(order[i] for i in want.matched.get(rule.id, ()))
        assert set(verdicts[rule.id].near_misses) == {order[i] for i in want.near_misses.get(rule.id, ())}


def test_the_same_policies_reuse_their_compiled_rule_set() -> None:
    rules = [rebate("a", eligibility=CLEAN)]
    assert _compiled(DEALER_TYPE, "dealer", _key(rules, "eligibility")) is _compiled(
        DEALER_TYPE, "dealer", _key([rebate("a", eligibility=list(CLEAN))], "eligibility"))


def test_no_dealers_and_no_policies_are_fine() -> None:
    assert dealer_eligibility([rebate("a", eligibility=CLEAN)], {})["a"].eligible == frozenset()
    assert dealer_eligibility([], {1: {}}) == {}
