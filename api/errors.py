"""Client errors for queries (top-level, with a code) and payload errors for mutations."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from engine.errors import DomainError
from graphql import GraphQLError
from schemas.errors import ErrorCode

ErrorCodeType = strawberry.enum(ErrorCode, name="ErrorCode", description="Why a request was refused.")


class ClientError(GraphQLError):
    """A mistake of the caller in a query: reported with its code, never masked."""

    def __init__(self, message: str, code: ErrorCode, field: str | None = None) -> None:
        extensions: dict[str, object] = {"code": code.value}
        if field:
            extensions["field"] = field
        super().__init__(message, extensions=extensions)


@strawberry.type(description="A problem with one field of a mutation's input.")
class MutationError:
    field: str | None = strawberry.field(
        description="Path in the mutation arguments, e.g. `input.lines.0.quantity`; null for the whole request."
    )
    message: str
    code: ErrorCode


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# Arguments of a mutation besides `input`; any other path is relative to `input`.
_ARGUMENTS = {"id", "input"}


# JSON arguments whose contents are documents in their own (snake_case) spelling: a path into
# one names the document's keys as the author wrote them (`input.document.rules.3.action.amount_fen`,
# `input.problem.technicians.0.capacity_minutes`).
_DOCUMENTS = {"document", "problem"}


def field_path(path: Sequence[str | int]) -> str | None:
    """The GraphQL argument path (camelCase) of an engine field path (snake_case)."""
    if not path:
        return None
    parts = list(path) if path[0] in _ARGUMENTS else ["input", *path]
    shown: list[str] = []
    inside = False
    for part in parts:
        shown.append(str(part) if isinstance(part, int) or inside else camel(part))
        inside = inside or part in _DOCUMENTS
    return ".".join(shown)


def from_domain(error: DomainError) -> list[MutationError]:
    return [MutationError(field=field_path(e.path), message=e.message, code=e.code) for e in error.errors]
