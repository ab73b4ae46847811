"""Accounts of people, API keys of services, and the caller's own view of itself (`me`)."""
