"""Use cases: load from the store, validate, change, persist in the caller's transaction."""
