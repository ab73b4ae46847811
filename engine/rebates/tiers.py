"""A policy's tiers applied to one dealer's volume: which tier is reached and what it earns,
unrounded, with how it was worked out (rounding and the cap are the settlement's)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from schemas.rebates import Basis, MeasureKind, RebatePolicy, Tier, TierMode

HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_MEASURE_PLACES = Decimal("0.0001")  # a percentage measure is kept to the tiers' precision


@dataclass(frozen=True)
class Reward:
    """The tier reached (None: below the first) and its reward in fen, unrounded; `detail` e.g.
    "100.00 × 5% + 100.00 × 10%" (amounts in yuan)."""

    tier_index: int | None
    amount: Decimal
    detail: str


def measure_of(policy: RebatePolicy, volume: Decimal, target: int | None, last_year: Decimal | None
               ) -> tuple[Decimal | None, str]:
    """What the tiers are compared with, or None and why the dealer cannot be measured. A
    percentage is floored to 4 places, the tiers' precision, so rounding never reaches a tier."""
    if policy.measure is MeasureKind.VOLUME:
        return volume, ""
    if policy.measure is MeasureKind.TARGET_PERCENT:
        if not target or target <= 0:
            return None, "no sales target"
        return (volume * HUNDRED / target).quantize(_MEASURE_PLACES, ROUND_FLOOR), ""
    if not last_year or last_year <= 0:
        return None, "no volume in the same period last year"
    return ((volume - last_year) * HUNDRED / last_year).quantize(_MEASURE_PLACES, ROUND_FLOOR), ""


def reward(policy: RebatePolicy, volume: Decimal, measure: Decimal) -> Reward:
    """The reward of `volume` (fen for amount bases, units for QUANTITY) at `measure`."""
    reached = [k for k, tier in enumerate(policy.tiers) if tier.at_least <= measure]
    if not reached:
        return Reward(None, Decimal(0), "")
    top = reached[-1]
    if policy.mode is TierMode.RETROACTIVE:
        amount, text = _earn(policy, policy.tiers[top], volume)
        return Reward(top, amount, text)
    if policy.measure is not MeasureKind.VOLUME:
        raise ValueError(f"policy {policy.id!r}: marginal tiers measure the volume itself")
    total, parts = Decimal(0), []
    for k in reached:
        low = policy.tiers[k].at_least
        high = policy.tiers[k + 1].at_least if k + 1 < len(policy.tiers) else policy.up_to
        band = min(volume, high) - low if high is not None else volume - low
        if band <= 0:
            continue
        amount, text = _earn(policy, policy.tiers[k], band)
        total += amount
        parts.append(text)
    return Reward(top, total, " + ".join(parts) or _volume(policy, Decimal(0)))


def _earn(policy: RebatePolicy, tier: Tier, volume: Decimal) -> tuple[Decimal, str]:
    """One tier's reward on (a band of) the volume, and how."""
    if tier.amount_fen is not None:
        return Decimal(tier.amount_fen), f"fixed {yuan(tier.amount_fen)}"
    if tier.percent is not None:
        if policy.basis is Basis.QUANTITY:
            raise ValueError(f"policy {policy.id!r}: a percent reward needs an amount basis")
        return volume * tier.percent / HUNDRED, f"{yuan(volume)} × {_number(tier.percent)}%"
    if policy.basis is not Basis.QUANTITY:
        raise ValueError(f"policy {policy.id!r}: a per-unit reward needs the quantity basis")
    assert tier.per_unit_fen is not None  # a tier gives exactly one reward (schemas.rebates.Tier)
    return volume * tier.per_unit_fen, f"{_number(volume)} × {yuan(tier.per_unit_fen)}"


def describe_measure(policy: RebatePolicy, value: Decimal) -> str:
    """A volume or measure as a reader sees it: yuan, units or a percentage."""
    if policy.measure is MeasureKind.VOLUME:
        return _volume(policy, value)
    return f"{_number(value)}%"


def _volume(policy: RebatePolicy, value: Decimal) -> str:
    return f"{_number(value)} units" if policy.basis is Basis.QUANTITY else yuan(value)


def yuan(fen: Decimal | int) -> str:
    """Fen as yuan, e.g. 12345 -> "123.45" (fractions of a fen are shown to the fen)."""
    return f"{(Decimal(fen) / HUNDRED).quantize(_CENT, ROUND_HALF_UP):,.2f}"


def _number(value: Decimal) -> str:
    """A Decimal without trailing zeros or an exponent: 5.0000 -> "5", 2.50 -> "2.5"."""
    return f"{value.normalize():f}"
