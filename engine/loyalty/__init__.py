"""Member points, the pure core: earning under a loyalty document, tiers from growth value,
FIFO use of lots, expiry and what a return takes back. No database; `engine.services.loyalty`
loads and persists."""

from engine.loyalty.document import FACT_TYPE, check_document, rule_specs, tier_for
from engine.loyalty.earn import largest_remainder, line_facts, points_for_order
from engine.loyalty.ledger import Lot, allocate, available, check_return, expiry_moment, kept, reversal

__all__ = [
    "FACT_TYPE",
    "Lot",
    "allocate",
    "available",
    "check_document",
    "check_return",
    "expiry_moment",
    "kept",
    "largest_remainder",
    "line_facts",
    "points_for_order",
    "reversal",
    "rule_specs",
    "tier_for",
]
