"""Schema extensions: limits, one operation per request, error classification, session cleanup."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from api.cost import QueryCostLimiter
from engine.settings import Settings
from graphql import (
    GraphQLError,
    OperationDefinitionNode,
    StringValueNode,
    ValidationRule,
    Visitor,
    visit,
)
from schemas.errors import ErrorCode

log = logging.getLogger("crm.api")

_LIMIT_MESSAGES = re.compile(r"exceeds maximum operation depth|more than \d+ tokens|aliases found")
# graphql-core appends " Did you mean 'x', or 'y'?" to the end of a message (pyutils.did_you_mean).
_SUGGESTION = re.compile(r" Did you mean .*\?\Z", re.DOTALL)


class OneOperationRule(ValidationRule):
    """A request carries exactly one operation, so limits and audits apply to one thing."""

    def enter_document(self, node: Any, *_args: Any) -> None:
        operations = [d for d in node.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) > 1:
            self.report_error(GraphQLError("Only one operation per request is allowed.", operations[1]))


class ClassifyErrors(SchemaExtension):
    """Give every error a `code`: client mistakes keep their message, unexpected exceptions are
    logged and masked. Replaces strawberry's MaskErrors, which would mask limit errors too.
    With `hide_suggestions` (production) "Did you mean …" hints are cut from every message: they
    would let a stranger map the schema without introspection. Done here, per schema, because
    graphql-core's only switch (did_you_mean.MAX_LENGTH) is process-wide and strawberry does not
    pass its `hide_suggestions` flag through."""

    def __init__(self, *, hide_suggestions: bool = False, execution_context: Any = None) -> None:
        self.hide_suggestions = hide_suggestions
        if execution_context is not None:
            self.execution_context = execution_context

    def on_operation(self) -> Any:
        yield
        result = self.execution_context.result
        if result is None or not getattr(result, "errors", None):
            return
        result.errors = [self._without_suggestions(self._classify(e)) for e in result.errors]

    def _without_suggestions(self, error: GraphQLError) -> GraphQLError:
        if not self.hide_suggestions or not _SUGGESTION.search(error.message):
            return error
        message = _SUGGESTION.sub("", error.message)
        return GraphQLError(message, error.nodes, error.source, error.positions, error.path, extensions=error.extensions)

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


# Bounds on what any one input value may be; the domain contracts set tighter ones per field.
MAX_TEXT = 10_000  # characters (SQLite refuses LIKE patterns over 50 kB)
MAX_LIST = 1_000  # items (PostgreSQL takes at most 65,535 bound parameters a statement)


class RefuseUnstorableInput(SchemaExtension):
    """Refuse, before validation, text the databases cannot take (NUL, lone surrogates) and
    strings or lists too large for a statement, in the variables or the document's literals:
    otherwise the first statement would fail as an unexpected error."""

    def on_validate(self) -> Any:
        context = self.execution_context
        document = context.graphql_document
        problem = _problem(context.variables)
        if problem is None and document is not None:
            finder = _LiteralFinder()
            visit(document, finder)
            problem = finder.problem
        if problem is not None:
            code, message = problem
            # Set before validation runs: strawberry then skips validation and returns this error.
            context.pre_execution_errors = [GraphQLError(message, extensions={"code": code.value})]
        yield


def _text_problem(text: str) -> tuple[ErrorCode, str] | None:
    if "\x00" in text:
        return ErrorCode.INVALID, "Text may not contain NUL (\\u0000) characters."
    if len(text) > MAX_TEXT:
        return ErrorCode.OUT_OF_RANGE, f"Text may be at most {MAX_TEXT} characters long."
    try:
        text.encode("utf-8")
    except UnicodeError:
        return ErrorCode.INVALID, "Text must be valid Unicode (no lone surrogates)."
    return None


def _problem(value: Any) -> tuple[ErrorCode, str] | None:
    if isinstance(value, str):
        return _text_problem(value)
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        if len(value) > MAX_LIST:
            return ErrorCode.OUT_OF_RANGE, f"A list may hold at most {MAX_LIST} items."
        items = value
    else:
        return None
    for item in items:
        found = _problem(item)
        if found is not None:
            return found
    return None


class _LiteralFinder(Visitor):
    problem: tuple[ErrorCode, str] | None = None

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        self.problem = self.problem or _text_problem(node.value)


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
        RefuseUnstorableInput,
        lambda: QueryCostLimiter(max_cost=settings.max_query_cost, max_page_size=settings.page_size_max),
        CloseReader,
        lambda: ClassifyErrors(hide_suggestions=settings.production),
    ]
    if settings.production:
        found.append(DisableIntrospection)
    return found
