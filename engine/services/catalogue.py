"""Catalogue use cases: create and update products."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from engine.services.common import duplicate, get_or_error, merge, raise_if, validate
from engine.store.catalogue import Product
from schemas.catalogue import ProductFields


async def create_product(session: AsyncSession, data: dict[str, Any]) -> Product:
    fields = validate(ProductFields, data)
    raise_if(await duplicate(session, Product.model, fields.model, ("model",)))
    product = Product(**fields.model_dump())
    session.add(product)
    await session.flush()
    return product


async def update_product(session: AsyncSession, product_id: int, patch: dict[str, Any]) -> Product:
    product = await get_or_error(session, Product, product_id)
    fields = merge(ProductFields, ProductFields.model_validate(product), patch)
    raise_if(await duplicate(session, Product.model, fields.model, ("model",), exclude_id=product.id))
    for key, value in fields.model_dump().items():
        setattr(product, key, value)
    await session.flush()
    return product
