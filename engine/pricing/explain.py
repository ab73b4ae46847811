"""Trace entries: what applied and why, what did not and why not, and what would make it apply."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from engine.pricing.compile import RuleRef
from engine.pricing.records import maker
from engine.pricing.money import yuan
from schemas.rules import Condition, Op, TraceEntry, TraceOutcome, TraceReason

_QUANTITIES = {"quantity": "", "category_quantity": " of this category", "order_quantity": " in the order"}
_AMOUNTS = {"amount_fen": " on this line", "category_amount_fen": " on this category", "order_amount_fen": ""}


_trace_entry = maker(TraceEntry)


def applied(ref: RuleRef, line_no: int | None, amount_fen: int, detail: str = "", reason: TraceReason | None = None,
            hint: str | None = None) -> TraceEntry:
    return _entry(ref, TraceOutcome.APPLIED, reason, line_no, amount_fen, detail, (), hint)


def not_applied(ref: RuleRef, line_no: int | None, reason: TraceReason, detail: str,
                failed: tuple[Condition, ...] = (), hint: str | None = None) -> TraceEntry:
    return _entry(ref, TraceOutcome.NOT_APPLIED, reason, line_no, 0, detail, failed, hint)


def near_miss(ref: RuleRef, line_no: int | None, fact: Mapping[str, Any],
              failed: tuple[Condition, ...] | None = None) -> TraceEntry:
    """A rule in scope whose thresholds (or window) failed on this fact: which (`failed`, when
    the caller has found them already), each as `fact op value (is actual)`, and a hint such as
    "buy 2 more" or "spend ¥120.00 more" for a quantity or amount short of its threshold."""
    if failed is None:
        failed = ref.failed_conditions(fact)
    details: list[str] = []
    hints: list[str] = []
    for condition in failed:
        said = ref.wording.get(id(condition))
        if said is None or said.condition is not condition:
            said = ref.wording[id(condition)] = _wording(condition)
        if said.fact == "at":
            return not_applied(ref, line_no, TraceReason.OUTSIDE_WINDOW, "outside the rule's validity window", failed)
        have = fact.get(said.fact)
        details.append(f"{said.label}{have!r})")
        if said.threshold is not None and isinstance(have, int) and said.threshold > have:
            short = said.threshold - have
            hints.append(said.hint % (yuan(short) if said.money else short))
    return not_applied(ref, line_no, TraceReason.CONDITION_FAILED, "; ".join(details), failed, "; ".join(hints) or None)


class _Wording(NamedTuple):
    """How a near miss words one condition, worked out the first time it fails (RuleRef.wording)."""

    condition: Condition
    fact: str
    label: str  # up to the fact's value: "quantity gte 4 (is "
    threshold: int | None  # for a hint: what the fact must reach (None: no hint)
    hint: str  # with %s for what is short
    money: bool  # what is short is an amount (in yuan), not a quantity


def _wording(condition: Condition) -> _Wording:
    value, fact, op = condition.value, condition.fact, condition.op
    label = f"{fact} {op.value} {value!r} (is "
    counted = isinstance(value, int) and not isinstance(value, bool) and op in (Op.GTE, Op.GT)
    if counted and fact in _QUANTITIES:
        return _Wording(condition, fact, label, value + (op is Op.GT), f"buy %s more{_QUANTITIES[fact]}", False)
    if counted and fact in _AMOUNTS:
        return _Wording(condition, fact, label, value + (op is Op.GT), f"spend %s more{_AMOUNTS[fact]}", True)
    return _Wording(condition, fact, label, None, "", False)


def _entry(ref: RuleRef, outcome: TraceOutcome, reason: TraceReason | None, line_no: int | None, amount_fen: int,
           detail: str, failed: tuple[Condition, ...], hint: str | None) -> TraceEntry:
    # A copy of the rule's own fields, then the entry's, one by one: `{**head, …}` took twice as
    # long, and a quote builds a hundred entries.
    values = ref.trace_head.copy()
    values["outcome"] = outcome
    values["reason"] = reason
    values["line_no"] = line_no
    values["amount_fen"] = amount_fen
    values["detail"] = detail
    values["failed_conditions"] = failed
    values["hint"] = hint
    return _trace_entry(values)
