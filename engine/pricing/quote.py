"""A quote: the stages run in order on durable-rules, each resolved in Python with Decimal
arithmetic, with a trace of every rule that concerned the quote. A pure function of its input."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from operator import attrgetter
from typing import Any

from engine.pricing import explain
from engine.pricing.compile import PricingRules, RuleRef, StageRules
from engine.pricing.facts import context_facts, line_facts, order_context, order_facts
from engine.pricing.limits import Limits
from engine.pricing.lines import ExtraLine, LineState, member_price, one_price, promote, tier_price
from engine.pricing.orders import apply_order_rules
from engine.pricing.records import maker, record
from engine.rules import CompiledRuleSet, Evaluation, evaluate
from schemas.pricing import (
    Discount,
    PricingInput,
    PricingStage,
    Quote,
    QuoteLine,
    QuoteTotals,
)
from schemas.rules import TraceEntry, TraceOutcome, TraceReason

Evaluator = Callable[[CompiledRuleSet, Sequence[Mapping[str, Any]]], Evaluation]


def price(rules: PricingRules, data: PricingInput, evaluator: Evaluator = evaluate) -> Quote:
    """Price `data` under `rules`. `evaluator` is durable-rules; the benchmarks swap in the
    plain-Python reference to compare."""
    trace: list[TraceEntry] = []
    limits = Limits(data.budget_left_fen)
    extras: list[ExtraLine] = []
    once: set[str] = set()
    lines = data.lines
    context = order_context(context_facts(data), lines)
    states = [LineState(line, tier_unit=line.list_price_fen) for line in lines]

    line_nos = [line.line_no for line in lines]

    def run_line_stage(stage: PricingStage, units: list[int]) -> list[list[RuleRef]]:
        order = order_facts(context, [u * line.quantity for u, line in zip(units, lines, strict=True)])
        stage_rules = rules.stages[stage]
        # Rules that test no per-line fact see the order's facts alone, the same on every line.
        facts = [order] * len(lines) if stage_rules.per_quote else line_facts(order, lines, units)
        return _per_fact(stage_rules, evaluator, facts, trace, line_nos)

    for state, matches in zip(states, run_line_stage(PricingStage.TIER, [l.list_price_fen for l in lines]), strict=True):
        state.tier_unit = one_price(matches, state.line, tier_price, state.line.list_price_fen, trace)  # on the list price
    start = _in_order(trace, 0)
    for state, matches in zip(states, run_line_stage(PricingStage.MEMBER, [s.tier_unit for s in states]), strict=True):
        state.member_unit = one_price(matches, state.line, member_price, state.tier_unit, trace)
    start = _in_order(trace, start)
    points = 0
    for state, matches in zip(states, run_line_stage(PricingStage.PROMOTION, [s.member_unit for s in states]), strict=True):
        points += promote(state, matches, limits, extras, once, trace)
    start = _in_order(trace, start)

    order_discounts: list[list[Discount]] = [[] for _ in states]
    stage_totals: dict[PricingStage, int] = {}
    coupons_applied: list[str] = []
    amounts = [s.amount for s in states]  # each sale line's, less the order stages' discounts so far
    for stage in (PricingStage.ORDER, PricingStage.COUPON):
        fact = order_facts(context, amounts)
        matches = _per_fact(rules.stages[stage], evaluator, [fact], trace, [None], data if stage is PricingStage.COUPON else None)[0]
        outcome = apply_order_rules(matches, amounts, limits, extras, once, trace)
        points += outcome.points
        stage_totals[stage] = 0
        for ref, shares in outcome.discounts:
            stage_totals[stage] += sum(shares)
            for i, share in enumerate(shares):
                if share:
                    amounts[i] -= share
                    order_discounts[i].append(_discount(
                        {"rule_set": ref.version.rule_set, "rule_id": ref.rule.id, "stage": stage, "amount_fen": share}))
            if stage is PricingStage.COUPON and ref.rule.coupon:
                coupons_applied += [c.code for c in data.coupons if c.usable and c.campaign == ref.rule.coupon]
        start = _in_order(trace, start)
    return _quote(data, states, amounts, order_discounts, extras, stage_totals, points, sorted(set(coupons_applied)),
                  trace, rules)


_CENT = Decimal("0.01")
_discount = maker(Discount)
_quote_line = maker(QuoteLine)
# Within one stage: by line (all of a stage's entries are line entries, or all are the order's,
# line_no None), what applied before what did not ("applied" < "not_applied"); stable.
_BY_LINE_THEN_OUTCOME = attrgetter("line_no", "outcome")


def _in_order(trace: list[TraceEntry], start: int) -> int:
    """Put the entries the stage just added (from `start`) in trace order; the stages run in
    their order, so the whole trace ends up stage by stage, line by line (order-level last),
    what applied before what did not. Returns where the next stage's entries start."""
    trace[start:] = sorted(trace[start:], key=_BY_LINE_THEN_OUTCOME)
    return len(trace)


