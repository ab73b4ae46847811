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
        key, cap = ref.key, ref.rule.cap_fen
        given = self._given.get(key, 0)
        if cap is None and key not in self._budget_left:  # most rules: neither a cap nor a budget
            self._given[key] = given + amount
            return amount, None
        granted, reason = amount, None
        if cap is not None and given + granted > cap:
            granted, reason = max(0, cap - given), TraceReason.CAPPED
        if key in self._budget_left and given + granted > self._budget_left[key]:
            granted, reason = max(0, self._budget_left[key] - given), TraceReason.BUDGET_EXHAUSTED
        self._given[key] = given + granted
        return granted, reason

    def given(self) -> dict[str, int]:
        """Per rule key, what it gave in this quote (what a placed order draws from budgets)."""
        return {key: amount for key, amount in self._given.items() if amount}
