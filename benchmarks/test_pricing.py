"""A 20-line quote against 500 published rules (benchmarks/pricing_rules.py), priced by the pure
core with durable-rules and, in the same run on the same inputs, with the plain-Python reference
evaluator of the same rules; the C calls of durable-rules alone on the same quotes' batches (the
floor under a quote's time); plus compiling the 500 rules."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import durable_rules_engine
import pytest

from benchmarks.pricing_rules import compiled, document, inputs
from engine.pricing import PricingRules, build_pricing_rules, price
from engine.rules import CompiledRuleSet, Evaluation, evaluate, evaluate_reference
from engine.rules.evaluate import SESSION, _payload
from engine.rules.host import handles_for
from schemas.pricing import PricingDocument, PricingInput
from schemas.rules import VersionRef

ROUNDS = 2_000
T = TypeVar("T")


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


def _rotation(items: list[T], run: Callable[[T], Any]) -> Callable[[], Any]:
    cycle = itertools.cycle(items)
    return lambda: run(next(cycle))


def test_quote_20_lines_500_rules_durable(benchmark: Any, season: Any) -> None:
    _, rules, quotes = season
    benchmark.pedantic(_rotation(quotes, lambda d: price(rules, d)), rounds=ROUNDS, iterations=1, warmup_rounds=50)


def test_quote_20_lines_500_rules_plain_python(benchmark: Any, season: Any) -> None:
    _, rules, quotes = season
    benchmark.pedantic(_rotation(quotes, lambda d: price(rules, d, plain_python)), rounds=ROUNDS, iterations=1,
                       warmup_rounds=50)


def test_quote_durable_calls_alone(benchmark: Any, season: Any) -> None:
    """The floor under a quote's time: the C calls of durable-rules alone (assert each stage's
    batch, drain its actions, retract it) on the batches the same 200 quotes send, written
    beforehand; no Python reads the actions or prices anything. What a quote costs above this
    is the adapter's and the pricing's Python."""
    _, rules, quotes = season
    batches: list[list[tuple[int, str]]] = []

    def recording(compiled_rules: CompiledRuleSet, facts: Sequence[Mapping[str, Any]]) -> Evaluation:
        batches[-1].append((handles_for(compiled_rules)[0], _payload(compiled_rules, facts, SESSION)[0]))
        return evaluate(compiled_rules, facts)

    for data in quotes:
        batches.append([])
        price(rules, data, recording)

    def calls(quote_batches: list[tuple[int, str]]) -> None:
        for handle, payload in quote_batches:
            _, state = durable_rules_engine.assert_facts(handle, payload)
            message = durable_rules_engine.start_action_for_state(handle, state)[1]
            while message:
                message = durable_rules_engine.complete_and_start_action(handle, state)
            durable_rules_engine.retract_facts(handle, payload)

    benchmark.pedantic(_rotation(batches, calls), rounds=ROUNDS, iterations=1, warmup_rounds=50)


def test_compile_500_rules(benchmark: Any, season: Any) -> None:
    doc = season[0]
    counter = itertools.count()

    def fresh() -> PricingRules:  # a new digest each round: no cache hit
        ref = VersionRef(rule_set="season", version=1, digest=hashlib.sha256(f"{next(counter)}".encode()).hexdigest())
        return build_pricing_rules([(ref, doc)])

    benchmark.pedantic(fresh, rounds=10, iterations=1)
