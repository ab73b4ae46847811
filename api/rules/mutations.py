"""Rule-set mutations: create a set, author drafts, publish and retire versions. Documents are
sent as JSON and validated by the engine against their kind's document model."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import UNSET
from strawberry.scalars import JSON
from strawberry.types import Info

from api.errors import MutationError
from api.inputs import input_data
from api.mutations import run_mutation
from api.permissions import requires
from api.relay import pk_of
from api.rules.types import RuleSet, RuleSetVersion
from engine.access.permissions import Permission as P
from engine.services import rule_sets as service
from engine.store import rules as m
from schemas.rules import RuleSetKind

_DOCUMENT = "The rule document (JSON, snake_case field names, see ruleDocumentSchema)."
_EXPECTED = "Refuse the change (CONFLICT) unless the version is still at this rowVersion."


@strawberry.input(description="A new rule set and its first draft (version 1).")
class RuleSetCreateInput:
    key: str = strawberry.field(description="Lower-case letters, digits, `_`, `-`, `.`; up to 64; unique.")
    kind: RuleSetKind
    name: str
    description: str | None = None
    document: JSON | None = strawberry.field(  # type: ignore[valid-type]
        default=UNSET, description=f"{_DOCUMENT} Default: an empty document."
    )
    valid_from: datetime | None = UNSET
    valid_to: datetime | None = UNSET
    note: str | None = None


@strawberry.input(description="A new draft of a rule set; omitted fields are copied from its latest version.")
class RuleSetVersionCreateInput:
    rule_set_id: strawberry.ID
    document: JSON | None = strawberry.field(default=UNSET, description=_DOCUMENT)  # type: ignore[valid-type]
    valid_from: datetime | None = UNSET
    valid_to: datetime | None = UNSET
    note: str | None = None


@strawberry.input(description="Changes to a draft; omitted fields keep their value.")
class RuleSetVersionUpdateInput:
    document: JSON | None = strawberry.field(default=UNSET, description=_DOCUMENT)  # type: ignore[valid-type]
    valid_from: datetime | None = UNSET
    valid_to: datetime | None = UNSET
    note: str | None = UNSET
    expected_version: int | None = strawberry.field(default=UNSET, description=_EXPECTED)


@strawberry.input(description="What comes with publishing or retiring a version (the version is the `id` argument).")
class RuleSetVersionTransitionInput:
    expected_version: int | None = strawberry.field(default=UNSET, description=_EXPECTED)


@strawberry.type
class RuleSetPayload:
    rule_set: RuleSet | None
    errors: list[MutationError]


@strawberry.type
class RuleSetVersionPayload:
    rule_set_version: RuleSetVersion | None
    errors: list[MutationError]


def _actor(info: Info) -> str:
    return info.context.principal.audit_name  # type: ignore[no-any-return]


@strawberry.type
class RuleMutations:
    @strawberry.mutation(permission_classes=requires(P.RULES_WRITE), description="Create a rule set with its first draft.")
    async def rule_set_create(self, info: Info, input: RuleSetCreateInput) -> RuleSetPayload:
        actor = _actor(info)
        rule_set, errors = await run_mutation(info, lambda s: service.create_rule_set(s, input_data(input), actor))
        return RuleSetPayload(rule_set=rule_set, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.RULES_WRITE), description="Start a new draft version of a rule set.")
    async def rule_set_version_create(self, info: Info, input: RuleSetVersionCreateInput) -> RuleSetVersionPayload:
        actor = _actor(info)
        version, errors = await run_mutation(
            info, lambda s: service.create_version(s, input_data(input, {"rule_set_id": "RuleSet"}), actor)
        )
        return RuleSetVersionPayload(rule_set_version=version, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(
        permission_classes=requires(P.RULES_WRITE), description="Change a draft (a published version is immutable)."
    )
    async def rule_set_version_update(
        self, info: Info, id: strawberry.ID, input: RuleSetVersionUpdateInput
    ) -> RuleSetVersionPayload:
        version, errors = await run_mutation(
            info, lambda s: service.update_version(s, pk_of(id, "RuleSetVersion", ("id",)), input_data(input))
        )
        return RuleSetVersionPayload(rule_set_version=version, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(
        permission_classes=requires(P.RULES_PUBLISH),
        description="Publish a draft: checked again and, for pricing, against the other live pricing sets "
        "(equal-priority conflicts are refused with CONFLICT). A published version is immutable.",
    )
    async def rule_set_version_publish(
        self, info: Info, id: strawberry.ID, input: RuleSetVersionTransitionInput | None = None
    ) -> RuleSetVersionPayload:
        return await _transition(info, id, input, service.publish_version)

    @strawberry.mutation(
        permission_classes=requires(P.RULES_PUBLISH), description="Retire a published version: it never counts again."
    )
    async def rule_set_version_retire(
        self, info: Info, id: strawberry.ID, input: RuleSetVersionTransitionInput | None = None
    ) -> RuleSetVersionPayload:
        return await _transition(info, id, input, service.retire_version)


async def _transition(
    info: Info, id: strawberry.ID, input: RuleSetVersionTransitionInput | None, change: service.Transition
) -> RuleSetVersionPayload:
    actor = _actor(info)

    async def use_case(session: AsyncSession) -> m.RuleSetVersion:
        data = {} if input is None else input_data(input)
        return await change(session, pk_of(id, "RuleSetVersion", ("id",)), data, actor)

    version, errors = await run_mutation(info, use_case)
    return RuleSetVersionPayload(rule_set_version=version, errors=errors)  # type: ignore[arg-type]
