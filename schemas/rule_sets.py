"""Contracts of the rule-set use cases: create a set, author draft versions, publish, retire.

A version's document is plain JSON here; it is validated against its kind's document model
(`schemas.pricing.PricingDocument`, `schemas.loyalty.LoyaltyDocument`) by the use case, which
knows the kind.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from schemas.common import Name, Note, Version
from schemas.rules import RuleSetKey, RuleSetKind

Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Document = dict[str, Any]


def _utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("out of the calendar's range in UTC") from exc


# A window's end: timezone-aware, kept in UTC.
Moment = Annotated[AwareDatetime, AfterValidator(_utc)]


class _Window(BaseModel):
    """A version's validity window: from `valid_from` (inclusive) to `valid_to` (exclusive),
    either end open; both timezone-aware. Declared first so `valid_to`'s check can see it."""

    valid_from: Moment | None = None
    valid_to: Moment | None = Field(default=None, validate_default=True)

    @field_validator("valid_to")
    @classmethod
    def _after_start(cls, value: Moment | None, info: ValidationInfo) -> Moment | None:
        start = info.data.get("valid_from")
        if value is not None and start is not None and value <= start:
            raise PydanticCustomError("window", "valid_to must be after valid_from")
        return value


class RuleSetCreateFields(_Window):
    """A new rule set and its first draft (version 1); the document defaults to an empty one."""

    key: RuleSetKey
    kind: RuleSetKind
    name: Name
    description: Description | None = None
    document: Document | None = None
    note: Note | None = None


class RuleSetVersionCreateFields(BaseModel):
    """A new draft of a set. Fields not sent are copied from the set's latest version (the
    document and the window); `note` starts empty. Merged, then validated as `VersionFields`."""

    rule_set_id: int
    document: Document | None = None
    valid_from: Moment | None = None
    valid_to: Moment | None = None
    note: Note | None = None


class RuleSetVersionUpdateFields(BaseModel):
    """Changes to a draft; fields not sent keep their value."""

    document: Document | None = None
    valid_from: Moment | None = None
    valid_to: Moment | None = None
    note: Note | None = None
    expected_version: Version | None = None


class VersionFields(_Window):
    """What a version holds besides its document, checked after a create or an update merged."""

    note: Note | None = None


class RuleSetVersionTransitionFields(BaseModel):
    """What comes with publishing or retiring a version."""

    expected_version: Version | None = None
