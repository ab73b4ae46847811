"""`crm-engine rules …`: author rule documents as JSON or YAML files, check them, import them as
drafts, publish them, and export the documents' JSON Schemas for editors and other services.
The same use cases as GraphQL, run as the system."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.access.commands import EXIT_REFUSED, run_as_system
from engine.errors import DomainError
from engine.services import rule_sets as service
from engine.services.rule_documents import document_model, parse
from engine.store.rules import RuleSet, RuleSetVersion
from schemas.rules import RuleSetKind

rules_app = typer.Typer(help="Rule documents: check, import, publish, JSON Schemas.", no_args_is_help=True)

FileArgument = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a rule document, .json or .yaml")]
KindOption = Annotated[RuleSetKind, typer.Option(help="what the document rules")]
ACTOR = "cli"


def read_document(path: Path) -> Any:
    """The document in a JSON or YAML file (YAML is a superset of JSON; the suffix decides)."""
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml") else json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        typer.echo(f"error: {path}: not valid {path.suffix.lstrip('.').upper()}: {exc}", err=True)
        raise typer.Exit(EXIT_REFUSED) from exc


@rules_app.command()
def check(path: FileArgument, kind: KindOption) -> None:
    """Validate a document against its kind's contract and checks; print every error."""
    try:
        parse(kind, read_document(path))
    except DomainError as exc:
        for error in exc.errors:
            typer.echo(f"error: {'.'.join(map(str, error.path))}: {error.message} ({error.code.value})", err=True)
        raise typer.Exit(EXIT_REFUSED) from exc
    typer.echo(f"{path}: a valid {kind.value} document")


@rules_app.command("import")
def import_document(
    path: FileArgument,
    key: Annotated[str, typer.Option(help="the rule set's key; a new draft version if it exists")],
    kind: KindOption,
    name: Annotated[str | None, typer.Option(help="the rule set's name, for a new set (default: the key)")] = None,
    publish: Annotated[bool, typer.Option("--publish", help="publish the new version at once")] = False,
) -> None:
    """Store a document as the next draft of a rule set (creating the set when new)."""
    document = read_document(path)

    async def use_case(session: AsyncSession) -> RuleSetVersion:
        rule_set = await session.scalar(select(RuleSet).where(RuleSet.key == key))
        if rule_set is None:
            created = await service.create_rule_set(
                session, {"key": key, "kind": kind.value, "name": name or key, "document": document}, ACTOR
            )
            version = await session.scalar(select(RuleSetVersion).where(RuleSetVersion.rule_set_id == created.id))
            assert version is not None
        else:
            version = await service.create_version(session, {"rule_set_id": rule_set.id, "document": document}, ACTOR)
        if publish:
            version = await service.publish_version(session, version.id, {}, ACTOR)
        return version

    version = run_as_system(use_case)
    typer.echo(f"{key} version {version.version}: {version.status.value} (digest {version.digest[:12]})")


@rules_app.command("export-schema")
def export_schema(
    output: Annotated[Path, typer.Option(help="folder to write <kind>.schema.json into")] = Path("var/rule-schemas"),
) -> None:
    """Write the JSON Schema of every kind of rule document."""
    output.mkdir(parents=True, exist_ok=True)
    for kind in RuleSetKind:
        target = output / f"{kind.value}.schema.json"
        target.write_text(json.dumps(document_model(kind).model_json_schema(), indent=2, ensure_ascii=False), encoding="utf-8")
        typer.echo(f"wrote {target}")
