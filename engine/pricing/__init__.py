"""Pricing: tiered price lists, member prices, promotions and coupons as rule documents,
evaluated on durable-rules (through engine.rules) into a quote with its trace."""

from engine.pricing.compile import PricingRules, build_pricing_rules
from engine.pricing.conflicts import check_document, find_conflicts
from engine.pricing.quote import price

__all__ = ["PricingRules", "build_pricing_rules", "check_document", "find_conflicts", "price"]