def _per_fact(stage: StageRules, evaluator: Evaluator, facts: list[dict[str, Any]], trace: list[TraceEntry],
              line_nos: Sequence[int | None], coupons: PricingInput | None = None) -> list[list[RuleRef]]:
    """Evaluate the stage's facts: the rules matched per fact; near misses go to the trace."""
    matched: list[list[RuleRef]] = [[] for _ in facts]
    if not stage.refs or not facts:
        return matched
    hits, near_misses = _evaluate(stage, evaluator, facts)
    for compiled_id, indices in hits.items():
        for i in indices:
            matched[i].append(stage.refs[compiled_id])
    # A coupon rule none of whose codes was presented stays silent (`_coupon_miss`): most of them.
    presented = {c.campaign for c in coupons.coupons} if coupons is not None else set()
    # By priority, not in the evaluator's order: the trace of the same input is always the same.
    for compiled_id, indices in sorted(near_misses.items(), key=lambda item: stage.refs[item[0]].order):
        ref = stage.refs[compiled_id]
        if coupons is not None and ref.rule.coupon is not None and ref.rule.coupon not in presented:
            continue
        for i in indices:
            if coupons is not None and ref.rule.coupon is not None:
                entry = _coupon_miss(ref, line_nos[i], facts[i], coupons)
            else:
                entry = explain.near_miss(ref, line_nos[i], facts[i])
            if entry is not None:
                trace.append(entry)
    if coupons is not None:
        known = {ref.rule.coupon for ref in stage.refs.values()}
        for coupon in coupons.coupons:
            if coupon.campaign is None or coupon.campaign not in known:
                trace.append(record(TraceEntry,
                    rule_set="", version=0, rule_id="", rule_name=f"coupon {coupon.code}", stage=PricingStage.COUPON.value,
                    outcome=TraceOutcome.NOT_APPLIED, reason=TraceReason.COUPON_INVALID, line_no=None, amount_fen=0,
                    detail="no such code, or its campaign is not live", failed_conditions=(), hint=None))
    return matched


def _evaluate(stage: StageRules, evaluator: Evaluator, facts: list[dict[str, Any]]
              ) -> tuple[dict[str, Sequence[int]], dict[str, Sequence[int]]]:
    """What `evaluator` would return on the stage's rules with their windows as conditions:
    matched and near-missed fact indices per compiled id. The rules are compiled without their
    windows (every fact of a quote has the same `at`): a rule outside its window at this moment
    matches nothing, and every fact in its scope (those its windowless form matched or nearly
    matched) is a near miss. A stage whose rules test no per-line fact sees every line alike:
    one fact is evaluated for all."""
    if stage.per_quote and len(facts) > 1:
        one = evaluator(stage.compiled, facts[:1])
        every = tuple(range(len(facts)))
        hits: dict[str, Sequence[int]] = dict.fromkeys(one.matched, every)
        near_misses: dict[str, Sequence[int]] = dict.fromkeys(one.near_misses, every)
    else:
        evaluation = evaluator(stage.compiled, facts)
        hits, near_misses = dict(evaluation.matched), dict(evaluation.near_misses)
    outside = stage.windows.outside(facts[0]["at"])
    for compiled_id in outside.intersection(hits):
        near_misses[compiled_id] = tuple(sorted({*hits.pop(compiled_id), *near_misses.get(compiled_id, ())}))
    return hits, near_misses


