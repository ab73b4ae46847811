"""Which of the rules that matched one line (or the order) apply together: deterministic.

Candidates are taken by priority (then rule set and id). An EXCLUSIVE rule applies alone: if it
is the first to apply, nothing after it does; below a rule that already applied, it does not.
Inside an exclusive group one rule wins, by priority or by the largest amount (BEST policy).
BEST-stacking rules (order-level discounts by default) form one implicit group that always
picks the best deal. STACKABLE rules all apply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter

from engine.pricing.compile import BEST_GROUP, RuleRef, by_priority
from schemas.pricing import Stacking
from schemas.rules import TraceReason


@dataclass(frozen=True)
class Refusal:
    ref: RuleRef
    reason: TraceReason
    detail: str


_plain = attrgetter("plain")


def resolve(candidates: Sequence[RuleRef], worth: Callable[[RuleRef], int]) -> tuple[list[RuleRef], list[Refusal]]:
    """(the rules that apply, in order; the others with the reason). `worth` is what a rule
    would give alone, used to pick the best of a BEST group."""
    ordered = sorted(candidates, key=by_priority) if len(candidates) > 1 else list(candidates)
    if all(map(_plain, ordered)):  # the usual case: nothing excludes anything
        return ordered, []
    best = _best_of_groups(ordered, worth)
    winners: list[RuleRef] = []
    refused: list[Refusal] = []
    taken: dict[str, RuleRef] = {}
    alone: RuleRef | None = None
    for ref in ordered:
        group, stacking = ref.group, ref.stacking
        if alone is not None:
            refused.append(Refusal(ref, TraceReason.LOST_TO_PRIORITY, f"exclusive rule {alone.key} applies alone"))
        elif group is not None and group in taken:
            reason = TraceReason.NOT_BEST_DEAL if group == BEST_GROUP else TraceReason.EXCLUSIVE_GROUP
            refused.append(Refusal(ref, reason, f"{taken[group].key} won {_group_label(group)}"))
        elif group is not None and group in best and best[group] is not ref:
            reason = TraceReason.NOT_BEST_DEAL if group == BEST_GROUP else TraceReason.EXCLUSIVE_GROUP
            refused.append(Refusal(ref, reason, f"{best[group].key} is the better deal in {_group_label(group)}"))
        elif stacking is Stacking.EXCLUSIVE and winners:
            refused.append(Refusal(ref, TraceReason.LOST_TO_PRIORITY,
                                   f"exclusive, and {winners[0].key} of higher priority already applies"))
        else:
            winners.append(ref)
            if group is not None:
                taken[group] = ref
            if stacking is Stacking.EXCLUSIVE:
                alone = ref
    return winners, refused


def _best_of_groups(ordered: Sequence[RuleRef], worth: Callable[[RuleRef], int]) -> dict[str, RuleRef]:
    """For groups that pick by amount: the winner (largest amount, ties to the first in order)."""
    best: dict[str, tuple[int, RuleRef]] = {}
    for ref in ordered:
        if not ref.by_amount:
            continue
        group = ref.group
        amount = worth(ref)
        if group not in best or amount > best[group][0]:
            best[group] = (amount, ref)
    return {group: ref for group, (_, ref) in best.items()}


def _group_label(group: str) -> str:
    return "the best-deal choice" if group == BEST_GROUP else f"exclusive group {group!r}"
