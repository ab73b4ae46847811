"""The authenticated caller: its roles, permissions and the rows its role lets it see."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from engine.access.permissions import ROLE_PERMISSIONS, Permission, Role

if TYPE_CHECKING:
    from engine.access.scope import Criteria


@dataclass(frozen=True)
class Principal:
    """kind is 'user', 'api_key' or 'system'. The scope fields are resolved at authentication:
    a dealer's whole subtree, a service agent's networks and their regions, a technician."""

    kind: str
    id: int | None
    name: str
    roles: frozenset[Role]
    dealer_ids: frozenset[int] | None = None
    network_ids: frozenset[int] | None = None
    region_codes: frozenset[str] = field(default_factory=frozenset)
    technician_id: int | None = None
    technician_network_id: int | None = None
    rate_limit_per_minute: int | None = None

    @cached_property
    def permissions(self) -> frozenset[Permission]:
        return frozenset().union(*(ROLE_PERMISSIONS[r] for r in self.roles))

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @cached_property
    def row_criteria(self) -> Criteria:
        from engine.access.scope import row_criteria

        return row_criteria(self)

    @property
    def audit_name(self) -> str:
        return f"{self.kind}:{self.name}"

    def __hash__(self) -> int:  # cached_property needs __dict__; hash on identity fields
        return hash((self.kind, self.id, self.name))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Principal) and (self.kind, self.id, self.name, self.roles) == (
            other.kind, other.id, other.name, other.roles)


# Command-line tools and the demo loader act as the system: every permission, every row.
SYSTEM = Principal(kind="system", id=None, name="system", roles=frozenset({Role.ADMIN}))
