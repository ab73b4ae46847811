"""A 20-line quote against 500 published rules (benchmarks/pricing_rules.py), priced by the pure
core with durable-rules and, in the same run on the same inputs, with the plain-Python reference
evaluator of the same rules; plus compiling the 500 rules."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from benchmarks.pricing_rules import compiled, document, inputs
from engine.pricing import PricingRules, build_pricing_rules, price
from engine.rules import CompiledRuleSet, Evaluation, evaluate_reference
from schemas.pricing import PricingDocument, PricingInput
from schemas.rules import VersionRef

ROUNDS = 2_000


def plain_python(compiled_rules: CompiledRuleSet, facts: Sequence[Mapping[str, Any]]) -> Evaluation:
    return evaluate_reference(compiled_rules.rules, compiled_rules.schema, facts)


@pytest.fixture(scope="module")
def season() -> tuple[PricingDocument, PricingRules, list[PricingInput]]:
    doc = document()
    rules = compiled(doc)
    quotes = inputs(doc)
    # Correctness guard, outside the timed part: both evaluators price every input alike.
    for data in quotes:
        assert price(rules, data) == price(rules, data, plain_python)
    return doc, rules, quotes


def _rotation(quotes: list[PricingInput], run: Callable[[PricingInput], Any]) -> Callable[[], Any]:
    cycle = itertools.cycle(quotes)
    return lambda: run(next(cycle))


def test_quote_20_lines_500_rules_durable(benchmark: Any, season: Any) -> None:
    _, rules, quotes = season
    benchmark.pedantic(_rotation(quotes, lambda d: price(rules, d)), rounds=ROUNDS, iterations=1, warmup_rounds=50)


def test_quote_20_lines_500_rules_plain_python(benchmark: Any, season: Any) -> None:
    _, rules, quotes = season
    benchmark.pedantic(_rotation(quotes, lambda d: price(rules, d, plain_python)), rounds=ROUNDS, iterations=1,
                       warmup_rounds=50)


def test_compile_500_rules(benchmark: Any, season: Any) -> None:
    doc = season[0]
    counter = itertools.count()

    def fresh() -> PricingRules:  # a new digest each round: no cache hit
        ref = VersionRef(rule_set="season", version=1, digest=hashlib.sha256(f"{next(counter)}".encode()).hexdigest())
        return build_pricing_rules([(ref, doc)])

    benchmark.pedantic(fresh, rounds=10, iterations=1)
