"""Typed domain errors raised by the engine; the API turns them into payload errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from schemas.errors import ErrorCode


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field (path in snake_case as the engine sees it)."""

    path: tuple[str | int, ...]
    message: str
    code: ErrorCode


@dataclass
class DomainError(Exception):
    """A request the engine refuses; carries every offending field, never a partial change."""

    errors: list[FieldError] = field(default_factory=list)

    @classmethod
    def single(cls, path: tuple[str | int, ...], message: str, code: ErrorCode) -> DomainError:
        return cls([FieldError(path, message, code)])

    def __str__(self) -> str:
        return "; ".join(f"{'.'.join(map(str, e.path)) or '-'}: {e.message}" for e in self.errors)


_CODE_BY_PYDANTIC = {
    "missing": ErrorCode.REQUIRED,
    "greater_than": ErrorCode.OUT_OF_RANGE,
    "greater_than_equal": ErrorCode.OUT_OF_RANGE,
    "less_than": ErrorCode.OUT_OF_RANGE,
    "less_than_equal": ErrorCode.OUT_OF_RANGE,
}


def from_validation(error: ValidationError, prefix: tuple[str | int, ...] = ()) -> DomainError:
    """Pydantic's errors as one domain error, keeping every offending location."""
    return DomainError(
        [
            FieldError(
                prefix + tuple(e["loc"]),
                re.sub(r"^(Value|Assertion) error, ", "", e["msg"]),
                _CODE_BY_PYDANTIC.get(e["type"], ErrorCode.INVALID),
            )
            for e in error.errors()
        ]
    )
