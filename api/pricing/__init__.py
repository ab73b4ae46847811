"""GraphQL for pricing: quotes with their trace, priced orders, coupon codes, what-if."""
