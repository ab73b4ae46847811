"""Schema extensions: limits, one operation per request, error classification, session cleanup."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, ValidationRule
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from engine.settings import Settings
from schemas.errors import ErrorCode

log = logging.getLogger("crm.api")

_LIMIT_MESSAGES = re.compile(r"exceeds maximum operation depth|more than \d+ tokens|aliases found")


class OneOperationRule(ValidationRule):
    """A request carries exactly one operation, so limits and audits apply to one thing."""

    def enter_document(self, node: Any, *_args: Any) -> None:
        operations = [d for d in node.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) > 1:
            self.report_error(GraphQLError("Only one operation per request is allowed.", operations[1]))


class ClassifyErrors(SchemaExtension):
    """Give every error a `code`: client mistakes keep their message, unexpected exceptions are
    logged and masked. Replaces strawberry's MaskErrors, which would mask limit errors too."""

    def on_operation(self) -> Any:
        yield
        result = self.execution_context.result
        if result is None or not getattr(result, "errors", None):
            return
        result.errors = [self._classify(e) for e in result.errors]

    @staticmethod
    def _classify(error: GraphQLError) -> GraphQLError:
        if error.extensions and "code" in error.extensions:
            return error
        original = error.original_error
        if isinstance(original, GraphQLError) and original.extensions and "code" in original.extensions:
            return GraphQLError(error.message, error.nodes, error.source, error.positions, error.path, extensions=original.extensions)
        if original is None or error.path is None:
            # Parse, validation and variable-coercion errors: the request itself is wrong.
            code = ErrorCode.LIMIT_EXCEEDED if _LIMIT_MESSAGES.search(error.message) else ErrorCode.GRAPHQL_VALIDATION_FAILED
            return GraphQLError(error.message, error.nodes, error.source, error.positions, error.path, extensions={"code": code.value})
        log.error("unexpected error in %s", error.path, exc_info=original)
        return GraphQLError("Unexpected error.", error.nodes, error.source, error.positions, error.path, extensions={"code": ErrorCode.INTERNAL_ERROR.value})


class CloseReader(SchemaExtension):
    """Close the request's read session when the operation ends."""

    async def on_operation(self) -> AsyncIterator[None]:  # type: ignore[override]
        yield
        context = self.execution_context.context
        if context is not None and hasattr(context, "reader"):
            await context.reader.close()


def extensions(settings: Settings) -> list[Callable[[], SchemaExtension] | type[SchemaExtension]]:
    """Factories, not instances: an instance would share its state between requests."""
    found: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_query_aliases),
        lambda: AddValidationRules([OneOperationRule]),
        CloseReader,
        ClassifyErrors,
    ]
    if settings.production:
        found.append(DisableIntrospection)
    return found
