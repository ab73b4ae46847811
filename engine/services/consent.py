"""Marketing consent: every grant or withdrawal is an appended event; the member row holds the
current state. An erased member can never be consenting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from engine import clock
from engine.errors import DomainError
from engine.services.common import get_or_error, validate
from engine.store.consumer import ConsentEvent, Member
from schemas.consumer import ConsentFields
from schemas.errors import ErrorCode

SIGNUP = "signup"


def record_consent(
    session: AsyncSession, member: Member, granted: bool, source: str, actor: str, at: datetime | None = None
) -> ConsentEvent:
    """Append the event and set the member's current state, both at the same instant."""
    at = at or clock.now()
    event = ConsentEvent(member_id=member.id, granted=granted, source=source[:64], actor=actor[:100], at=at)
    session.add(event)
    member.marketing_consent = granted
    member.consent_updated_at = at
    return event


async def set_consent(session: AsyncSession, member_id: int, data: dict[str, Any], actor: str) -> Member:
    """A member gives or withdraws marketing consent (`actor`: who recorded it)."""
    consent = validate(ConsentFields, data)
    member = await get_or_error(session, Member, member_id)
    refuse_if_erased(member, "recording consent")
    record_consent(session, member, consent.granted, consent.source, actor)
    await session.flush()
    return member


def refuse_if_erased(member: Member, what: str) -> None:
    """WRONG_STATUS on the `id` argument: an erased member's record is closed to changes."""
    if member.erased_at is not None:
        raise DomainError.single(("id",), f"{what} is not allowed: member {member.member_no} was erased", ErrorCode.WRONG_STATUS)
