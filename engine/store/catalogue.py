"""Catalogue: the brand's products."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base, BigId, Timestamped, enum_column
from schemas.enums import ProductCategory, Skill


class Product(Timestamped, Base):
    """A sellable model; `model` is the brand's model number and the natural key."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    model: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[ProductCategory] = mapped_column(enum_column(ProductCategory), index=True)
    brand: Mapped[str] = mapped_column(String(64), index=True)
    list_price_fen: Mapped[int] = mapped_column(BigInteger)
    warranty_months: Mapped[int]
    needs_installation: Mapped[bool]
    required_skill: Mapped[Skill | None] = mapped_column(enum_column(Skill))
