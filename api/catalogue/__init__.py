"""GraphQL for the catalogue domain: products."""
