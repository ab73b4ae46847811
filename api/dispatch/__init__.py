"""Dispatch over GraphQL: recommendations, stored day plans, their application, stateless solving."""
