"""Rule evaluation on durable-rules against the plain-Python reference, in one run: a realistic
500-rule pricing set (line facts of `schemas.pricing.LINE_FACTS`: promotions over 200 models of
the 6 categories, channel types and cooperation levels, member tiers, order thresholds, bundles,
regions, coupons and dates) against 20-line quotes, as `engine.pricing` would evaluate them.

A typical quote matches 10–20 rules (median 17 of the 50 quotes) and is a near miss of about 45
more (most are coupon rules whose coupon was not presented). The rule set is
compiled and registered on the benchmark thread once; every round evaluates one quote of a
fixed rotation of 50.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from engine.rules import CompiledRuleSet, Evaluation, compile_rules, evaluate, evaluate_reference
from schemas.enums import ChannelType, CooperationLevel, MemberTier, ProductCategory
from schemas.pricing import LINE_FACTS
from schemas.rules import Condition, Op, RuleSpec

SEED = 7
QUOTES = 50
LINES = 20

CATEGORIES = [c.value for c in ProductCategory]
MODELS = [f"{category[:2].upper()}{n:03d}" for category in CATEGORIES for n in range(34)][:200]
CATEGORY_OF = {model: CATEGORIES[i // 34] for i, model in enumerate(MODELS)}
CHANNELS = [c.value for c in ChannelType]
LEVELS = [level.value for level in CooperationLevel]
TIERS = [t.value for t in MemberTier]
REGIONS = ["110000", "310000", "440100", "440300", "330100", "510100", "420100", "320100"]
PROVINCIALS = [f"P{n:02d}" for n in range(12)]


def _c(fact: str, op: Op, value: Any) -> Condition:
    return Condition(fact=fact, op=op, value=value)


def rule_set(seed: int = SEED) -> list[RuleSpec]:
    """500 rules, in the proportions of a brand's season: mostly model and category promotions."""
    r = random.Random(seed)
    made: list[tuple[Condition, ...]] = []
    for model in MODELS:  # 200: a model's promotion for some channel types, from a quantity
        made.append((_c("model", Op.EQ, model), _c("channel_type", Op.IN, r.sample(CHANNELS, 2)),
                     _c("quantity", Op.GTE, r.choice([3, 5, 10]))))
    for _ in range(60):  # a category for one cooperation level, from a category quantity
        made.append((_c("category", Op.EQ, r.choice(CATEGORIES)), _c("cooperation_level", Op.EQ, r.choice(LEVELS)),
                     _c("category_quantity", Op.GTE, r.choice([10, 20, 50]))))
    for _ in range(40):  # member tiers on a category
        made.append((_c("is_member", Op.EQ, True), _c("member_tier", Op.IN, r.sample(TIERS, 2)),
                     _c("category", Op.EQ, r.choice(CATEGORIES))))
    for _ in range(30):  # order amount thresholds for one channel type
        made.append((_c("channel_type", Op.EQ, r.choice(CHANNELS)),
                     _c("order_amount_fen", Op.GTE, r.choice([200_000_00, 400_000_00, 800_000_00, 1_500_000_00]))))
    for _ in range(40):  # bundles: a model with another one in the order, from a line amount
        made.append((_c("model", Op.EQ, r.choice(MODELS)), _c("order_models", Op.HAS_ANY, r.sample(MODELS, 3)),
                     _c("amount_fen", Op.GTE, r.choice([5_000_00, 20_000_00]))))
    for _ in range(40):  # regional campaigns on a few models
        made.append((_c("model", Op.IN, r.sample(MODELS, 3)), _c("region", Op.EQ, r.choice(REGIONS))))
    for _ in range(30):  # models not sold together with some others
        made.append((_c("model", Op.IN, r.sample(MODELS, 2)), _c("order_models", Op.HAS_NONE, r.sample(MODELS, 3)),
                     _c("channel_type", Op.NE, "e_commerce")))
    for k in range(30):  # coupon campaigns on a category, from an order amount
        made.append((_c("coupon_campaigns", Op.HAS, f"campaign-{k}"), _c("category", Op.EQ, r.choice(CATEGORIES)),
                     _c("order_amount_fen", Op.GTE, r.choice([1_000_00, 5_000_00]))))
    for _ in range(30):  # dated promotions of a category for some dealers' ancestors
        start = 20261101 + r.randrange(0, 25)
        made.append((_c("category", Op.EQ, r.choice(CATEGORIES)), _c("dealer_ancestors", Op.HAS_ANY, r.sample(PROVINCIALS, 2)),
                     _c("date", Op.GTE, start), _c("date", Op.LT, start + 7)))
    return [RuleSpec(rule_id=f"rule-{n:03d}", conditions=conditions) for n, conditions in enumerate(made)]