def _coupon_miss(ref: RuleRef, line_no: int | None, fact: dict[str, Any], data: PricingInput) -> TraceEntry | None:
    """A coupon rule missed for want of its code: silent when no code of its campaign was
    presented, USAGE_EXHAUSTED (with the store's reason) when one was but cannot be used.
    Decided on the failed conditions before any entry is built: most coupon rules of a quote
    stay silent."""
    presented = [c for c in data.coupons if c.campaign == ref.rule.coupon]
    if not presented:
        # No code of its campaign was presented, so its campaign is not among the usable ones
        # (`coupon_campaigns`): that condition failed, and the rule stays silent.
        return None
    failed = ref.failed_conditions(fact)
    if any(c.fact == "coupon_campaigns" for c in failed):
        unusable = [c for c in presented if not c.usable]
        if unusable and len(failed) == 1:
            return explain.not_applied(ref, None, TraceReason.USAGE_EXHAUSTED,
                                       f"coupon {unusable[0].code}: {unusable[0].reason or 'cannot be used'}")
    return explain.near_miss(ref, line_no, fact, failed)


def _quote(data: PricingInput, states: list[LineState], amounts: list[int], order_discounts: list[list[Discount]],
           extras: list[ExtraLine], stage_totals: dict[PricingStage, int], points: int, coupons: list[str],
           trace: list[TraceEntry], rules: PricingRules) -> Quote:
    """`amounts`: each sale line's after every discount."""
    out: list[QuoteLine] = []
    promotion = PricingStage.PROMOTION
    list_amount = tier_amount = line_discount = sale_final = 0
    for state, discounts, amount in zip(states, order_discounts, amounts, strict=True):
        line = state.line
        quantity = line.quantity
        promotions = [_discount({"rule_set": r.version.rule_set, "rule_id": r.rule.id, "stage": promotion,
                                 "amount_fen": a}) for r, a in state.promotions]
        final = max(0, amount)
        list_amount += line.list_price_fen * quantity
        tier_amount += state.tier_unit * quantity
        line_discount += (state.tier_unit - state.member_unit) * quantity + state.promoted
        sale_final += final
        out.append(_quote_line({
            "line_no": line.line_no, "model": line.model, "quantity": quantity, "kind": "sale", "source_rule": None,
            "list_price_fen": line.list_price_fen, "tier_price_fen": state.tier_unit,
            "member_price_fen": state.member_unit, "list_amount_fen": line.list_price_fen * quantity,
            "discounts": (*promotions, *discounts), "final_amount_fen": final,
            "final_unit_price_fen": (Decimal(final) / quantity).quantize(_CENT), "points_multiplier": state.multiplier,
        }))
    next_no = max((s.line.line_no for s in states), default=0) + 1
    gift_amount = 0
    for extra in extras:
        amount = extra.unit_price_fen * extra.quantity
        gift_amount += amount if extra.kind == "gift" else 0
        out.append(record(QuoteLine,
            line_no=next_no, model=extra.model, quantity=extra.quantity, kind=extra.kind, source_rule=extra.ref.key,
            list_price_fen=extra.list_price_fen, tier_price_fen=extra.unit_price_fen, member_price_fen=extra.unit_price_fen,
            list_amount_fen=extra.list_price_fen * extra.quantity, discounts=(), final_amount_fen=amount,
            final_unit_price_fen=Decimal(extra.unit_price_fen), points_multiplier=Decimal(1),
        ))
        next_no += 1
    totals = record(QuoteTotals,
        list_amount_fen=list_amount,
        tier_amount_fen=tier_amount,
        line_discount_fen=line_discount,
        order_discount_fen=stage_totals.get(PricingStage.ORDER, 0),
        coupon_discount_fen=stage_totals.get(PricingStage.COUPON, 0),
        gift_amount_fen=gift_amount,
        final_amount_fen=sale_final + gift_amount,
        points_award=points,
    )
    return record(Quote, lines=tuple(out), totals=totals, coupons_applied=tuple(coupons), trace=tuple(trace),
                                 versions=rules.versions, at=data.at)
