"""Demo logins, one per role, made through the access use cases after the demo data is loaded.
Not part of the seeded data (nor its digest): accounts hold password hashes, salted afresh."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.access.permissions import Role
from engine.errors import DomainError
from engine.services.access import create_user
from engine.store.channel import Dealer
from engine.store.service import ServiceNetwork, Technician, WorkOrder
from engine.store.session import make_async_engine, make_sessionmaker, transaction
from schemas.enums import ChannelType
from schemas.errors import ErrorCode

DEFAULT_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    scope: str  # what a scoped role is limited to, e.g. "dealer D0001 上海…"; "" for the others
    created: bool  # False: the username was taken already and the account was left as it was


async def _top_agent(session: AsyncSession) -> tuple[dict[str, Any], str]:
    dealer = await session.scalar(
        select(Dealer).where(Dealer.parent_id.is_(None), Dealer.channel_type == ChannelType.AGENT).order_by(Dealer.code).limit(1)
    )
    if dealer is None:
        raise LookupError("the demo data holds no top-level agent")
    return {"dealer_id": dealer.id}, f"dealer {dealer.code} {dealer.name} and its sub-dealers"


async def _network(session: AsyncSession) -> tuple[dict[str, Any], str]:
    network = await session.scalar(select(ServiceNetwork).order_by(ServiceNetwork.code).limit(1))
    if network is None:
        raise LookupError("the demo data holds no service network")
    return {"network_ids": [network.id]}, f"network {network.code} {network.name}"


async def _busy_technician(session: AsyncSession) -> tuple[dict[str, Any], str]:
    busy = select(WorkOrder.technician_id).where(WorkOrder.technician_id.is_not(None))
    technician = await session.scalar(select(Technician).where(Technician.id.in_(busy)).order_by(Technician.code).limit(1))
    if technician is None:
        raise LookupError("the demo data holds no technician with work orders")
    return {"technician_id": technician.id}, f"technician {technician.code} {technician.name}"


async def _unscoped(_session: AsyncSession) -> tuple[dict[str, Any], str]:
    return {}, ""


Scope = Callable[[AsyncSession], Awaitable[tuple[dict[str, Any], str]]]
ACCOUNTS: tuple[tuple[str, Role, Scope], ...] = (
    ("demo-admin", Role.ADMIN, _unscoped),
    ("demo-planner", Role.OPS_PLANNER, _unscoped),
    ("demo-channel", Role.CHANNEL_MANAGER, _unscoped),
    ("demo-dealer", Role.DEALER, _top_agent),
    ("demo-agent", Role.SERVICE_AGENT, _network),
    ("demo-technician", Role.TECHNICIAN, _busy_technician),
    ("demo-analyst", Role.ANALYST, _unscoped),
)


async def create_demo_accounts(database_url: str, password: str) -> list[DemoAccount]:
    """One login per role, each in its own transaction, as the system; a taken username is kept."""
    engine = make_async_engine(database_url)
    sessions = make_sessionmaker(engine)
    made = []
    try:
        # Every scope is found before any account is made: all the logins or none.
        async with sessions() as session:
            scopes = [await scope(session) for _, _, scope in ACCOUNTS]
        for (username, role, _), (grant, shown) in zip(ACCOUNTS, scopes, strict=True):
            data = {"username": username, "display_name": f"Demo {role.value.replace('_', ' ')}",
                    "password": password, "roles": [role.value], **grant}
            try:
                async with transaction(sessions) as session:
                    await create_user(session, data)
                made.append(DemoAccount(username, role, shown, created=True))
            except DomainError as exc:
                if all(e.path == ("username",) and e.code is ErrorCode.DUPLICATE for e in exc.errors):
                    made.append(DemoAccount(username, role, shown, created=False))
                else:
                    raise
    finally:
        await engine.dispose()
    return made


def add_demo_accounts(database_url: str, password: str) -> list[DemoAccount]:
    return asyncio.run(create_demo_accounts(database_url, password))
