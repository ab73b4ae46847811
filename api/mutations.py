"""Run a mutation's use case in one transaction and turn refusals into payload errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError
from strawberry.types import Info

from api.context import Context, Loaders
from api.errors import MutationError, from_domain
from engine.errors import DomainError
from engine.store.session import transaction
from schemas.errors import ErrorCode

T = TypeVar("T")
log = logging.getLogger(__name__)


async def run_mutation(
    info: Info, use_case: Callable[[AsyncSession], Awaitable[T]]
) -> tuple[T | None, list[MutationError]]:
    """(result, []) after commit, or (None, errors) with everything rolled back."""
    try:
        async with transaction(info.context.sessions) as session:
            result = await use_case(session)
        await fresh_reads(info.context)
        return result, []
    except DomainError as exc:
        return None, from_domain(exc)
    except StaleDataError:
        return None, [
            MutationError(field="id", message="the object was changed by someone else; reload and retry", code=ErrorCode.CONFLICT)
        ]
    except IntegrityError as exc:
        # The use cases check references and uniqueness first; this is a race with another writer.
        log.info("integrity race in mutation: %s", exc.orig)
        return None, [
            MutationError(field=None, message="a concurrent change conflicts with this one; retry", code=ErrorCode.CONFLICT)
        ]


async def fresh_reads(context: Context) -> None:
    """After a commit, forget what this request has read: the payload's nested objects, and any
    later mutation field of the same request, must see the change, not a cached older row."""
    await context.reader.close()
    context.loaders = Loaders(context.reader)
