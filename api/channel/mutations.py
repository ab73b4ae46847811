"""Channel mutations: create and update dealers and stores."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import UNSET
from strawberry.types import Info

from api.channel.types import Dealer, Store
from api.errors import MutationError
from api.inputs import input_data
from api.mutations import run_mutation
from api.permissions import requires
from api.relay import pk_of
from api.scalars import Fen
from engine.access.permissions import Permission as P
from engine.services import channel as service
from schemas.enums import ChannelType, CooperationLevel, DisplayStatus, ProductCategory, StoreGrade

DEALER_IDS = {"parent_id": "Dealer"}
STORE_IDS = {"dealer_id": "Dealer"}


@strawberry.input(description="A new dealer.")
class DealerCreateInput:
    code: str
    name: str
    legal_representative: str
    channel_type: ChannelType
    cooperation_level: CooperationLevel
    parent_id: strawberry.ID | None = None
    region_codes: list[str] | None = UNSET
    registered_capital_fen: Fen | None = UNSET
    signing_date: date | None = None
    agreement_ref: str | None = None
    main_brands: list[str] | None = UNSET
    main_categories: list[ProductCategory] | None = UNSET
    warehouse_m2: int | None = UNSET
    vehicles: int | None = UNSET
    staff: int | None = UNSET
    outlets_covered: int | None = UNSET
    credit_limit_fen: Fen | None = UNSET
    payment_terms_days: int | None = UNSET


@strawberry.input(description="Changes to a dealer; omitted fields keep their value.")
class DealerUpdateInput:
    code: str | None = UNSET
    name: str | None = UNSET
    legal_representative: str | None = UNSET
    channel_type: ChannelType | None = UNSET
    cooperation_level: CooperationLevel | None = UNSET
    parent_id: strawberry.ID | None = UNSET
    region_codes: list[str] | None = UNSET
    registered_capital_fen: Fen | None = UNSET
    signing_date: date | None = UNSET
    agreement_ref: str | None = UNSET
    main_brands: list[str] | None = UNSET
    main_categories: list[ProductCategory] | None = UNSET
    warehouse_m2: int | None = UNSET
    vehicles: int | None = UNSET
    staff: int | None = UNSET
    outlets_covered: int | None = UNSET
    credit_limit_fen: Fen | None = UNSET
    payment_terms_days: int | None = UNSET


@strawberry.type
class DealerPayload:
    dealer: Dealer | None
    errors: list[MutationError]


@strawberry.input(description="A new store.")
class StoreCreateInput:
    code: str
    name: str
    dealer_id: strawberry.ID
    region_code: str
    address: str
    latitude: float
    longitude: float
    manager: str
    phone: str
    grade: StoreGrade | None = UNSET
    display_status: DisplayStatus | None = UNSET


@strawberry.input(description="Changes to a store; omitted fields keep their value.")
class StoreUpdateInput:
    code: str | None = UNSET
    name: str | None = UNSET
    dealer_id: strawberry.ID | None = UNSET
    region_code: str | None = UNSET
    address: str | None = UNSET
    latitude: float | None = UNSET
    longitude: float | None = UNSET
    manager: str | None = UNSET
    phone: str | None = UNSET
    grade: StoreGrade | None = UNSET
    display_status: DisplayStatus | None = UNSET


@strawberry.type
class StorePayload:
    store: Store | None
    errors: list[MutationError]


@strawberry.type
class ChannelMutations:
    @strawberry.mutation(permission_classes=requires(P.CHANNEL_WRITE), description="Create a dealer.")
    async def dealer_create(self, info: Info, input: DealerCreateInput) -> DealerPayload:
        dealer, errors = await run_mutation(
            info, lambda s: service.create_dealer(s, input_data(input, DEALER_IDS))
        )
        return DealerPayload(dealer=dealer, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.CHANNEL_WRITE), description="Change a dealer.")
    async def dealer_update(self, info: Info, id: strawberry.ID, input: DealerUpdateInput) -> DealerPayload:
        dealer, errors = await run_mutation(
            info,
            lambda s: service.update_dealer(s, pk_of(id, "Dealer", ("id",)), input_data(input, DEALER_IDS)),
        )
        return DealerPayload(dealer=dealer, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.STORE_WRITE), description="Create a store.")
    async def store_create(self, info: Info, input: StoreCreateInput) -> StorePayload:
        store, errors = await run_mutation(
            info, lambda s: service.create_store(s, input_data(input, STORE_IDS))
        )
        return StorePayload(store=store, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.STORE_WRITE), description="Change a store.")
    async def store_update(self, info: Info, id: strawberry.ID, input: StoreUpdateInput) -> StorePayload:
        store, errors = await run_mutation(
            info,
            lambda s: service.update_store(s, pk_of(id, "Store", ("id",)), input_data(input, STORE_IDS)),
        )
        return StorePayload(store=store, errors=errors)  # type: ignore[arg-type]
