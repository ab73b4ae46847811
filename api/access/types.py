"""GraphQL types of access: users, API keys and the viewer. Never a password hash or key secret."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay
from strawberry.types import Info

from api.channel.types import Dealer
from api.relay import node_type
from api.service.types import ServiceNetwork, Technician
from engine.access.permissions import Role
from engine.access.principal import Principal
from engine.store import access as m
from engine.store import channel as channel_m
from engine.store import service as service_m

RoleType = strawberry.enum(Role, name="Role", description="What an account may do; see each field's `Requires`.")


@strawberry.enum(description="Who is calling: a person logged in, or a service with an API key.")
class ViewerKind(Enum):
    USER = "user"
    API_KEY = "api_key"


async def _dealer(info: Info, dealer_id: int | None) -> Dealer | None:
    return None if dealer_id is None else await info.context.loaders.by_id(channel_m.Dealer).load(dealer_id)


async def _networks(info: Info, network_ids: list[int] | frozenset[int]) -> list[ServiceNetwork]:
    rows = await info.context.loaders.by_id(service_m.ServiceNetwork).load_many(sorted(network_ids))
    return sorted((r for r in rows if r is not None), key=lambda r: r.code)


async def _technician(info: Info, technician_id: int | None) -> Technician | None:
    if technician_id is None:
        return None
    return await info.context.loaders.by_id(service_m.Technician).load(technician_id)


@strawberry.interface(description="Roles, and for a scoped role the rows it is limited to.")
class Grant:
    @strawberry.field(description="The roles held; a scoped role (dealer, service agent, technician) stands alone.")
    def roles(self) -> list[Role]:
        return [Role(r) for r in self.roles]  # type: ignore[attr-defined]

    @strawberry.field(description="A dealer role's dealer: it sees this dealer's whole subtree.")
    async def dealer(self, info: Info) -> Dealer | None:
        return await _dealer(info, self.dealer_id)  # type: ignore[attr-defined]

    @strawberry.field(description="A service agent's networks, by code.")
    async def networks(self, info: Info) -> list[ServiceNetwork]:
        return await _networks(info, self.network_ids)  # type: ignore[attr-defined]

    @strawberry.field(description="A technician role's technician: it sees its own work orders.")
    async def technician(self, info: Info) -> Technician | None:
        return await _technician(info, self.technician_id)  # type: ignore[attr-defined]


@node_type(m.User)
@strawberry.type(description="A person who logs in with a username and password.")
class User(relay.Node, Grant):
    id: relay.NodeID[int]
    username: str
    display_name: str
    active: bool = strawberry.field(description="An inactive account cannot log in; its tokens stopped working.")
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime


@node_type(m.ApiKey)
@strawberry.type(description="A service's API key. Its secret is shown once, when created, and never stored.")
class ApiKey(relay.Node, Grant):
    id: relay.NodeID[int]
    name: str
    prefix: str = strawberry.field(description="The public part of the key (`crm_<prefix>_…`), to tell keys apart.")
    rate_limit_per_minute: int | None = strawberry.field(
        description="Requests a minute this key may make; null: the service's default for keys."
    )
    created_by: str = strawberry.field(description="Who created the key, e.g. `user:alice`, or `system:cli` from the command line.")
    revoked_at: datetime | None = strawberry.field(description="When the key stopped working; null while live.")
    last_used_at: datetime | None = strawberry.field(description="Last authenticated request, to the minute.")
    created_at: datetime
    updated_at: datetime


@strawberry.type(description="The caller: who it is, what it may do and which rows it sees.")
class Viewer:
    _principal: strawberry.Private[Principal]
    _account: strawberry.Private[m.User | m.ApiKey | None]

    @strawberry.field
    def kind(self) -> ViewerKind:
        return ViewerKind(self._principal.kind)

    @strawberry.field(description="The username or the API key's name.")
    def name(self) -> str:
        return self._principal.name

    @strawberry.field(description="A person's display name; the key's name for an API key.")
    def display_name(self) -> str:
        return self._account.display_name if isinstance(self._account, m.User) else self._principal.name

    @strawberry.field
    def roles(self) -> list[Role]:
        return sorted(self._principal.roles, key=list(Role).index)

    @strawberry.field(description="Every permission the roles hold, as named in the fields' `Requires` notes, e.g. `channel:read`.")
    def permissions(self) -> list[str]:
        return sorted(p.value for p in self._principal.permissions)

    @strawberry.field(description="A dealer's own dealer (the root of the subtree it sees); null for other roles.")
    async def dealer(self, info: Info) -> Dealer | None:
        return await _dealer(info, self._account.dealer_id if self._account is not None else None)

    @strawberry.field(description="A service agent's networks; empty for other roles.")
    async def networks(self, info: Info) -> list[ServiceNetwork]:
        return await _networks(info, self._principal.network_ids or frozenset())

    @strawberry.field(description="A technician's own record; null for other roles.")
    async def technician(self, info: Info) -> Technician | None:
        return await _technician(info, self._principal.technician_id)
