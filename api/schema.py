"""The strawberry schema: every domain's queries and mutations merged, plus `node`."""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry
from strawberry import relay
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import Info

from api.access.mutations import AccessMutations
from api.access.queries import AccessQueries
from api.audit.queries import AuditQueries
from api.catalogue.mutations import CatalogueMutations
from api.catalogue.queries import CatalogueQueries
from api.channel.mutations import ChannelMutations
from api.channel.queries import ChannelQueries
from api.consumer.mutations import ConsumerMutations
from api.consumer.queries import ConsumerQueries
from api.dispatch.mutations import DispatchMutations
from api.dispatch.queries import DispatchQueries
from api.errors import ClientError
from api.extensions import extensions
from api.loyalty.mutations import LoyaltyMutations
from api.loyalty.queries import LoyaltyQueries
from api.permissions import declared, requires
from api.pricing.mutations import PricingMutations
from api.pricing.queries import PricingQueries
from api.relay import NODE_MODELS, decode_id
from api.rules.mutations import RuleMutations
from api.rules.queries import RuleQueries
from api.sales.mutations import SalesMutations
from api.sales.queries import SalesQueries
from api.scalars import SCALARS
from api.service.mutations import ServiceMutations
from api.settlements.mutations import SettlementMutations
from api.settlements.queries import SettlementQueries
from api.service.queries import ServiceQueries
from engine.settings import Settings
from graphql import GraphQLError
from schemas.errors import ErrorCode


@strawberry.type
class NodeQueries:
    @strawberry.field(permission_classes=requires(), description="Any object by its global id; null if it does not exist.")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        try:
            type_name, pk = decode_id(id)
        except ValueError as exc:
            raise ClientError(str(exc), ErrorCode.BAD_GLOBAL_ID, "id") from exc
        return await info.context.loaders.by_id(NODE_MODELS[type_name]).load(pk)

    @strawberry.field(permission_classes=requires(), description="Objects by global id, in order; null where one does not exist.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[relay.Node | None]:
        if len(ids) > info.context.settings.page_size_max:
            raise ClientError(f"at most {info.context.settings.page_size_max} ids", ErrorCode.OUT_OF_RANGE, "ids")
        keys = []
        for index, value in enumerate(ids):
            try:
                keys.append(decode_id(value))
            except ValueError as exc:
                raise ClientError(str(exc), ErrorCode.BAD_GLOBAL_ID, f"ids.{index}") from exc
        loaders = info.context.loaders
        return list(await asyncio.gather(*(loaders.by_id(NODE_MODELS[t]).load(pk) for t, pk in keys)))


QUERY_TYPES: tuple[type, ...] = (NodeQueries, ChannelQueries, CatalogueQueries, ConsumerQueries, SalesQueries, ServiceQueries, AccessQueries, AuditQueries, RuleQueries, LoyaltyQueries, PricingQueries, DispatchQueries, SettlementQueries)
MUTATION_TYPES: tuple[type, ...] = (ChannelMutations, CatalogueMutations, ConsumerMutations, SalesMutations, ServiceMutations, AccessMutations, RuleMutations, LoyaltyMutations, PricingMutations, DispatchMutations, SettlementMutations)

Query = merge_types("Query", QUERY_TYPES)
Mutation = merge_types("Mutation", MUTATION_TYPES)


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Silence strawberry's log of every error: client errors are the caller's business and
        ClassifyErrors logs the unexpected ones with their traceback."""


def _check_permissions(*types: type) -> None:
    """Refuse a root field that declares no permission, and state each one's in its description."""
    for root in types:
        for field in root.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            needed = declared(field)
            if needed is None:
                raise TypeError(f"{root.__name__}.{field.python_name} declares no permission (permission_classes=requires(...))")
            note = "Requires " + (", ".join(f"`{p.value}`" for p in sorted(needed)) if needed else "any authenticated caller") + "."
            if note not in (field.description or ""):
                field.description = f"{field.description} {note}" if field.description else note


def build_schema(settings: Settings) -> strawberry.Schema:
    _check_permissions(Query, Mutation)
    return Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions(settings),
        config=StrawberryConfig(scalar_map=SCALARS),
    )
