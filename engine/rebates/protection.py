"""Price protection at one price cut: per dealer and model, the units received within a policy's
window before the cut and still on hand, and the credit (old dealer price − new) for each.

Stock sells first in, first out, so what a dealer holds at the cut is its latest receipts: the
eligible units are min(on hand, received within the window). Units on hand at the cut are the
latest stock report on or before the cut's day (brand time zone), plus receipts after that
report's day, less sell-out reported after it, never below zero. Without a stock report nothing
is on hand: a dealer claims protection on stock it reports.

Columns are numpy int64 arrays of equal length; a (dealer, product) pair is one int64 key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Self

import numpy as np

from engine.clock import BRAND_TZ

_PRODUCT_BITS = 32  # product ids below 2**32 (checked), dealer ids below 2**31
Pair = tuple[int, int]  # (dealer id, product id)


class _Columns:
    """Equal-length int64 columns of a frozen dataclass."""

    @classmethod
    def from_columns(cls, **columns: Any) -> Self:
        arrays = {name: np.asarray(values, dtype=np.int64) for name, values in columns.items()}
        if len({len(a) for a in arrays.values()}) > 1:
            raise ValueError("columns of unequal length")
        return cls(**arrays)

    @classmethod
    def empty(cls) -> Self:
        return cls.from_columns(**{f.name: () for f in fields(cls)})  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(getattr(self, fields(self)[0].name))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Receipts(_Columns):
    """Units a dealer received: sales-order lines of its delivered orders, `at` the delivery
    (epoch seconds)."""

    dealer_id: np.ndarray
    product_id: np.ndarray
    at: np.ndarray
    quantity: np.ndarray


@dataclass(frozen=True)
class StockReports(_Columns):
    """Units on hand at the end of day `as_of` (a date's ordinal, brand time zone)."""

    dealer_id: np.ndarray
    product_id: np.ndarray
    as_of: np.ndarray
    on_hand: np.ndarray


@dataclass(frozen=True)
class SellOuts(_Columns):
    """Units a dealer sold on day `sold_on` (a date's ordinal) to stores or consumers."""

    dealer_id: np.ndarray
    product_id: np.ndarray
    sold_on: np.ndarray
    quantity: np.ndarray


@dataclass(frozen=True)
class Holdings(_Columns):
    """Per (dealer, product) that received units within the window, sorted by dealer then
    product: the units received, on hand at the cut and eligible, and how on-hand was found
    (report day, or -1 without a report; units reported; received and sold since)."""

    dealer_id: np.ndarray
    product_id: np.ndarray
    received: np.ndarray
    on_hand: np.ndarray
    eligible: np.ndarray
    reported_on: np.ndarray
    reported: np.ndarray
    received_since: np.ndarray
    sold_since: np.ndarray

    def where(self, mask: np.ndarray) -> Holdings:
        return Holdings(**{f.name: getattr(self, f.name)[mask] for f in fields(self)})

    def pairs(self) -> list[Pair]:
        return list(zip(self.dealer_id.tolist(), self.product_id.tolist(), strict=True))


@dataclass(frozen=True)
class ClaimDraft:
    """One dealer's credit for one model at a cut, before it is stored as a claim."""

    dealer_id: int
    product_id: int
    received: int
    on_hand: int
    eligible: int
    old_price_fen: int
    new_price_fen: int
    uncapped_fen: int  # (old − new) × eligible
    credit_fen: int  # after the policy's cap per dealer
    capped: bool
    detail: str


def holdings(receipts: Receipts, stock: StockReports, sellouts: SellOuts, cut_at: datetime, window_days: int,
             tz: tzinfo = BRAND_TZ) -> Holdings:
    """Received, on hand and eligible units at `cut_at` for a window of `window_days` (whole
    24-hour days before the cut: a receipt exactly `window_days` before it counts, one at the
    cut does not)."""
    if cut_at.utcoffset() is None:
        raise ValueError("cut_at must be timezone-aware")
    cut = int(cut_at.timestamp())
    start = int((cut_at - timedelta(days=window_days)).timestamp())
    cut_day = cut_at.astimezone(tz).date().toordinal()

    rkey = _key(receipts.dealer_id, receipts.product_id)
    in_window = (receipts.at >= start) & (receipts.at < cut)
    keys, received = _sum_by(rkey[in_window], receipts.quantity[in_window])

    # The latest report on or before the cut's day, per pair that received within the window.
    known = stock.as_of <= cut_day
    skey, as_of, on_hand = _key(stock.dealer_id, stock.product_id)[known], stock.as_of[known], stock.on_hand[known]
    order = np.lexsort((as_of, skey))
    skey, as_of, on_hand = skey[order], as_of[order], on_hand[order]
    last = np.r_[skey[1:] != skey[:-1], True] if len(skey) else np.zeros(0, dtype=bool)
    skey, as_of, on_hand = skey[last], as_of[last], on_hand[last]
    at = _lookup(skey, keys)
    has_report = at >= 0
    reported_on = np.where(has_report, as_of[np.maximum(at, 0)] if len(skey) else -1, -1)
    reported = np.where(has_report, on_hand[np.maximum(at, 0)] if len(skey) else 0, 0)

    # Receipts after the report's day (from the start of the next day) and before the cut.
    day_ends = _day_starts(reported_on + 1, tz)
    slot = _lookup(keys, rkey)
    mine = slot >= 0
    after = mine & (receipts.at < cut)
    after[mine] &= has_report[slot[mine]] & (receipts.at[mine] >= day_ends[slot[mine]])
    received_since = np.bincount(slot[after], weights=receipts.quantity[after], minlength=len(keys)).astype(np.int64)

    # Sell-out reported after the report's day, up to the cut's day.
    okey = _key(sellouts.dealer_id, sellouts.product_id)
    slot = _lookup(keys, okey)
    sold = (slot >= 0) & (sellouts.sold_on <= cut_day)
    sold[sold] &= has_report[slot[sold]] & (sellouts.sold_on[sold] > reported_on[slot[sold]])
    sold_since = np.bincount(slot[sold], weights=sellouts.quantity[sold], minlength=len(keys)).astype(np.int64)

    held = np.where(has_report, np.maximum(reported + received_since - sold_since, 0), 0)
    return Holdings(
        dealer_id=keys >> _PRODUCT_BITS, product_id=keys & ((1 << _PRODUCT_BITS) - 1), received=received,
        on_hand=held, eligible=np.minimum(held, received), reported_on=reported_on, reported=reported,
        received_since=received_since, sold_since=sold_since,
    )


def claim_drafts(held: Holdings, old_prices: Mapping[Pair, int], new_prices: Mapping[Pair, int],
                 cap_fen: int | None, window_days: int) -> list[ClaimDraft]:
    """A draft per pair with eligible units whose dealer price went down (a rise or no change
    gives nothing; a pair without both prices is skipped), sorted by dealer then product. A
    dealer's credits above `cap_fen` are cut pro rata, the fen left over going to the largest
    remainders (ties: lower product id), and all its drafts are marked capped."""
    drafts: dict[int, list[ClaimDraft]] = {}
    for i in np.flatnonzero(held.eligible > 0).tolist():
        pair = (int(held.dealer_id[i]), int(held.product_id[i]))
        old, new = old_prices.get(pair), new_prices.get(pair)
        if old is None or new is None or new >= old:
            continue
        eligible = int(held.eligible[i])
        credit = (old - new) * eligible
        drafts.setdefault(pair[0], []).append(ClaimDraft(
            dealer_id=pair[0], product_id=pair[1], received=int(held.received[i]), on_hand=int(held.on_hand[i]),
            eligible=eligible, old_price_fen=old, new_price_fen=new, uncapped_fen=credit, credit_fen=credit,
            capped=False, detail=_detail(held, i, window_days, old, new, credit),
        ))
    result = []
    for dealer_id in sorted(drafts):
        own = drafts[dealer_id]
        total = sum(d.uncapped_fen for d in own)
        if cap_fen is not None and total > cap_fen:
            shares = allocate(cap_fen, [d.uncapped_fen for d in own])
            note = f"; the dealer's credits {_yuan(total)} exceed the cap {_yuan(cap_fen)}: cut pro rata"
            own = [replace(d, credit_fen=share, capped=True, detail=d.detail + note)
                   for d, share in zip(own, shares, strict=True)]
        result += own
    return result


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """`total` split over positive integer `weights` pro rata, rounded down, the fen left over
    going one each to the largest remainders (ties: earlier first): the parts sum to `total`."""
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    for i in sorted(range(len(weights)), key=lambda k: (-remainders[k], k))[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _detail(held: Holdings, i: int, window_days: int, old: int, new: int, credit: int) -> str:
    if held.reported_on[i] >= 0:
        source = (f"stock report of {date.fromordinal(int(held.reported_on[i]))}: {int(held.reported[i])}, "
                  f"+{int(held.received_since[i])} received and −{int(held.sold_since[i])} sold since")
    else:
        source = "no stock report"
    return (f"received {int(held.received[i])} within {window_days} days before the cut; "
            f"on hand {int(held.on_hand[i])} ({source}); eligible {int(held.eligible[i])} "
            f"× ({_yuan(old)} − {_yuan(new)}) = {_yuan(credit)}")


def _yuan(fen: int) -> str:
    return f"¥{Decimal(fen) / 100:,.2f}"


def _key(dealer_id: np.ndarray, product_id: np.ndarray) -> np.ndarray:
    if len(product_id) and (product_id.min() < 0 or product_id.max() >> _PRODUCT_BITS):
        raise ValueError("product ids must be below 2**32")
    return (dealer_id.astype(np.int64) << _PRODUCT_BITS) | product_id.astype(np.int64)


def _sum_by(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    unique, inverse = np.unique(keys, return_inverse=True)
    return unique, np.bincount(inverse, weights=values, minlength=len(unique)).astype(np.int64)


def _lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Index of each key in the sorted unique `sorted_keys`, or -1."""
    if not len(sorted_keys):
        return np.full(len(keys), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return np.where(sorted_keys[at] == keys, at, -1)


def _day_starts(ordinals: np.ndarray, tz: tzinfo) -> np.ndarray:
    """Epoch seconds at which each day (ordinal; ≤ 0 gives 0) starts in `tz`, one conversion
    per distinct day."""
    unique, inverse = np.unique(ordinals, return_inverse=True)
    starts = np.array([int(datetime.combine(date.fromordinal(int(d)), time(), tz).timestamp()) if d > 0 else 0
                       for d in unique.tolist()], dtype=np.int64)
    return starts[inverse] if len(unique) else np.zeros(0, dtype=np.int64)
