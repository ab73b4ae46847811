"""The committed GraphQL contract (graphql/schema.graphql) is exactly what the code serves."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import SCHEMA_PATH, app
from api.sdl import schema_sdl


def drift(committed: str, generated: str) -> str:
    """The first lines of a diff from the committed SDL to the generated one."""
    lines = difflib.unified_diff(
        committed.splitlines(), generated.splitlines(), "graphql/schema.graphql (committed)", "generated from api/", lineterm=""
    )
    return "\n".join(list(lines)[:60])


def test_committed_schema_equals_the_schema_generated_from_the_code() -> None:
    committed = SCHEMA_PATH.read_text(encoding="utf-8")

    generated = schema_sdl()

    assert generated == committed, (
        "graphql/schema.graphql is out of date: run `crm-engine export-schema` and commit the result.\n"
        + drift(committed, generated)
    )


def test_export_schema_writes_the_generated_schema(tmp_path: Path) -> None:
    output = tmp_path / "schema.graphql"

    result = CliRunner().invoke(app, ["export-schema", "--output", str(output)])

    assert result.exit_code == 0, result.output
    assert output.read_text(encoding="utf-8") == schema_sdl()


def test_the_contract_does_not_depend_on_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a process configured for production (introspection off), where the export may run
    development = schema_sdl()
    monkeypatch.setenv("CRM_ENV", "production")

    # when / then: the full schema all the same
    assert schema_sdl() == development
