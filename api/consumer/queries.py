"""Consumer queries: member and product-registration connections with filters and sorting."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, and_, not_
from strawberry.scalars import JSON
from strawberry.types import Info

from api.consumer.types import Member, ProductRegistration
from api.errors import ClientError
from api.filters import DateRange, DateTimeRange, json_list_contains, range_conditions
from api.mutations import audit
from api.permissions import requires
from api.relay import Connection, OrderDirection, decode_id, filter_ids, paginate_sorted
from engine.access.permissions import Permission as P
from engine.privacy.lookup import mobile_digest
from engine.services.audit import Outcome
from engine.services.member_export import export_member
from engine.store import consumer as m
from schemas.consumer import TAG_PATTERN
from schemas.enums import MemberTier
from schemas.errors import ErrorCode


@strawberry.input(description="Members matching every given condition.")
class MemberWhereInput:
    tier: list[MemberTier] | None = None
    region_code: list[str] | None = None
    mobile: str | None = strawberry.field(default=None, description="Exact mobile number.")
    member_no: str | None = strawberry.field(default=None, description="Exact member number.")
    name_contains: str | None = None
    tag: str | None = strawberry.field(default=None, description="Members that carry this tag.")
    marketing_consent: bool | None = strawberry.field(
        default=None, description="true: members who accept marketing now (never an erased one); false: the others."
    )
    created_at: DateTimeRange | None = None


@strawberry.enum
class MemberOrderField(Enum):
    MEMBER_NO = "member_no"
    NAME = "name"
    GROWTH_VALUE = "growth_value"
    CREATED_AT = "created_at"


@strawberry.input
class MemberOrder:
    field: MemberOrderField
    direction: OrderDirection = OrderDirection.ASC


def member_conditions(where: MemberWhereInput | None, personal_data: bool = True) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    # Searching by a personal field would unmask it by guessing (a name a character at a time,
    # a mobile's hidden digits in 10^4 tries): only roles that see the fields whole may.
    if where.name_contains and not personal_data:
        raise ClientError("searching by name needs personal_data:read; look members up by member number",
                          ErrorCode.FORBIDDEN, "where.nameContains")
    if where.mobile is not None and not personal_data:
        raise ClientError("looking up by mobile needs personal_data:read; look members up by member number",
                          ErrorCode.FORBIDDEN, "where.mobile")
    c: list[Any] = []
    if where.tier:
        c.append(m.Member.tier.in_(where.tier))
    if where.region_code:
        c.append(m.Member.region_code.in_(where.region_code))
    if where.mobile is not None:
        c.append(m.Member.mobile_hash == mobile_digest(where.mobile))
    if where.member_no is not None:
        c.append(m.Member.member_no == where.member_no.strip())
    if where.name_contains:
        c.append(m.Member.name.contains(where.name_contains, autoescape=True))
    if where.tag is not None:
        c.append(json_list_contains(m.Member.tags, where.tag.strip(), TAG_PATTERN))
    if where.marketing_consent is not None:
        consenting = and_(m.Member.marketing_consent.is_(True), m.Member.erased_at.is_(None))
        c.append(consenting if where.marketing_consent else not_(consenting))
    c += range_conditions(m.Member.created_at, where.created_at, "where.createdAt")
    return c


@strawberry.input(description="Product registrations matching every given condition.")
class ProductRegistrationWhereInput:
    member: list[strawberry.ID] | None = None
    product: list[strawberry.ID] | None = None
    serial_number: str | None = strawberry.field(default=None, description="Exact serial number.")
    purchase_date: DateRange | None = None
    warranty_active_on: date | None = strawberry.field(
        default=None, description="Registrations still in warranty on this day (warrantyEnd on or after it)."
    )


@strawberry.enum
class ProductRegistrationOrderField(Enum):
    PURCHASE_DATE = "purchase_date"
    WARRANTY_END = "warranty_end"
    CREATED_AT = "created_at"


@strawberry.input
class ProductRegistrationOrder:
    field: ProductRegistrationOrderField
    direction: OrderDirection = OrderDirection.ASC


def registration_conditions(where: ProductRegistrationWhereInput | None) -> list[ColumnElement[bool]]:
    if where is None:
        return []
    c: list[Any] = []
    members = filter_ids(where.member, "Member", "where.member")
    if members is not None:
        c.append(m.ProductRegistration.member_id.in_(members))
    products = filter_ids(where.product, "Product", "where.product")
    if products is not None:
        c.append(m.ProductRegistration.product_id.in_(products))
    if where.serial_number is not None:
        c.append(m.ProductRegistration.serial_number == where.serial_number.strip())
    c += range_conditions(m.ProductRegistration.purchase_date, where.purchase_date, "where.purchaseDate")
    if where.warranty_active_on is not None:
        c.append(m.ProductRegistration.warranty_end >= where.warranty_active_on)
    return c


@strawberry.type
class ConsumerQueries:
    @strawberry.field(permission_classes=requires(P.MEMBER_READ), description="Members, a page at a time.")
    async def members(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        where: MemberWhereInput | None = None,
        sort_by: MemberOrder | None = None,
    ) -> Connection[Member]:
        personal = info.context.can(P.PERSONAL_DATA)
        if sort_by is not None and sort_by.field is MemberOrderField.NAME and not personal:
            # The cursor of a name-sorted page carries the name, and a forged one compares with it.
            raise ClientError("sorting by name needs personal_data:read", ErrorCode.FORBIDDEN, "sortBy.field")
        return await paginate_sorted(
            info, m.Member, member_conditions(where, personal), sort_by, MemberOrderField.MEMBER_NO, first, after
        )

    @strawberry.field(
        permission_classes=requires(P.MEMBER_EXPORT),
        description="Everything held about a member, as one machine-readable JSON document (snake_case keys, ISO "
        "8601 times): profile unmasked, registrations, work orders with their history, consent history. "
        "Null if the member does not exist.",
    )
    async def member_export(self, info: Info, id: strawberry.ID) -> JSON | None:
        try:
            pk = decode_id(id, "Member")[1]
        except ValueError as exc:
            raise ClientError(str(exc), ErrorCode.BAD_GLOBAL_ID, "id") from exc
        async with info.context.sessions() as session:
            document = await export_member(session, pk)
        if document is not None:
            # Handing over everything held about a person is recorded like a change.
            await audit(info.context, "memberExport", ("Member", pk), Outcome.OK)
        return document

    @strawberry.field(permission_classes=requires(P.MEMBER_READ), description="Product registrations, a page at a time.")
    async def product_registrations(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        where: ProductRegistrationWhereInput | None = None,
        sort_by: ProductRegistrationOrder | None = None,
    ) -> Connection[ProductRegistration]:
        return await paginate_sorted(
            info,
            m.ProductRegistration,
            registration_conditions(where),
            sort_by,
            ProductRegistrationOrderField.PURCHASE_DATE,
            first,
            after,
        )
