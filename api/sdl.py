"""The schema as SDL, as committed in graphql/schema.graphql."""

from __future__ import annotations

from api.schema import build_schema
from engine.settings import Settings


def schema_sdl() -> str:
    # Development settings: the full schema, whatever this process's environment says.
    return build_schema(Settings(crm_env="development")).as_str() + "\n"
