"""Trace entries: what applied and why, what did not and why not, and what would make it apply."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
    the caller has found them already), and a hint."""
    if failed is None:
        failed = ref.failed_conditions(fact)
    if any(c.fact == "at" for c in failed):
        return not_applied(ref, line_no, TraceReason.OUTSIDE_WINDOW, "outside the rule's validity window", failed)
    hints = [h for h in (hint_for(c, fact) for c in failed) if h]
    detail = "; ".join(describe(c, fact) for c in failed)
    return not_applied(ref, line_no, TraceReason.CONDITION_FAILED, detail, failed, "; ".join(hints) or None)


def hint_for(condition: Condition, fact: Mapping[str, Any]) -> str | None:
    """"buy 2 more" / "spend ¥120.00 more" for a quantity or amount short of a threshold."""
    value, have = condition.value, fact.get(condition.fact)
    if not isinstance(value, int) or isinstance(value, bool) or not isinstance(have, int):
        return None
    short = {Op.GTE: value - have, Op.GT: value + 1 - have}.get(condition.op)
    if short is None or short <= 0:
        return None
    if condition.fact in _QUANTITIES:
        return f"buy {short} more{_QUANTITIES[condition.fact]}"
    if condition.fact in _AMOUNTS:
        return f"spend {yuan(short)} more{_AMOUNTS[condition.fact]}"
    return None


def describe(condition: Condition, fact: Mapping[str, Any]) -> str:
    return f"{condition.fact} {condition.op.value} {condition.value!r} (is {fact.get(condition.fact)!r})"


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
