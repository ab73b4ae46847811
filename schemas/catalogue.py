"""Contracts of the catalogue domain: the brand's products."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from schemas.common import Fen, Name
from schemas.enums import ProductCategory, Skill

# The brand's model number, e.g. "KFR-35GW/BpR3DYA1+1": letters, digits and the usual separators.
ModelCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-./+()]*$"),
]
Brand = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
WarrantyMonths = Annotated[int, Field(ge=0, le=240)]


class ProductFields(BaseModel):
    """Everything a product record holds; validated on create and, merged, on update."""

    model_config = ConfigDict(from_attributes=True)

    model: ModelCode
    name: Name
    category: ProductCategory
    brand: Brand
    list_price_fen: Fen
    warranty_months: WarrantyMonths
    needs_installation: bool = False
    # Declared after needs_installation so its validator can see it.
    required_skill: Skill | None = Field(default=None, validate_default=True)

    @field_validator("required_skill")
    @classmethod
    def _skill_for_installation(cls, value: Skill | None, info: ValidationInfo) -> Skill | None:
        """A product that must be installed needs the skill that dispatch matches technicians on."""
        if value is None and info.data.get("needs_installation"):
            # Type "missing" so the error reads as REQUIRED, like any other absent field.
            raise PydanticCustomError("missing", "required when the product needs installation")
        return value
