"""Contracts of the service domain: service networks, technicians and work orders."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from functools import lru_cache
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from schemas.common import (
    Address,
    Code,
    Latitude,
    Longitude,
    Name,
    NoRepeats,
    Note,
    RegionCode,
    ShortText,
    Version,
)
from schemas.enums import Skill, WorkOrderKind

Level = Annotated[int, Field(ge=1, le=5, description="skill level: 1 = trainee … 5 = master")]
Minutes = Annotated[int, Field(ge=1, le=1440, description="minutes within one day")]
Priority = Annotated[int, Field(ge=1, le=5, description="1 = most urgent … 5 = least")]
Stars = Annotated[int, Field(ge=1, le=5)]


def _in_utc(value: datetime) -> datetime:
    """The same instant in UTC; 9999-12-31T23:00-05:00, for one, has no UTC form."""
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the time is out of the supported range") from exc


# Instants are kept in UTC, so what a mutation returns reads the same as what a query returns.
Instant = Annotated[AwareDatetime, AfterValidator(_in_utc)]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)
]


# An IANA Area/Location name (Asia/Shanghai, America/Argentina/Buenos_Aires, Etc/GMT-8).
_AREA_LOCATION = re.compile(r"[A-Z][A-Za-z]+(/[A-Za-z0-9_+\-]+)+")


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    """The time zones a network may be in: "UTC" and the Area/Location names of the tz
    database; not "localtime" (the server's own zone), "Factory" or legacy names like "PRC"."""
    return frozenset(
        name for name in available_timezones() if name == "UTC" or _AREA_LOCATION.fullmatch(name)
    )


def _known_zone(value: str) -> str:
    if value not in _zones():
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. Asia/Shanghai, or UTC)")
    return value


TimeZoneName = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(_known_zone)
]


def _local_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError(
            "shift times are local to the network's time zone: give them without an offset"
        )
    return value


LocalTime = Annotated[time, AfterValidator(_local_time)]


class ServiceNetworkFields(BaseModel):
    """A service outlet: its territory and the time zone its technicians' shifts are in."""

    model_config = ConfigDict(from_attributes=True)

    code: Code
    name: Name
    time_zone: TimeZoneName
    region_codes: Annotated[list[RegionCode], Field(max_length=200), NoRepeats] = []
    address: Address
    latitude: Latitude
    longitude: Longitude


class SkillLevel(BaseModel):
    """One certification a technician holds."""

    model_config = ConfigDict(from_attributes=True)

    skill: Skill
    level: Level


class TechnicianFields(BaseModel):
    """Everything a technician record holds; skills are the whole list, without repeats."""

    model_config = ConfigDict(from_attributes=True)

    code: Code
    name: ShortText
    network_id: int
    home_latitude: Latitude
    home_longitude: Longitude
    shift_start: LocalTime
    shift_end: LocalTime
    daily_capacity_minutes: Minutes
    rating: Annotated[float, Field(ge=0, le=5, allow_inf_nan=False)] = 5.0
    active: bool = True
    skills: Annotated[list[SkillLevel], Field(max_length=len(Skill))] = []

    @field_validator("shift_end")
    @classmethod
    def _shift_end_after_start(cls, value: time, info: ValidationInfo) -> time:
        start = info.data.get("shift_start")
        if start is not None and value <= start:
            raise ValueError(
                "the shift must end after it starts (overnight shifts are not supported)"
            )
        return value

    def repeated_skills(self) -> list[int]:
        """Positions in `skills` whose skill already appeared earlier in the list."""
        seen: set[Skill] = set()
        repeated = []
        for index, item in enumerate(self.skills):
            if item.skill in seen:
                repeated.append(index)
            seen.add(item.skill)
        return repeated


def _end_after_start(value: datetime, info: ValidationInfo) -> datetime:
    start = info.data.get("window_start")
    if start is not None and value <= start:
        raise ValueError("the window must end after it starts")
    return value


class WorkOrderDraft(BaseModel):
    """A work order as requested; what is omitted is filled from the member, registration and
    product by the use case, which then checks the result as a `WorkOrderSchedule`."""

    order_no: Code | None = None
    kind: WorkOrderKind
    network_id: int
    member_id: int
    registration_id: int | None = None
    product_id: int | None = None
    required_skill: Skill | None = None
    min_skill_level: Level = 1
    region_code: RegionCode | None = None
    address: Address | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    duration_minutes: Minutes
    window_start: Instant
    window_end: Instant
    priority: Priority = 3
    sla_deadline: Instant | None = None
    description: Description | None = None

    @field_validator("window_end")
    @classmethod
    def _window_ends_after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        return _end_after_start(value, info)


class WorkOrderSchedule(BaseModel):
    """The fields of a work order a planner may change until the technician checks in."""

    model_config = ConfigDict(from_attributes=True)

    region_code: RegionCode
    address: Address
    latitude: Latitude
    longitude: Longitude
    duration_minutes: Minutes
    window_start: Instant
    window_end: Instant
    priority: Priority
    sla_deadline: Instant
    description: Description | None = None

    @field_validator("window_end")
    @classmethod
    def _window_ends_after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        return _end_after_start(value, info)


class VersionCheck(BaseModel):
    """The version the caller saw, if it wants the change refused (CONFLICT) when it is not current."""

    expected_version: Version | None = None


class TransitionFields(VersionCheck):
    """What every status change may carry: the version the caller saw, and a note for the history."""

    note: Note | None = None


class AssignFields(TransitionFields):
    technician_id: int


class RateFields(TransitionFields):
    rating: Stars


class CancelFields(TransitionFields):
    reason: Note
