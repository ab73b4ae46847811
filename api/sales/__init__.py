"""GraphQL for the sales domain: dealer orders and their lifecycle, sales targets."""
