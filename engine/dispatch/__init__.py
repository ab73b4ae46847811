"""Dispatch: instant technician recommendation (vectorised insertion, no solver) and batch
day plans (OR-Tools CP-SAT assignment, OR-Tools routing), each choice explained."""

from engine.dispatch.solve import solve

__all__ = ["solve"]
