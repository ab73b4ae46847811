"""Service workforce use cases: create and update service networks and their technicians."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from engine.errors import FieldError
from engine.services.common import (
    duplicate,
    get_or_error,
    merge,
    missing_references,
    raise_if,
    validate,
)
from engine.store.service import ServiceNetwork, Technician, TechnicianSkill
from schemas.errors import ErrorCode
from schemas.service import ServiceNetworkFields, TechnicianFields


async def create_network(session: AsyncSession, data: dict[str, Any]) -> ServiceNetwork:
    fields = validate(ServiceNetworkFields, data)
    raise_if(await duplicate(session, ServiceNetwork.code, fields.code, ("code",)))
    network = ServiceNetwork()
    _apply_network(network, fields)
    session.add(network)
    await session.flush()
    return network


async def update_network(
    session: AsyncSession, network_id: int, patch: dict[str, Any]
) -> ServiceNetwork:
    network = await get_or_error(session, ServiceNetwork, network_id)
    fields = merge(ServiceNetworkFields, ServiceNetworkFields.model_validate(network), patch)
    raise_if(
        await duplicate(session, ServiceNetwork.code, fields.code, ("code",), exclude_id=network.id)
    )
    _apply_network(network, fields)
    await session.flush()
    return network


def _apply_network(network: ServiceNetwork, fields: ServiceNetworkFields) -> None:
    for key, value in fields.model_dump().items():
        setattr(network, key, value)
    # Kept sorted (the contract refuses repeats) so that comparisons need no normalising.
    network.region_codes = sorted(fields.region_codes)


async def create_technician(session: AsyncSession, data: dict[str, Any]) -> Technician:
    fields = validate(TechnicianFields, data)
    raise_if(
        _repeated_skill_errors(fields)
        + await duplicate(session, Technician.code, fields.code, ("code",))
        + await missing_references(session, [(("network_id",), ServiceNetwork, fields.network_id)])
    )
    technician = Technician(skills=[])
    _apply_technician(technician, fields)
    session.add(technician)
    await session.flush()
    return technician


async def update_technician(
    session: AsyncSession, technician_id: int, patch: dict[str, Any]
) -> Technician:
    """Change a technician; `skills`, when given, replaces the whole list."""
    technician = await get_or_error(
        session, Technician, technician_id, ("id",), selectinload(Technician.skills)
    )
    fields = merge(TechnicianFields, TechnicianFields.model_validate(technician), patch)
    raise_if(
        _repeated_skill_errors(fields)
        + await duplicate(
            session, Technician.code, fields.code, ("code",), exclude_id=technician.id
        )
        + await missing_references(session, [(("network_id",), ServiceNetwork, fields.network_id)])
    )
    _apply_technician(technician, fields)
    await session.flush()
    return technician


def _repeated_skill_errors(fields: TechnicianFields) -> list[FieldError]:
    return [
        FieldError(
            ("skills", i, "skill"),
            f"{fields.skills[i].skill.value} is listed more than once",
            ErrorCode.INVALID,
        )
        for i in fields.repeated_skills()
    ]


def _apply_technician(technician: Technician, fields: TechnicianFields) -> None:
    for key, value in fields.model_dump(exclude={"skills"}).items():
        setattr(technician, key, value)
    # Update levels in place and drop or add the rest: a delete and re-insert of the same
    # (technician, skill) key in one flush is avoided.
    wanted = {item.skill: item.level for item in fields.skills}
    kept = []
    for row in technician.skills:
        if row.skill in wanted:
            row.level = wanted.pop(row.skill)
            kept.append(row)
    kept += [TechnicianSkill(skill=skill, level=level) for skill, level in wanted.items()]
    technician.skills = kept
