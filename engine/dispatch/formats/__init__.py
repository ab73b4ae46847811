"""Readers of public benchmark formats into dispatch problems (OR-Library GAP, Solomon VRPTW)."""
