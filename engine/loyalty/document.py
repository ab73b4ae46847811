"""The loyalty document beyond its pydantic shape: unique keys, ascending tiers, conditions over
the line facts; the rules it hands to the compiler; the tier a growth value earns."""

from __future__ import annotations

from collections.abc import Iterable

from engine.errors import FieldError
from engine.rules import check_conditions
from schemas.enums import MemberTier
from schemas.errors import ErrorCode
from schemas.loyalty import LOYALTY_LINE_FACTS, LoyaltyDocument
from schemas.rules import RuleSpec

FACT_TYPE = "loyalty_line"
Path = tuple[str | int, ...]
_TIER_RANK = {tier: rank for rank, tier in enumerate(MemberTier)}


def check_document(document: LoyaltyDocument, path: Path = ("document",)) -> list[FieldError]:
    """Every problem of a valid-shaped document, each on its path (e.g. document.tiers.2.min_growth)."""
    errors: list[FieldError] = []
    errors += _repeats(((i, r.id) for i, r in enumerate(document.earn_rules)), (*path, "earn_rules"), "id", "rule id")
    errors += _repeats(
        ((i, a.activity) for i, a in enumerate(document.activity_awards)), (*path, "activity_awards"), "activity", "activity"
    )
    errors += _repeats(((i, r.key) for i, r in enumerate(document.rewards)), (*path, "rewards"), "key", "reward key")
    for index, rule in enumerate(document.earn_rules):
        errors += check_conditions(LOYALTY_LINE_FACTS, rule.conditions, (*path, "earn_rules", index, "conditions"))
    errors += _tiers_ascend(document, (*path, "tiers"))
    return errors


def _repeats(keys: Iterable[tuple[int, str]], path: Path, field: str, what: str) -> list[FieldError]:
    seen: set[str] = set()
    errors = []
    for index, key in keys:
        if key in seen:
            errors.append(FieldError((*path, index, field), f"{what} {key!r} is used twice", ErrorCode.DUPLICATE))
        seen.add(key)
    return errors


def _tiers_ascend(document: LoyaltyDocument, path: Path) -> list[FieldError]:
    """Tiers in the order of MemberTier, each from more growth than the one before."""
    errors = []
    for index, (before, tier) in enumerate(zip(document.tiers, document.tiers[1:], strict=False), start=1):
        if _TIER_RANK[tier.tier] <= _TIER_RANK[before.tier]:
            errors.append(FieldError((*path, index, "tier"), f"{tier.tier.value} must come after {before.tier.value} "
                                     "only once, in the order normal, silver, gold, platinum", ErrorCode.INVALID))
        elif tier.min_growth <= before.min_growth:
            errors.append(FieldError((*path, index, "min_growth"), f"{tier.tier.value} must need more growth than "
                                     f"{before.tier.value} ({before.min_growth})", ErrorCode.OUT_OF_RANGE))
    return errors


def rule_specs(document: LoyaltyDocument) -> list[RuleSpec]:
    """What the rules compiler needs of the earn rules: ids and conditions."""
    return [RuleSpec(rule_id=rule.id, conditions=tuple(rule.conditions)) for rule in document.earn_rules]


def tier_for(growth: int, document: LoyaltyDocument) -> MemberTier:
    """The highest tier whose threshold `growth` (lifetime yuan) reaches; NORMAL below them all."""
    reached = [t.tier for t in document.tiers if growth >= t.min_growth]
    return reached[-1] if reached else MemberTier.NORMAL
