"""Rebate and price-protection documents beyond their pydantic shape: unique policy ids,
conditions over the facts they may test, tiers that ascend and rewards that fit the basis."""

from __future__ import annotations

from collections.abc import Iterable

from engine.errors import FieldError
from engine.rules import check_conditions
from schemas.errors import ErrorCode
from schemas.rebates import (
    DEALER_FACTS,
    PRODUCT_FACTS,
    Basis,
    MeasureKind,
    PriceProtectionDocument,
    RebateDocument,
    RebatePolicy,
    TierMode,
)

Path = tuple[str | int, ...]


def check_rebate_document(document: RebateDocument, path: Path = ("document",)) -> list[FieldError]:
    """Every problem of a valid-shaped rebate document, each on its path."""
    errors = _repeats(((i, p.id) for i, p in enumerate(document.policies)), (*path, "policies"))
    for index, policy in enumerate(document.policies):
        at = (*path, "policies", index)
        errors += check_conditions(DEALER_FACTS, policy.eligibility, (*at, "eligibility"))
        errors += check_conditions(PRODUCT_FACTS, policy.scope, (*at, "scope"))
        errors += _check_policy(policy, at)
    return errors


def check_protection_document(document: PriceProtectionDocument, path: Path = ("document",)) -> list[FieldError]:
    """Every problem of a valid-shaped price-protection document, each on its path."""
    errors = _repeats(((i, p.id) for i, p in enumerate(document.policies)), (*path, "policies"))
    for index, policy in enumerate(document.policies):
        at = (*path, "policies", index)
        errors += check_conditions(DEALER_FACTS, policy.eligibility, (*at, "eligibility"))
        errors += check_conditions(PRODUCT_FACTS, policy.scope, (*at, "scope"))
    return errors


def _check_policy(policy: RebatePolicy, at: Path) -> list[FieldError]:
    """A policy's period, tiers and rewards against each other (engine.rebates.tiers relies on them)."""
    errors: list[FieldError] = []
    if (policy.period is None) == (policy.campaign is None):
        both = policy.period is not None
        errors.append(FieldError((*at, "campaign" if both else "period"),
                                 "give either a period or a campaign, not both" if both
                                 else "a policy settles by period or by campaign: give one",
                                 ErrorCode.INVALID if both else ErrorCode.REQUIRED))
    marginal = policy.mode is TierMode.MARGINAL
    if marginal and policy.measure is not MeasureKind.VOLUME:
        errors.append(FieldError((*at, "mode"), "marginal tiers measure the volume itself: use measure `volume`",
                                 ErrorCode.INVALID))
    quantity = policy.basis is Basis.QUANTITY
    whole = policy.measure is MeasureKind.VOLUME  # thresholds in fen or units
    unit = "units" if quantity else "fen"
    for k, tier in enumerate(policy.tiers):
        t = (*at, "tiers", k)
        if k and tier.at_least <= policy.tiers[k - 1].at_least:
            errors.append(FieldError((*t, "at_least"), "tiers must ascend: at_least must exceed the previous tier's",
                                     ErrorCode.INVALID))
        if whole and tier.at_least != tier.at_least.to_integral_value():
            errors.append(FieldError((*t, "at_least"), f"a volume threshold is a whole number of {unit}",
                                     ErrorCode.INVALID))
        if marginal and tier.amount_fen is not None:
            errors.append(FieldError((*t, "amount_fen"), "a marginal band earns a percent or a per-unit amount, "
                                     "not a fixed amount", ErrorCode.INVALID))
        if tier.percent is not None and quantity:
            errors.append(FieldError((*t, "percent"), "a percent reward needs an amount basis (quantity earns "
                                     "per_unit_fen)", ErrorCode.INVALID))
        if tier.per_unit_fen is not None and not quantity:
            errors.append(FieldError((*t, "per_unit_fen"), "a per-unit reward needs the quantity basis",
                                     ErrorCode.INVALID))
    if policy.up_to is not None:
        if not marginal:
            errors.append(FieldError((*at, "up_to"), "up_to ends the last band of marginal tiers only",
                                     ErrorCode.INVALID))
        elif policy.up_to <= policy.tiers[-1].at_least:
            errors.append(FieldError((*at, "up_to"), "up_to must be above the last tier's at_least",
                                     ErrorCode.OUT_OF_RANGE))
        if whole and policy.up_to != policy.up_to.to_integral_value():
            errors.append(FieldError((*at, "up_to"), f"a volume threshold is a whole number of {unit}",
                                     ErrorCode.INVALID))
    return errors


def _repeats(keys: Iterable[tuple[int, str]], path: Path) -> list[FieldError]:
    seen: set[str] = set()
    errors = []
    for index, key in keys:
        if key in seen:
            errors.append(FieldError((*path, index, "id"), f"policy id {key!r} is used twice", ErrorCode.DUPLICATE))
        seen.add(key)
    return errors
