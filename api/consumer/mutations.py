"""Consumer mutations: create and update members and product registrations."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import UNSET
from strawberry.types import Info

from api.consumer.types import Member, ProductRegistration
from api.errors import MutationError
from api.inputs import input_data
from api.mutations import run_mutation
from api.permissions import requires
from api.relay import pk_of
from engine.access.permissions import Permission as P
from engine.services import consent
from engine.services import consumer as service
from engine.services.consumer import ERASED_NAME
from schemas.enums import IncomeBand, MemberTier, SpecialNeed

REGISTRATION_IDS = {"member_id": "Member", "product_id": "Product", "store_id": "Store"}


@strawberry.input(description="A new member.")
class MemberCreateInput:
    name: str
    mobile: str = strawberry.field(description="Mainland China mobile number, 11 digits; unique.")
    region_code: str
    address: str
    member_no: str | None = strawberry.field(
        default=None, description="Omit to have one generated: M and the member's id in 10 digits (M0000000042)."
    )
    id_number: str | None = strawberry.field(
        default=None, description="Mainland resident ID number: 18 characters, a valid birth date and check character."
    )
    marketing_consent: bool | None = strawberry.field(
        default=None, description="The choice made at sign-up, recorded as a consent event (source signup); omit if not asked."
    )
    latitude: float | None = strawberry.field(default=None, description="Given together with longitude.")
    longitude: float | None = strawberry.field(default=None, description="Given together with latitude.")
    estate: str | None = None
    layout: str | None = None
    household_size: int | None = None
    income_band: IncomeBand | None = None
    special_needs: list[SpecialNeed] | None = UNSET
    tags: list[str] | None = UNSET
    tier: MemberTier | None = strawberry.field(default=UNSET, description="Default NORMAL.")
    growth_value: int | None = UNSET
    birth_month: int | None = strawberry.field(default=None, description="1-12, for the birthday-month points bonus.")


@strawberry.input(description="Changes to a member; omitted fields keep their value.")
class MemberUpdateInput:
    member_no: str | None = UNSET
    name: str | None = UNSET
    mobile: str | None = UNSET
    region_code: str | None = UNSET
    address: str | None = UNSET
    id_number: str | None = UNSET
    latitude: float | None = UNSET
    longitude: float | None = UNSET
    estate: str | None = UNSET
    layout: str | None = UNSET
    household_size: int | None = UNSET
    income_band: IncomeBand | None = UNSET
    special_needs: list[SpecialNeed] | None = UNSET
    tags: list[str] | None = UNSET
    tier: MemberTier | None = UNSET
    growth_value: int | None = UNSET
    birth_month: int | None = UNSET


@strawberry.input(description="A member's request to have their personal data erased.")
class MemberEraseInput:
    reason: str = strawberry.field(
        description="Why, in at most 48 characters (e.g. member request 2025-03-01); kept on the consent history, "
        "so it must hold no personal data."
    )


@strawberry.input(description="A member giving or withdrawing marketing consent.")
class MemberConsentSetInput:
    granted: bool
    source: str = strawberry.field(description="Through which channel, e.g. app, store, call centre; at most 48 characters.")


@strawberry.type
class MemberPayload:
    member: Member | None
    errors: list[MutationError]


@strawberry.input(description="A unit a member registers.")
class ProductRegistrationCreateInput:
    member_id: strawberry.ID
    product_id: strawberry.ID
    serial_number: str = strawberry.field(description="Unique per product.")
    purchase_date: date = strawberry.field(description="Not after today in the brand's time zone.")
    store_id: strawberry.ID | None = None
    warranty_end: date | None = strawberry.field(
        default=None, description="Default: purchaseDate plus the product's warrantyMonths."
    )


@strawberry.input(
    description="Changes to a registration; omitted fields keep their value. warrantyEnd null recomputes it "
    "from the product; moving purchaseDate or the product moves a computed warrantyEnd along."
)
class ProductRegistrationUpdateInput:
    member_id: strawberry.ID | None = UNSET
    product_id: strawberry.ID | None = UNSET
    store_id: strawberry.ID | None = UNSET
    serial_number: str | None = UNSET
    purchase_date: date | None = UNSET
    warranty_end: date | None = UNSET


@strawberry.type
class ProductRegistrationPayload:
    product_registration: ProductRegistration | None
    errors: list[MutationError]


@strawberry.type
class ConsumerMutations:
    @strawberry.mutation(permission_classes=requires(P.MEMBER_WRITE), description="Create a member.")
    async def member_create(self, info: Info, input: MemberCreateInput) -> MemberPayload:
        actor = info.context.principal.audit_name
        member, errors = await run_mutation(info, lambda s: service.create_member(s, input_data(input), actor))
        return MemberPayload(member=member, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(
        permission_classes=requires(P.MEMBER_WRITE), description="Change a member; an erased member cannot change (WRONG_STATUS)."
    )
    async def member_update(self, info: Info, id: strawberry.ID, input: MemberUpdateInput) -> MemberPayload:
        member, errors = await run_mutation(
            info, lambda s: service.update_member(s, pk_of(id, "Member", ("id",)), input_data(input))
        )
        return MemberPayload(member=member, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(
        permission_classes=requires(P.MEMBER_ERASE),
        description=f"Erase a member's personal data on request: name becomes {ERASED_NAME}; mobile, address, ID "
        "number, estate, layout, household, income, needs, tags and coordinates are emptied, consent withdrawn, "
        "and the address of the member's work orders emptied. Member number, tier, growth value, region, "
        "registrations and orders stay. The mobile number becomes free. Once only (WRONG_STATUS after).",
    )
    async def member_erase(self, info: Info, id: strawberry.ID, input: MemberEraseInput) -> MemberPayload:
        actor = info.context.principal.audit_name
        member, errors = await run_mutation(
            info, lambda s: service.erase_member(s, pk_of(id, "Member", ("id",)), input_data(input), actor)
        )
        return MemberPayload(member=member, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(
        permission_classes=requires(P.MEMBER_WRITE),
        description="Record a member giving or withdrawing marketing consent (appended to the consent history). "
        "Not for an erased member (WRONG_STATUS).",
    )
    async def member_consent_set(self, info: Info, id: strawberry.ID, input: MemberConsentSetInput) -> MemberPayload:
        actor = info.context.principal.audit_name
        member, errors = await run_mutation(
            info, lambda s: consent.set_consent(s, pk_of(id, "Member", ("id",)), input_data(input), actor)
        )
        return MemberPayload(member=member, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.MEMBER_WRITE), description="Register a unit a member bought.")
    async def product_registration_create(
        self, info: Info, input: ProductRegistrationCreateInput
    ) -> ProductRegistrationPayload:
        registration, errors = await run_mutation(
            info, lambda s: service.create_registration(s, input_data(input, REGISTRATION_IDS))
        )
        return ProductRegistrationPayload(product_registration=registration, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.MEMBER_WRITE), description="Change a product registration.")
    async def product_registration_update(
        self, info: Info, id: strawberry.ID, input: ProductRegistrationUpdateInput
    ) -> ProductRegistrationPayload:
        registration, errors = await run_mutation(
            info,
            lambda s: service.update_registration(
                s, pk_of(id, "ProductRegistration", ("id",)), input_data(input, REGISTRATION_IDS)
            ),
        )
        return ProductRegistrationPayload(product_registration=registration, errors=errors)  # type: ignore[arg-type]
