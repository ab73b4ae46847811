"""Authentication (API keys, login tokens), permissions on fields, rate limits."""
