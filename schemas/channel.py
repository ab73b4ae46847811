"""Contracts of the channel domain: dealers and stores."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from schemas.common import (
    Address,
    Code,
    Count,
    Fen,
    Latitude,
    Longitude,
    Name,
    Phone,
    RegionCode,
    ShortText,
)
from schemas.enums import ChannelType, CooperationLevel, DisplayStatus, ProductCategory, StoreGrade


class DealerFields(BaseModel):
    """Everything a dealer record holds; validated on create and, merged, on update."""

    model_config = ConfigDict(from_attributes=True)

    code: Code
    name: Name
    legal_representative: ShortText
    channel_type: ChannelType
    cooperation_level: CooperationLevel
    parent_id: int | None = None
    region_codes: Annotated[list[RegionCode], Field(max_length=200)] = []
    registered_capital_fen: Fen = 0
    signing_date: date | None = None
    agreement_ref: Annotated[str, Field(max_length=200)] | None = None
    main_brands: Annotated[list[ShortText], Field(max_length=20)] = []
    main_categories: list[ProductCategory] = []
    warehouse_m2: Count = 0
    vehicles: Count = 0
    staff: Count = 0
    outlets_covered: Count = 0
    credit_limit_fen: Fen = 0
    payment_terms_days: Annotated[int, Field(ge=0, le=365)] = 0


class StoreFields(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: Code
    name: Name
    dealer_id: int
    region_code: RegionCode
    address: Address
    latitude: Latitude
    longitude: Longitude
    manager: ShortText
    phone: Phone
    grade: StoreGrade = StoreGrade.C
    display_status: DisplayStatus = DisplayStatus.NONE
