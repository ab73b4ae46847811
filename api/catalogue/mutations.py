"""Catalogue mutations: create and update products."""

from __future__ import annotations

import strawberry
from strawberry import UNSET
from strawberry.types import Info

from api.catalogue.types import Product
from api.errors import MutationError
from api.inputs import input_data
from api.mutations import run_mutation
from api.permissions import requires
from api.relay import pk_of
from api.scalars import Fen
from engine.access.permissions import Permission as P
from engine.services import catalogue as service
from schemas.enums import ProductCategory, Skill


@strawberry.input(description="A new product.")
class ProductCreateInput:
    model: str
    name: str
    category: ProductCategory
    brand: str
    list_price_fen: Fen
    warranty_months: int
    needs_installation: bool | None = UNSET
    required_skill: Skill | None = strawberry.field(
        default=None, description="Required when needsInstallation is true."
    )


@strawberry.input(description="Changes to a product; omitted fields keep their value.")
class ProductUpdateInput:
    model: str | None = UNSET
    name: str | None = UNSET
    category: ProductCategory | None = UNSET
    brand: str | None = UNSET
    list_price_fen: Fen | None = UNSET
    warranty_months: int | None = UNSET
    needs_installation: bool | None = UNSET
    required_skill: Skill | None = UNSET


@strawberry.type
class ProductPayload:
    product: Product | None
    errors: list[MutationError]


@strawberry.type
class CatalogueMutations:
    @strawberry.mutation(permission_classes=requires(P.CATALOGUE_WRITE), description="Create a product.")
    async def product_create(self, info: Info, input: ProductCreateInput) -> ProductPayload:
        product, errors = await run_mutation(info, lambda s: service.create_product(s, input_data(input)))
        return ProductPayload(product=product, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.CATALOGUE_WRITE), description="Change a product.")
    async def product_update(self, info: Info, id: strawberry.ID, input: ProductUpdateInput) -> ProductPayload:
        product, errors = await run_mutation(
            info, lambda s: service.update_product(s, pk_of(id, "Product", ("id",)), input_data(input))
        )
        return ProductPayload(product=product, errors=errors)  # type: ignore[arg-type]
