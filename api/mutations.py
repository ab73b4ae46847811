"""Run a mutation's use case in one transaction, turn refusals into payload errors, and audit
every attempt (done, refused, failed or denied) in a transaction of its own."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError
from strawberry.types import Info

from api.context import Context, Loaders
from api.errors import MutationError, from_domain
from api.relay import decode_id
from engine.errors import DomainError
from engine.services.audit import AuditRecord, Outcome, record
from engine.store.base import Base
from engine.store.changes import Changes
from engine.store.session import transaction
from graphql import OperationType
from schemas.errors import ErrorCode

T = TypeVar("T")
log = logging.getLogger(__name__)

# The object a mutation acted on: (type name, primary key), or None when unknown.
Target = tuple[str, int] | None


async def run_mutation(
    info: Info, use_case: Callable[[AsyncSession], Awaitable[T]]
) -> tuple[T | None, list[MutationError]]:
    """(result, []) after commit, or (None, errors) with everything rolled back."""
    return await run_audited(info.context, info.field_name, target_of(_arguments(info)), use_case)


async def run_audited(
    context: Context, operation: str, target: Target, use_case: Callable[[AsyncSession], Awaitable[T]]
) -> tuple[T | None, list[MutationError]]:
    """`run_mutation` for a known operation and target (the `id` argument's object, if any):
    the audit event names the rows the transaction wrote, with their changed column names."""
    changes = Changes()
    try:
        async with transaction(context.sessions) as session:
            changes.track(session)
            result = await use_case(session)
    except Exception as exc:
        errors = payload_errors(exc)
        if errors is None:
            await audit(context, operation, target, Outcome.ERROR, codes=[ErrorCode.INTERNAL_ERROR])
            raise
        await audit(context, operation, target, Outcome.REFUSED, codes=[e.code for e in errors])
        return None, errors
    await audit(context, operation, target or object_of(result), Outcome.OK, changes=changes.as_list())
    await fresh_reads(context)
    return result, []


def payload_errors(exc: Exception) -> list[MutationError] | None:
    """The payload errors a refused mutation reports; None for an unexpected exception."""
    if isinstance(exc, DomainError):
        return from_domain(exc)
    if isinstance(exc, StaleDataError):
        return [
            MutationError(field="id", message="the object was changed by someone else; reload and retry", code=ErrorCode.CONFLICT)
        ]
    if isinstance(exc, IntegrityError):
        # The use cases check references and uniqueness first; this is a race with another writer.
        log.info("integrity race in mutation: %s", exc.orig)
        return [
            MutationError(field=None, message="a concurrent change conflicts with this one; retry", code=ErrorCode.CONFLICT)
        ]
    return None


async def audit(
    context: Context,
    operation: str,
    target: Target,
    outcome: Outcome,
    changes: list[dict[str, Any]] | None = None,
    codes: list[ErrorCode] | None = None,
) -> None:
    """Write the event of one mutation attempt by the context's principal."""
    request = context.request
    client = request.client.host if request is not None and request.client is not None else None
    entry = AuditRecord(
        operation=operation,
        outcome=outcome.value,
        object_type=target[0] if target else None,
        object_id=target[1] if target else None,
        changes=changes or [],
        error_codes=[c.value for c in codes or []],
    )
    await record(context.sessions, context.principal, entry, client=client)


async def audit_denial(info: Info, arguments: Mapping[str, Any]) -> None:
    """Record a mutation field refused by its permission check (queries are not audited)."""
    if info.operation.operation is not OperationType.MUTATION or info.path.prev is not None:
        return
    await audit(info.context, info.field_name, target_of(arguments), Outcome.DENIED, codes=[ErrorCode.FORBIDDEN])


def target_of(arguments: Mapping[str, Any]) -> Target:
    """The object named by a mutation's `id` argument, if it is a valid global id."""
    value = arguments.get("id")
    if not isinstance(value, str):
        return None
    try:
        return decode_id(value)
    except ValueError:
        return None


def object_of(result: Any) -> Target:
    """The row a use case returned (or the first row of the tuple it returned): what it created."""
    rows = result if isinstance(result, tuple) else (result,)
    for row in rows:
        if isinstance(row, Base):
            identity = inspect(row).identity
            if identity is not None and len(identity) == 1 and isinstance(identity[0], int):
                return type(row).__name__, identity[0]
    return None


def _arguments(info: Info) -> dict[str, Any]:
    """The field's arguments as sent (variables resolved), by GraphQL name."""
    fields = info.selected_fields
    return dict(fields[0].arguments) if fields else {}


async def fresh_reads(context: Context) -> None:
    """After a commit, forget what this request has read: the payload's nested objects, and any
    later mutation field of the same request, must see the change, not a cached older row."""
    await context.reader.close()
    context.loaders = Loaders(context.reader)
