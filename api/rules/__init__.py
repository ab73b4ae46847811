"""GraphQL for rule sets: versioned pricing and loyalty rule documents."""
