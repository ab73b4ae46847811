"""Channel use cases: create and update dealers and stores."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from engine.errors import FieldError
from engine.services.common import (
    duplicate,
    get_or_error,
    merge,
    missing_references,
    raise_if,
    validate,
)
from engine.store.channel import Dealer, DealerRegion, Store
from schemas.channel import DealerFields, StoreFields
from schemas.errors import ErrorCode


async def create_dealer(session: AsyncSession, data: dict[str, Any]) -> Dealer:
    fields = validate(DealerFields, data)
    raise_if(
        await duplicate(session, Dealer.code, fields.code, ("code",))
        + await missing_references(session, [(("parent_id",), Dealer, fields.parent_id)])
    )
    dealer = Dealer(regions=[])
    _apply_dealer(dealer, fields)
    session.add(dealer)
    await session.flush()
    return dealer


async def update_dealer(session: AsyncSession, dealer_id: int, patch: dict[str, Any]) -> Dealer:
    dealer = await get_or_error(session, Dealer, dealer_id, ("id",), selectinload(Dealer.regions))
    fields = merge(DealerFields, DealerFields.model_validate(dealer), patch)
    errors = await duplicate(session, Dealer.code, fields.code, ("code",), exclude_id=dealer.id)
    errors += await missing_references(session, [(("parent_id",), Dealer, fields.parent_id)])
    if not errors and fields.parent_id is not None:
        errors += await _cycle(session, dealer.id, fields.parent_id)
    raise_if(errors)
    _apply_dealer(dealer, fields)
    await session.flush()
    return dealer


async def _cycle(session: AsyncSession, dealer_id: int, parent_id: int) -> list[FieldError]:
    """An error if `parent_id` is the dealer itself or one of its descendants."""
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == dealer_id:
            return [FieldError(("parent_id",), "a dealer cannot be placed under itself or its own sub-dealer", ErrorCode.INVALID)]
        seen.add(current)
        current = await session.scalar(select(Dealer.parent_id).where(Dealer.id == current))
    return []


def _apply_dealer(dealer: Dealer, fields: DealerFields) -> None:
    values = fields.model_dump(exclude={"region_codes"})
    values["main_categories"] = [c.value for c in fields.main_categories]
    for key, value in values.items():
        setattr(dealer, key, value)
    wanted = sorted(set(fields.region_codes))
    if wanted != dealer.region_codes:
        dealer.regions = [DealerRegion(region_code=code) for code in wanted]


async def create_store(session: AsyncSession, data: dict[str, Any]) -> Store:
    fields = validate(StoreFields, data)
    raise_if(
        await duplicate(session, Store.code, fields.code, ("code",))
        + await missing_references(session, [(("dealer_id",), Dealer, fields.dealer_id)])
    )
    store = Store(**fields.model_dump())
    session.add(store)
    await session.flush()
    return store


async def update_store(session: AsyncSession, store_id: int, patch: dict[str, Any]) -> Store:
    store = await get_or_error(session, Store, store_id)
    fields = merge(StoreFields, StoreFields.model_validate(store), patch)
    raise_if(
        await duplicate(session, Store.code, fields.code, ("code",), exclude_id=store.id)
        + await missing_references(session, [(("dealer_id",), Dealer, fields.dealer_id)])
    )
    for key, value in fields.model_dump().items():
        setattr(store, key, value)
    await session.flush()
    return store
