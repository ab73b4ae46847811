"""GraphQL for channel settlements: rebate runs and statements, price changes and price-protection
claims, and what dealers report."""
