"""The live pricing rules compiled for evaluation: one durable-rules rule set per stage.

Built from the published versions in force (several rule sets at once: tiers, a season's
promotions, coupon campaigns) and cached by their digests, so quotes between two publications
reuse one compilation. A rule's coupon campaign becomes a condition on a threshold fact, so a
rule without its coupon is a near miss with a reason rather than silence. Its validity window is
a condition of the rule too (`RuleRef.conditions`, which explain a near miss), but it is the same
for every fact of a quote: it is tested once per quote (`Windows`) instead of on every fact in
durable-rules, where it gave every rule a scope probe and doubled the durable rules.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from threading import Lock
from typing import Any

from engine.rules import CompiledRuleSet, compile_rules
from engine.rules.reference import Test, predicate
from schemas.pricing import (
    LINE_FACTS,
    LINE_STAGES,
    ORDER_FACTS,
    GroupPolicy,
    PricingDocument,
    PricingRule,
    PricingStage,
    Stacking,
)
from schemas.rules import Condition, Op, RuleSpec, VersionRef

_CACHE_SIZE = 32


# The implicit group of BEST-stacking rules (order-level discounts by default): the best deal wins.
BEST_GROUP = "~best-deal"


@dataclass(frozen=True)
class RuleRef:
    """A rule as the engine evaluates it: where it comes from and its compiled id, with what
    quotes ask of it (hundreds of times each) worked out once, when the rule set is compiled."""

    version: VersionRef
    rule: PricingRule
    compiled_id: str
    conditions: tuple[Condition, ...]  # the rule's own, its window, its campaign (`conditions_of`)
    key: str = field(init=False, repr=False, compare=False)  # `rule_set/rule_id`: how budgets and free lines name it
    order: tuple[int, str, str] = field(init=False, repr=False, compare=False)  # its place in resolution (sort_key)
    stacking: Stacking = field(init=False, repr=False, compare=False)  # the rule's, or its stage's default
    group: str | None = field(init=False, repr=False, compare=False)  # its exclusive group, BEST_GROUP or None
    tests: tuple[Test, ...] = field(init=False, repr=False, compare=False)  # `conditions` as predicates
    trace_head: dict[str, Any] = field(init=False, repr=False, compare=False)  # the rule's fields of a TraceEntry
    plain: bool = field(init=False, repr=False, compare=False)  # in no group, not exclusive: applies with any other
    by_amount: bool = field(init=False, repr=False, compare=False)  # its group picks the largest amount
    # As a line promotion sets a price (engine.pricing.lines): "fixed", "additive" or
    # "compounding" (a percentage, as it combines), "amount"; None for the other actions.
    price_kind: str | None = field(init=False, repr=False, compare=False)
    # How engine.pricing.explain words each of `conditions` (by id: they live as long as the
    # ref), filled in the first time one fails.
    wording: dict[int, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rule, version = self.rule, self.version
        stacking = rule.effective_stacking()
        group = rule.exclusive_group if rule.exclusive_group is not None else (
            BEST_GROUP if stacking is Stacking.BEST else None)
        derived = {
            "key": f"{version.rule_set}/{rule.id}",
            # Priority first (higher first), then a stable order: never a coin toss.
            "order": (-rule.priority, version.rule_set, rule.id),
            "stacking": stacking,
            "group": group,
            "tests": tuple(predicate(c) for c in self.conditions),
            "trace_head": {"rule_set": version.rule_set, "version": version.version, "rule_id": rule.id,
                           "rule_name": rule.name, "stage": rule.stage.value},
            "plain": group is None and stacking is not Stacking.EXCLUSIVE,
            "by_amount": group == BEST_GROUP or (group is not None and rule.group_policy is GroupPolicy.BEST),
            "wording": {},
            "price_kind": _PRICE_KINDS.get(rule.action.kind, rule.combine.value if rule.action.kind == "percent_off" else None),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)  # frozen: set once, here

    def failed_conditions(self, fact: Mapping[str, Any]) -> tuple[Condition, ...]:
        """engine.rules.failed_conditions(self.conditions, fact), on the compiled predicates."""
        return tuple(c for c, test in zip(self.conditions, self.tests, strict=True) if not test(fact))

    def sort_key(self) -> tuple[int, str, str]:
        """Priority first (higher first), then a stable order: never a coin toss."""
        return self.order


_PRICE_KINDS = {"fixed_price": "fixed", "amount_off": "amount"}

by_priority = attrgetter("order")  # sorted(refs, key=by_priority): RuleRef.sort_key without the call


# Line facts that differ from line to line; the others are the quote's (engine.pricing.facts).
PER_LINE_FACTS = frozenset(LINE_FACTS.keys() - ORDER_FACTS.keys())


class Windows:
    """The rules of a stage that have a validity window, and which of them a moment is outside
    of. Between two consecutive window bounds the answer does not change: it is worked out once
    per such segment and kept (a quote's moment mostly falls in a segment seen before)."""

    def __init__(self, windows: Sequence[tuple[str, int | None, int | None]]) -> None:
        self._windows = tuple(windows)  # (compiled id, valid from, valid to) in epoch seconds
        self._bounds = sorted({b for _, *bounds in windows for b in bounds if b is not None})
        self._outside: dict[int, frozenset[str]] = {}

    def outside(self, at: int) -> frozenset[str]:
        """The compiled ids of the rules whose window does not contain `at` (from ≤ at < to)."""
        segment = bisect_right(self._bounds, at)
        found = self._outside.get(segment)
        if found is None:
            found = self._outside[segment] = frozenset(
                rule for rule, start, end in self._windows
                if (start is not None and at < start) or (end is not None and at >= end))
        return found


@dataclass(frozen=True)
class StageRules:
    stage: PricingStage
    compiled: CompiledRuleSet  # the rules without their windows (`windows` holds them)
    refs: dict[str, RuleRef]  # compiled id -> rule
    windows: Windows = field(default_factory=lambda: Windows(()))
    per_quote: bool = False  # the rules test no per-line fact: every line fact evaluates alike


@dataclass(frozen=True)
class PricingRules:
    versions: tuple[VersionRef, ...]
    stages: dict[PricingStage, StageRules]


_cache: OrderedDict[tuple[str, ...], PricingRules] = OrderedDict()
_lock = Lock()


def build_pricing_rules(versions: Sequence[tuple[VersionRef, PricingDocument]]) -> PricingRules:
    """The compiled stages of these versions (cached by their content addresses)."""
    key = tuple(f"{ref.rule_set}@{ref.version}:{ref.digest}" for ref, _ in versions)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    built = _build(versions)
    with _lock:
        _cache[key] = built
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return built


def _build(versions: Sequence[tuple[VersionRef, PricingDocument]]) -> PricingRules:
    by_stage: dict[PricingStage, list[RuleRef]] = {stage: [] for stage in PricingStage}
    for index, (ref, document) in enumerate(versions):
        for rule in document.rules:
            by_stage[rule.stage].append(RuleRef(ref, rule, f"s{index}-{rule.id}", tuple(conditions_of(rule))))
    stages = {}
    for stage, refs in by_stage.items():
        schema = LINE_FACTS if stage in LINE_STAGES else ORDER_FACTS
        specs = [RuleSpec(rule_id=r.compiled_id, conditions=tuple(conditions_of(r.rule, window=False))) for r in refs]
        compiled = compile_rules("line" if stage in LINE_STAGES else "order", schema, specs)
        windows = Windows([(r.compiled_id, *_epochs(r.rule)) for r in refs if _epochs(r.rule) != (None, None)])
        per_quote = stage in LINE_STAGES and not PER_LINE_FACTS.intersection(compiled.fields)
        stages[stage] = StageRules(stage, compiled, {r.compiled_id: r for r in refs}, windows, per_quote)
    return PricingRules(tuple(ref for ref, _ in versions), stages)


def _epochs(rule: PricingRule) -> tuple[int | None, int | None]:
    """The rule's window in epoch seconds, as `conditions_of` tests it on the fact `at`."""
    start, end = rule.window.valid_from, rule.window.valid_to
    return (None if start is None else int(start.timestamp()), None if end is None else int(end.timestamp()))


def conditions_of(rule: PricingRule, window: bool = True) -> list[Condition]:
    """The rule's own conditions plus its window (on `at`, unless `window` is false) and its
    coupon campaign."""
    conditions = list(rule.conditions)
    start, end = _epochs(rule)
    if window and start is not None:
        conditions.append(Condition(fact="at", op=Op.GTE, value=start))
    if window and end is not None:
        conditions.append(Condition(fact="at", op=Op.LT, value=end))
    if rule.coupon is not None:
        conditions.append(Condition(fact="coupon_campaigns", op=Op.HAS, value=rule.coupon))
    return conditions
