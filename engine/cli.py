"""The `crm-engine` command: serve, migrate, load demo data, export the GraphQL schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from engine.settings import PROJECT_ROOT, get_settings

app = typer.Typer(help="crm-engine: dispatch, pricing and CRM data over GraphQL.", no_args_is_help=True)

SCHEMA_PATH = PROJECT_ROOT / "graphql" / "schema.graphql"


@app.command()
def migrate(revision: str = "head") -> None:
    """Apply database migrations (DATABASE_URL) up to REVISION."""
    from engine.store.migrate import upgrade

    settings = get_settings()
    _ensure_sqlite_folder(settings.database_url)
    upgrade(settings.database_url, revision)
    typer.echo(f"database at {revision}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="interface to bind (default HOST or 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default PORT or 8000)")] = None,
) -> None:
    """Serve the GraphQL API, the console and the health checks."""
    import uvicorn

    from api.app import create_app

    settings = get_settings()
    typer.echo(f"console: http://{host or settings.host}:{port or settings.port}/graphql")
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port, log_level="info")


@app.command("export-schema")
def export_schema(
    output: Annotated[Path, typer.Option(help="where to write the SDL")] = SCHEMA_PATH,
) -> None:
    """Write the GraphQL schema (SDL) generated from the code."""
    from api.sdl import schema_sdl

    output.write_text(schema_sdl(), encoding="utf-8")
    typer.echo(f"wrote {output}")


def _ensure_sqlite_folder(url: str) -> None:
    from sqlalchemy import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        Path(u.database).parent.mkdir(parents=True, exist_ok=True)


if __name__ == "__main__":
    app()
