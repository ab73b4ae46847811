"""Contracts of access: accounts, API keys and the grants they carry."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from engine.access.permissions import Role
from schemas.common import NoRepeats, ShortText

Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._\-]*$")]
# Length, not composition rules (NIST SP 800-63B); the upper bound keeps hashing cheap.
Password = Annotated[str, StringConstraints(min_length=12, max_length=128)]


class GrantFields(BaseModel):
    """Roles and, for a scoped role, what it is scoped to."""

    model_config = ConfigDict(from_attributes=True)

    roles: Annotated[list[Role], Field(min_length=1, max_length=len(Role)), NoRepeats]
    dealer_id: int | None = None
    network_ids: Annotated[list[int], Field(max_length=100), NoRepeats] = []
    technician_id: int | None = None


class UserFields(GrantFields):
    username: Username
    display_name: ShortText
    active: bool = True


class UserCreate(UserFields):
    password: Password


class ApiKeyFields(GrantFields):
    name: ShortText
    rate_limit_per_minute: Annotated[int, Field(ge=1, le=100_000)] | None = None


class PasswordChange(BaseModel):
    password: Password


class OwnPasswordChange(BaseModel):
    """A person changing their own password proves they know the current one."""

    current_password: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    new_password: Password
