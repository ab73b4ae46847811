"""GraphQL for member points: the ledger, balances, redemptions, activity awards and expiry."""