def quotes(seed: int = SEED, count: int = QUOTES, lines: int = LINES) -> list[list[dict[str, Any]]]:
    """Dealers' 20-line orders (line facts as engine.pricing builds them), a third with a coupon."""
    r = random.Random(seed)
    made = []
    for n in range(count):
        models = r.sample(MODELS, lines)
        quantity = {m: r.choice([1, 1, 2, 2, 3, 4, 6, 10]) for m in models}
        price = {m: r.randrange(1_000_00, 12_000_00, 100) for m in models}
        by_category: dict[str, list[str]] = {}
        for m in models:
            by_category.setdefault(CATEGORY_OF[m], []).append(m)
        total = sum(quantity[m] * price[m] for m in models)
        context = {
            "channel_type": r.choice(CHANNELS), "cooperation_level": r.choice(LEVELS), "dealer": f"D{n:04d}",
            "dealer_ancestors": [r.choice(PROVINCIALS)], "region": r.choice(REGIONS), "store": "",
            "member_tier": "", "member_tags": [], "is_member": False, "birthday_month": False,
            "coupon_campaigns": [f"campaign-{r.randrange(30)}"] if n % 3 == 0 else [],
            "date": 20261101 + r.randrange(30), "weekday": 1 + n % 7, "hour": 10, "at": 1_793_500_000 + n,
            "order_quantity": sum(quantity.values()), "order_amount_fen": total,
            "order_models": models, "order_categories": sorted(by_category),
        }
        made.append([
            {**context, "model": m, "category": CATEGORY_OF[m], "brand": "brand", "quantity": quantity[m],
             "amount_fen": quantity[m] * price[m], "unit_price_fen": price[m], "list_price_fen": price[m],
             "category_quantity": sum(quantity[x] for x in by_category[CATEGORY_OF[m]]),
             "category_amount_fen": sum(quantity[x] * price[x] for x in by_category[CATEGORY_OF[m]])}
            for m in models
        ])
    return made


@pytest.fixture(scope="module")
def rules() -> list[RuleSpec]:
    return rule_set()


@pytest.fixture(scope="module")
def compiled(rules: list[RuleSpec]) -> CompiledRuleSet:
    return compile_rules("line", LINE_FACTS, rules)


@pytest.fixture(scope="module")
def rotation() -> Callable[[], list[dict[str, Any]]]:
    """The next quote of a fixed rotation, one per round."""
    made = quotes()

    def cycle() -> Iterator[list[dict[str, Any]]]:
        while True:
            yield from made

    it = cycle()
    return lambda: next(it)


def test_quotes_match_a_realistic_number_of_rules(compiled: CompiledRuleSet, rules: list[RuleSpec]) -> None:
    """Not timed: the figures the timings are about, and both evaluators agreeing on them."""
    counts = []
    for facts in quotes():
        result = evaluate(compiled, facts)
        assert result == evaluate_reference(rules, LINE_FACTS, facts)
        counts.append((len(result.matched), len(result.near_misses)))
    matched = sorted(m for m, _ in counts)
    assert 10 <= matched[len(matched) // 2] <= 20, matched


def test_durable_adapter_500_rules_20_lines(benchmark: Any, compiled: CompiledRuleSet, rotation: Any) -> None:
    evaluate(compiled, rotation())  # registers the rule set on this thread
    result: Evaluation = benchmark(lambda: evaluate(compiled, rotation()))
    assert result.matched


def test_python_reference_500_rules_20_lines(benchmark: Any, rules: list[RuleSpec], rotation: Any) -> None:
    result: Evaluation = benchmark(lambda: evaluate_reference(rules, LINE_FACTS, rotation()))
    assert result.matched
