"""Catalogue queries: the product connection with filters and sorting."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement
from strawberry.types import Info

from api.catalogue.types import Product
from api.permissions import requires
from api.relay import Connection, OrderDirection, paginate_sorted
from engine.access.permissions import Permission as P
from engine.store import catalogue as m
from schemas.enums import ProductCategory, Skill


@strawberry.input(description="Products matching every given condition.")
class ProductWhereInput:
    category: list[ProductCategory] | None = None
    brand: list[str] | None = None
    model: str | None = strawberry.field(default=None, description="Exact model number.")
    name_contains: str | None = None
    needs_installation: bool | None = None
    required_skill: list[Skill] | None = None


@strawberry.enum
class ProductOrderField(Enum):
    MODEL = "model"
    NAME = "name"
    LIST_PRICE = "list_price_fen"
    CREATED_AT = "created_at"


@strawberry.input
class ProductOrder:
    field: ProductOrderField
    direction: OrderDirection = OrderDirection.ASC


def product_conditions(where: ProductWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    c: list[Any] = []
    if where.category:
        c.append(m.Product.category.in_(where.category))
    if where.brand:
        c.append(m.Product.brand.in_(where.brand))
    if where.model is not None:
        c.append(m.Product.model == where.model)
    if where.name_contains:
        c.append(m.Product.name.contains(where.name_contains, autoescape=True))
    if where.needs_installation is not None:
        c.append(m.Product.needs_installation.is_(where.needs_installation))
    if where.required_skill:
        c.append(m.Product.required_skill.in_(where.required_skill))
    return c


@strawberry.type
class CatalogueQueries:
    @strawberry.field(permission_classes=requires(P.CATALOGUE_READ), description="Products, a page at a time.")
    async def products(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        where: ProductWhereInput | None = None,
        sort_by: ProductOrder | None = None,
    ) -> Connection[Product]:
        return await paginate_sorted(
            info, m.Product, product_conditions(where), sort_by, ProductOrderField.MODEL, first, after
        )
