"""Rebate and price-protection documents beyond their pydantic shape: unique policy ids,
conditions over the facts they may test, tiers that ascend."""

from __future__ import annotations

from collections.abc import Iterable

from engine.errors import FieldError
from engine.rules import check_conditions
from schemas.errors import ErrorCode
from schemas.rebates import DEALER_FACTS, PRODUCT_FACTS, PriceProtectionDocument, RebateDocument

Path = tuple[str | int, ...]


def check_rebate_document(document: RebateDocument, path: Path = ("document",)) -> list[FieldError]:
    """Every problem of a valid-shaped rebate document, each on its path."""
    errors = _repeats(((i, p.id) for i, p in enumerate(document.policies)), (*path, "policies"))
    for index, policy in enumerate(document.policies):
        at = (*path, "policies", index)
        errors += check_conditions(DEALER_FACTS, policy.eligibility, (*at, "eligibility"))
        errors += check_conditions(PRODUCT_FACTS, policy.scope, (*at, "scope"))
    return errors


def check_protection_document(document: PriceProtectionDocument, path: Path = ("document",)) -> list[FieldError]:
    """Every problem of a valid-shaped price-protection document, each on its path."""
    errors = _repeats(((i, p.id) for i, p in enumerate(document.policies)), (*path, "policies"))
    for index, policy in enumerate(document.policies):
        at = (*path, "policies", index)
        errors += check_conditions(DEALER_FACTS, policy.eligibility, (*at, "eligibility"))
        errors += check_conditions(PRODUCT_FACTS, policy.scope, (*at, "scope"))
    return errors


def _repeats(keys: Iterable[tuple[int, str]], path: Path) -> list[FieldError]:
    seen: set[str] = set()
    errors = []
    for index, key in keys:
        if key in seen:
            errors.append(FieldError((*path, index, "id"), f"policy id {key!r} is used twice", ErrorCode.DUPLICATE))
        seen.add(key)
    return errors
