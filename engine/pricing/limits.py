"""What a rule may still give in this quote: its cap per quote and what its budget has left."""

from __future__ import annotations

from collections.abc import Mapping

from engine.pricing.compile import RuleRef
from schemas.rules import TraceReason


class Limits:
    def __init__(self, budget_left_fen: Mapping[str, int]) -> None:
        self._budget_left = dict(budget_left_fen)
        self._given: dict[str, int] = {}

    def grant(self, ref: RuleRef, amount: int) -> tuple[int, TraceReason | None]:
        """The part of `amount` the rule may give, and why it is less (CAPPED, BUDGET_EXHAUSTED)."""
        if amount <= 0:
            return 0, None
        given = self._given.get(ref.key, 0)
        granted, reason = amount, None
        if ref.rule.cap_fen is not None and given + granted > ref.rule.cap_fen:
            granted, reason = max(0, ref.rule.cap_fen - given), TraceReason.CAPPED
        if ref.key in self._budget_left and given + granted > self._budget_left[ref.key]:
            granted, reason = max(0, self._budget_left[ref.key] - given), TraceReason.BUDGET_EXHAUSTED
        self._given[ref.key] = given + granted
        return granted, reason

    def given(self) -> dict[str, int]:
        """Per rule key, what it gave in this quote (what a placed order draws from budgets)."""
        return {key: amount for key, amount in self._given.items() if amount}
