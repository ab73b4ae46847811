"""Status machines: which transitions are allowed, refused with a code otherwise."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Generic, TypeVar

from engine.errors import DomainError
from schemas.errors import ErrorCode

S = TypeVar("S", bound=Enum)


class Lifecycle(Generic[S]):
    def __init__(self, name: str, transitions: Mapping[S, frozenset[S]]) -> None:
        self.name = name
        self.transitions = transitions

    def allowed(self, current: S) -> frozenset[S]:
        return self.transitions.get(current, frozenset())

    def check(self, current: S, target: S) -> None:
        """Raise INVALID_TRANSITION (on the `id` argument) unless current -> target is allowed."""
        if target not in self.allowed(current):
            allowed = ", ".join(sorted(s.value for s in self.allowed(current))) or "none"
            raise DomainError.single(
                ("id",),
                f"a {self.name} cannot go from {current.value} to {target.value} (allowed: {allowed})",
                ErrorCode.INVALID_TRANSITION,
            )


def expect_version(current: int, expected: int | None, path: tuple[str | int, ...] = ("expected_version",)) -> None:
    """Optimistic concurrency asked for by the client: refuse with CONFLICT if the object moved on.
    (The version column still guards writes that race between this check and the commit.)"""
    if expected is not None and expected != current:
        raise DomainError.single(
            path,
            f"the object is at version {current}, not {expected}: it was changed since you read it",
            ErrorCode.CONFLICT,
        )


def expect_status(current: S, editable: frozenset[S], what: str) -> None:
    """Refuse with WRONG_STATUS (on the `id` argument) a change the current status does not allow."""
    if current not in editable:
        allowed = ", ".join(sorted(s.value for s in editable))
        raise DomainError.single(
            ("id",), f"{what} is not allowed in status {current.value} (only in: {allowed})", ErrorCode.WRONG_STATUS
        )
