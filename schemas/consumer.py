"""Contracts of the consumer domain: members and the products they registered."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from schemas.common import (
    Address,
    Code,
    Count,
    Latitude,
    Longitude,
    NoRepeats,
    RegionCode,
    ShortText,
)
from schemas.enums import IncomeBand, MemberTier, SpecialNeed

# A mainland China mobile number; [0-9], not \d, which would also match other scripts' digits.
Mobile = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^1[3-9][0-9]{9}$")]

# GB 11643: six-digit region, birth date YYYYMMDD, three-digit sequence, ISO 7064 MOD 11-2 check.
_ID_NUMBER = re.compile(r"^[1-9][0-9]{16}[0-9X]$")
_ID_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_ID_CHECK = "10X98765432"
_ID_EARLIEST_BIRTH = date(1900, 1, 1)


def id_number_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a resident ID's first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _resident_id(value: str) -> str:
    """Upper-case X, 18 characters, a real past birth date and a matching check character.
    The messages never repeat the number: it is personal data."""
    number = value.strip().upper()
    if not _ID_NUMBER.match(number):
        raise ValueError("a resident ID number has 17 digits and a check digit or X")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError("the resident ID number does not hold a valid birth date") from None
    if not _ID_EARLIEST_BIRTH <= born <= date.today():
        raise ValueError("the resident ID number's birth date is out of range")
    if number[17] != id_number_check_character(number[:17]):
        raise ValueError("the resident ID number's check character does not match")
    return number


IdNumber = Annotated[str, AfterValidator(_resident_id)]

# A short label; no quote, backslash or comma, so a tag is always one whole JSON string in the
# stored list and "has this tag" can be matched on the list's JSON text.
TAG_PATTERN = r'^[^",\\\x00-\x1f]+$'
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32, pattern=TAG_PATTERN)]
SerialNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-./]*$")
]

# Member numbers the service generates: "M" and the member's id, zero-padded to 10 digits.
_GENERATED_MEMBER_NO = re.compile(r"^M[0-9]{10,}$")


def generated_member_no(member_id: int) -> str:
    """The member number given to a member created without one."""
    return f"M{member_id:010d}"


def is_generated_member_no(value: str) -> bool:
    """True for numbers of the generated form, which clients may not choose for themselves."""
    return _GENERATED_MEMBER_NO.match(value) is not None


def _field_errors(title: str, errors: list[tuple[str, str, str]]) -> ValidationError:
    """A validation error at given (field, type, message)s: a model validator's errors would
    otherwise have no location, and the API reports each problem on its input field."""
    return ValidationError.from_exception_data(
        title, [InitErrorDetails(type=PydanticCustomError(kind, message), loc=(loc,), input=None) for loc, kind, message in errors]
    )


class MemberFields(BaseModel):
    """Everything a member record holds; validated on create and, merged, on update.

    `member_no` None on create means "generate one" (see `generated_member_no`).
    """

    model_config = ConfigDict(from_attributes=True)

    member_no: Code | None = None
    name: ShortText
    mobile: Mobile
    region_code: RegionCode
    address: Address
    id_number: IdNumber | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    estate: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    layout: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)] | None = None
    household_size: Annotated[int, Field(ge=1, le=20)] | None = None
    income_band: IncomeBand | None = None
    special_needs: Annotated[list[SpecialNeed], NoRepeats] = []
    tags: Annotated[list[Tag], Field(max_length=50), NoRepeats] = []
    tier: MemberTier = MemberTier.NORMAL
    growth_value: Count = 0
    birth_month: Annotated[int, Field(ge=1, le=12)] | None = None

    @model_validator(mode="after")
    def _both_coordinates_or_neither(self) -> MemberFields:
        """A half location is no location: dispatch would place the member at 0° on one axis."""
        if (self.latitude is None) != (self.longitude is None):
            missing = "latitude" if self.latitude is None else "longitude"
            raise _field_errors("MemberFields", [(missing, "missing", "latitude and longitude go together")])
        return self


# Short labels, kept on the consent event (its source column holds 64 characters).
ConsentSource = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=48)]
ErasureReason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=48)]


class ConsentFields(BaseModel):
    """A member giving (granted) or withdrawing marketing consent, and through which channel."""

    granted: bool
    source: ConsentSource


class SignupConsent(BaseModel):
    """The marketing-consent choice made when joining; None: none was asked."""

    marketing_consent: bool | None = None


class ErasureFields(BaseModel):
    """Why a member's personal data is erased (e.g. "member request 2025-03-01"); recorded on
    the consent withdrawal the erasure writes, so it must not itself hold personal data."""

    reason: ErasureReason


class RegistrationFields(BaseModel):
    """A unit a member registered; `warranty_end` None means "from the product's warranty"."""

    model_config = ConfigDict(from_attributes=True)

    member_id: int
    product_id: int
    store_id: int | None = None
    serial_number: SerialNumber
    purchase_date: date
    warranty_end: date | None = None

    @field_validator("warranty_end")
    @classmethod
    def _ends_after_purchase(cls, value: date | None, info: ValidationInfo) -> date | None:
        purchased: Any = info.data.get("purchase_date")
        if value is not None and purchased is not None and value < purchased:
            raise ValueError("the warranty cannot end before the purchase date")
        return value
