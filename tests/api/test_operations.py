"""The named operations in graphql/operations: each parses, is one named operation, is valid
against the schema, passes the service's limits, and runs with its example variables."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from api.console.page import OPERATIONS_DIR, example_variables
from api.schema import build_schema
from engine.settings import Settings
from graphql import GraphQLSchema, OperationDefinitionNode, parse, validate
from tests.conftest import GraphQL

OPERATION_FILES = sorted(OPERATIONS_DIR.glob("*.graphql"))


def graphql_schema() -> GraphQLSchema:
    """The schema the service serves (development settings: introspection on, nothing hidden)."""
    return build_schema(Settings(crm_env="development"))._schema


def operations_in(path: Path) -> list[OperationDefinitionNode]:
    document = parse(path.read_text(encoding="utf-8"))
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def test_there_are_operations_for_the_console() -> None:
    assert OPERATION_FILES, f"no *.graphql in {OPERATIONS_DIR}"


@pytest.mark.parametrize("path", OPERATION_FILES, ids=lambda p: p.name)
def test_operation_file_holds_exactly_one_named_operation(path: Path) -> None:
    operations = operations_in(path)

    assert len(operations) == 1, f"{path.name}: {len(operations)} operations, expected 1"
    assert operations[0].name is not None, f"{path.name}: the operation needs a name (it titles the console tab)"


@pytest.mark.parametrize("path", OPERATION_FILES, ids=lambda p: p.name)
def test_operation_is_valid_against_the_schema(path: Path) -> None:
    errors = validate(graphql_schema(), parse(path.read_text(encoding="utf-8")))

    assert errors == [], f"{path.name}: " + "; ".join(e.message for e in errors)


def test_operation_names_are_unique_across_files() -> None:
    names = Counter(op.name.value for path in OPERATION_FILES for op in operations_in(path) if op.name)

    assert [name for name, count in names.items() if count > 1] == []


@pytest.mark.parametrize("path", OPERATION_FILES, ids=lambda p: p.name)
def test_operation_passes_the_limits_and_runs_with_its_example_variables(gql: GraphQL, path: Path) -> None:
    # given: the operation as the console sends it, with the variables of its `# variables:` comment
    text = path.read_text(encoding="utf-8")
    variables = example_variables(text)

    # when: run against an empty database
    body = gql(text, variables)

    # then: never refused by a limit; with example variables, no top-level error at all
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
    assert "LIMIT_EXCEEDED" not in codes, body["errors"]
    if variables is not None:
        assert "errors" not in body, body["errors"]
