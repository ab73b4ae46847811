"""Order lines as numpy columns: what the settlement core aggregates (never looped in Python).

The service loads them in SQL, one row per order line, with the order's total and what was paid
on the order within its terms (received by its due date, and by the settlement's moment)
repeated on each of its lines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import numpy as np

COLUMNS = ("order_id", "dealer_id", "product_id", "placed_at", "quantity", "amount_fen", "order_total_fen",
           "order_paid_fen")


@dataclass(frozen=True)
class OrderLines:
    """Columnar order lines, int64 arrays of equal length; `placed_at` in epoch seconds."""

    order_id: np.ndarray
    dealer_id: np.ndarray
    product_id: np.ndarray
    placed_at: np.ndarray
    quantity: np.ndarray
    amount_fen: np.ndarray
    order_total_fen: np.ndarray  # the line's order total (repeated per line)
    order_paid_fen: np.ndarray  # paid on that order within terms (repeated per line)

    def __post_init__(self) -> None:
        sizes = {len(getattr(self, f.name)) for f in fields(self)}
        if len(sizes) > 1:
            raise ValueError(f"order line columns differ in length: {sorted(sizes)}")

    @classmethod
    def empty(cls) -> OrderLines:
        return cls(**{name: np.zeros(0, dtype=np.int64) for name in COLUMNS})

    @classmethod
    def from_columns(cls, **columns: Sequence[int] | np.ndarray) -> OrderLines:
        """From sequences or arrays of every column. `order_total_fen` may be left out: it is
        then the sum of the given lines' amounts per order (the order's lines are all given),
        and `order_paid_fen` left out is nothing paid."""
        unknown = sorted(columns.keys() - set(COLUMNS))
        if unknown:
            raise TypeError(f"unknown order line columns {unknown}")
        arrays: dict[str, Any] = {name: np.asarray(values, dtype=np.int64) for name, values in columns.items()}
        missing = [n for n in COLUMNS if n not in arrays and n not in ("order_total_fen", "order_paid_fen")]
        if missing:
            raise TypeError(f"missing order line columns {missing}")
        if "order_total_fen" not in arrays:
            orders, at = np.unique(arrays["order_id"], return_inverse=True)
            arrays["order_total_fen"] = np.bincount(at, weights=arrays["amount_fen"], minlength=len(orders)).astype(
                np.int64)[at] if len(orders) else np.zeros(0, dtype=np.int64)
        if "order_paid_fen" not in arrays:
            arrays["order_paid_fen"] = np.zeros(len(arrays["order_id"]), dtype=np.int64)
        return cls(**arrays)

    def __len__(self) -> int:
        return len(self.order_id)

    def where(self, mask: np.ndarray) -> OrderLines:
        """The lines where `mask` (a boolean array, or indices) selects."""
        return OrderLines(**{name: getattr(self, name)[mask] for name in COLUMNS})

    def within(self, start: datetime, end: datetime) -> OrderLines:
        """The lines placed in [start, end) (aware instants)."""
        if start.utcoffset() is None or end.utcoffset() is None:
            raise ValueError("naive datetime refused: time must be timezone-aware")
        low, high = _epoch(start), _epoch(end)
        return self.where((self.placed_at >= low) & (self.placed_at < high))

    def paid_share(self) -> np.ndarray:
        """Each line's part of what was paid on its order: amount × min(paid, total) // total
        (rounded down, so an order's lines never add up to more than was paid; 0 when the
        order's total is 0)."""
        total = self.order_total_fen
        paid = np.clip(self.order_paid_fen, 0, total)
        safe = np.where(total > 0, total, 1)
        if len(total) and int(np.abs(self.amount_fen).max()) * int(paid.max()) >= 2**63:
            # The product would overflow int64: exact Python integers (rare: orders in billions).
            share = self.amount_fen.astype(object) * paid.astype(object) // safe.astype(object)
            return np.where(total > 0, share, 0).astype(np.int64)
        return np.where(total > 0, self.amount_fen * paid // safe, 0)


def _epoch(moment: datetime) -> int:
    # Whole seconds, rounded up: a line at 12:00:00 is not at or after 12:00:00.5 (placed_at is whole).
    return math.ceil(moment.timestamp())
