"""Consumer use cases: members and their product registrations, and warranty status."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine import clock
from engine.access.principal import SYSTEM
from engine.errors import FieldError
from engine.privacy.lookup import mobile_digest
from engine.services.common import (
    duplicate,
    duplicate_key,
    get_or_error,
    merge,
    missing_references,
    raise_if,
    validate,
)
from engine.services.consent import SIGNUP, record_consent, refuse_if_erased
from engine.services.dispatch_erasure import forget_positions
from engine.store.catalogue import Product
from engine.store.channel import Store
from engine.store.consumer import Member, ProductRegistration
from engine.store.scoping import UNSCOPED
from engine.store.service import WorkOrder
from schemas.consumer import (
    ErasureFields,
    MemberFields,
    RegistrationFields,
    SignupConsent,
    generated_member_no,
    is_generated_member_no,
)
from schemas.enums import WarrantyStatus
from schemas.errors import ErrorCode

# What an erased member keeps as a name, and what it loses entirely.
ERASED_NAME = "已注销会员"
ERASED_FIELDS = (
    "mobile", "address", "id_number", "estate", "layout", "household_size", "income_band", "latitude", "longitude",
    "birth_month",
)
ERASURE = "erasure"


async def create_member(session: AsyncSession, data: dict[str, Any], actor: str = SYSTEM.audit_name) -> Member:
    """A new member; without a member number it gets `generated_member_no(id)`. A consent
    choice given at sign-up (`marketing_consent`) is recorded as a consent event by `actor`."""
    data = dict(data)
    consent = validate(SignupConsent, {"marketing_consent": data.pop("marketing_consent", None)}).marketing_consent
    fields = validate(MemberFields, data)
    errors = await _mobile_taken(session, fields.mobile, None)
    if fields.member_no is not None:
        errors += _reserved_member_no(fields.member_no, None)
        errors += await duplicate(session, Member.member_no, fields.member_no, ("member_no",))
    raise_if(errors)
    member = Member(**_member_values(fields))
    if fields.member_no is None:
        # The number derives from the id, known only after the insert; the placeholder's "~"
        # is outside every client-chosen number's alphabet, so it cannot collide.
        member.member_no = f"~{uuid.uuid4().hex[:31]}"
    session.add(member)
    await session.flush()
    if fields.member_no is None:
        member.member_no = generated_member_no(member.id)
    if consent is not None:
        record_consent(session, member, consent, SIGNUP, actor)
    await session.flush()
    return member


async def _mobile_taken(session: AsyncSession, mobile: str, exclude_id: int | None) -> list[FieldError]:
    """Through the keyed hash, and without echoing the number: it is personal data."""
    found = await duplicate(session, Member.mobile_hash, mobile_digest(mobile), ("mobile",), exclude_id)
    return [FieldError(("mobile",), "this mobile number is already registered to another member", ErrorCode.DUPLICATE)] if found else []


async def update_member(session: AsyncSession, member_id: int, patch: dict[str, Any]) -> Member:
    member = await get_or_error(session, Member, member_id)
    refuse_if_erased(member, "changing a member")
    fields = merge(MemberFields, MemberFields.model_validate(member), patch)
    errors = await _mobile_taken(session, fields.mobile, member.id)
    if fields.member_no is None:
        errors.append(FieldError(("member_no",), "a member keeps a member number", ErrorCode.REQUIRED))
    else:
        errors += _reserved_member_no(fields.member_no, member.id)
        errors += await duplicate(session, Member.member_no, fields.member_no, ("member_no",), exclude_id=member.id)
    raise_if(errors)
    for key, value in _member_values(fields).items():
        setattr(member, key, value)
    await session.flush()
    return member


async def erase_member(session: AsyncSession, member_id: int, data: dict[str, Any], actor: str) -> Member:
    """Anonymise a member on request: personal fields emptied (the mobile number becomes free),
    consent withdrawn; on every work order the visit address emptied and the position (the
    home's; NOT NULL, dispatch needs one) rounded to 2 decimals, ~1 km, district level. The row,
    its number, tier, growth value and region, its registrations and orders stay, so aggregates
    still add up."""
    erasure = validate(ErasureFields, data)
    member = await get_or_error(session, Member, member_id)
    refuse_if_erased(member, "erasing")
    now = clock.now()
    member.name = ERASED_NAME
    for name in ERASED_FIELDS:
        setattr(member, name, None)  # mobile's validator clears mobile_hash with it
    member.special_needs = []
    member.tags = []
    member.erased_at = now
    record_consent(session, member, False, f"{ERASURE}: {erasure.reason}", actor, now)
    # Every order, whatever the caller's row scope: an erasure must not stop half-way.
    orders = select(WorkOrder).where(WorkOrder.member_id == member.id).execution_options(**{UNSCOPED: True})
    erased = list(await session.scalars(orders))
    for order in erased:
        order.address = None
        order.latitude, order.longitude = round(order.latitude, 2), round(order.longitude, 2)
    await forget_positions(session, erased)  # the stored dispatch problems' copies of them
    await session.flush()
    return member


def _reserved_member_no(member_no: str, own_id: int | None) -> list[FieldError]:
    """Generated numbers belong to the member whose id they carry, so later members' numbers stay free."""
    if is_generated_member_no(member_no) and (own_id is None or member_no != generated_member_no(own_id)):
        return [FieldError(("member_no",), f"{member_no!r} has the form of a generated member number", ErrorCode.INVALID)]
    return []


def _member_values(fields: MemberFields) -> dict[str, Any]:
    values = fields.model_dump(exclude={"member_no"} if fields.member_no is None else set())
    values["special_needs"] = [need.value for need in fields.special_needs]
    return values


async def create_registration(
    session: AsyncSession, data: dict[str, Any], today: date | None = None
) -> ProductRegistration:
    """Register a unit; the warranty ends `warranty_months` after purchase unless given.
    `today` (default: today in the brand's time zone) bounds the purchase date."""
    fields = validate(RegistrationFields, data)
    raise_if(await _registration_errors(session, fields, None, today or clock.today()))
    registration = ProductRegistration(**fields.model_dump(exclude={"warranty_end"}))
    registration.warranty_end = fields.warranty_end or await _default_warranty_end(session, fields)
    session.add(registration)
    await session.flush()
    return registration


async def update_registration(
    session: AsyncSession, registration_id: int, patch: dict[str, Any], today: date | None = None
) -> ProductRegistration:
    """Change a registration. The warranty end is recomputed when the patch sets it to null, or
    when it moves the purchase date or product and the stored end was the computed one; an end
    set by hand (an extended warranty) stays."""
    registration = await get_or_error(session, ProductRegistration, registration_id)
    current = RegistrationFields.model_validate(registration)
    moves = any(key in patch and patch[key] != getattr(current, key) for key in ("purchase_date", "product_id"))
    if moves and "warranty_end" not in patch and current.warranty_end == await _default_warranty_end(session, current):
        patch = {**patch, "warranty_end": None}
    fields = merge(RegistrationFields, current, patch)
    raise_if(await _registration_errors(session, fields, registration.id, today or clock.today()))
    if fields.warranty_end is None:
        fields.warranty_end = await _default_warranty_end(session, fields)
    for key, value in fields.model_dump().items():
        setattr(registration, key, value)
    await session.flush()
    return registration


async def _registration_errors(
    session: AsyncSession, fields: RegistrationFields, own_id: int | None, today: date
) -> list[FieldError]:
    errors = await missing_references(
        session, [(("member_id",), Member, fields.member_id), (("product_id",), Product, fields.product_id)]
    )
    # Unscoped: a service agent records where a unit was bought without reading the channel.
    if fields.store_id is not None and await session.scalar(
        select(Store.id).where(Store.id == fields.store_id).execution_options(**{UNSCOPED: True})
    ) is None:
        errors.append(FieldError(("store_id",), f"Store {fields.store_id} does not exist", ErrorCode.NOT_FOUND))
    if fields.purchase_date > today:
        errors.append(
            FieldError(("purchase_date",), f"the purchase date is after today ({today.isoformat()})", ErrorCode.OUT_OF_RANGE)
        )
    # A serial number identifies a unit of one product; another product may carry the same number.
    errors += await duplicate_key(
        session,
        {ProductRegistration.serial_number: fields.serial_number, ProductRegistration.product_id: fields.product_id},
        ("serial_number",),
        exclude_id=own_id,
    )
    return errors


async def _default_warranty_end(session: AsyncSession, fields: RegistrationFields) -> date:
    product = await get_or_error(session, Product, fields.product_id, ("product_id",))
    return clock.add_months(fields.purchase_date, product.warranty_months)


def warranty_status(warranty_end: date, as_of: date | None = None) -> WarrantyStatus:
    """In warranty through the end date itself; `as_of` defaults to today in the brand's time zone."""
    return WarrantyStatus.IN_WARRANTY if (as_of or clock.today()) <= warranty_end else WarrantyStatus.EXPIRED
