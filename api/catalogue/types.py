"""GraphQL types of the catalogue domain, read straight from ORM rows."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

import api.enums  # noqa: F401  (registers the enums)
from api.relay import node_type
from api.scalars import Fen
from engine.store import catalogue as m
from schemas.enums import ProductCategory, Skill


@node_type(m.Product)
@strawberry.type(description="A sellable model of the brand; `model` is its model number.")
class Product(relay.Node):
    id: relay.NodeID[int]
    model: str
    name: str
    category: ProductCategory
    brand: str
    list_price_fen: Fen
    warranty_months: int
    needs_installation: bool
    required_skill: Skill | None = strawberry.field(
        description="The technician certification installing or repairing it takes."
    )
    created_at: datetime
    updated_at: datetime
