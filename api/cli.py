"""The command line: `crm-engine` (serve, migrate, demo-data, export-schema), a face of the
engine beside GraphQL, so it lives with the API and may import both `api` and `engine`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from api.access.commands import apikey_app, user_app
from api.cli_keys import keys_app
from api.dispatch.commands import dispatch_app
from api.rules.commands import rules_app
from engine.demo.accounts import DEFAULT_PASSWORD as DEMO_PASSWORD
from engine.demo.sizes import DemoSize
from engine.settings import PROJECT_ROOT, get_settings

app = typer.Typer(help="crm-engine: dispatch, pricing and CRM data over GraphQL.", no_args_is_help=True)

SCHEMA_PATH = PROJECT_ROOT / "graphql" / "schema.graphql"

app.add_typer(user_app, name="user")
app.add_typer(apikey_app, name="apikey")
app.add_typer(keys_app, name="keys")
app.add_typer(rules_app, name="rules")
app.add_typer(dispatch_app, name="dispatch")


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
    from engine import heap

    settings = get_settings()
    typer.echo(f"console: http://{host or settings.host}:{port or settings.port}/graphql")
    served = create_app(settings)
    heap.settle()  # once, with the app and its modules built: out of every later collection
    uvicorn.run(served, host=host or settings.host, port=port or settings.port, log_level="info")


@app.command("demo-data")
def demo_data(
    size: Annotated[
        DemoSize, typer.Option(help="how much data: small to try out, large for benchmarks")
    ] = DemoSize.SMALL,
    seed: Annotated[int, typer.Option(help="random seed; same seed and size, same data")] = 7,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="skip quietly when the database holds data")
    ] = False,
    day: Annotated[
        datetime | None,
        typer.Option(
            "--date",
            formats=["%Y-%m-%d"],
            help="service day of the open work orders (default: today in the brand's time zone, "
            "so the console's 'today' tabs show them)",
        ),
    ] = None,
    accounts_password: Annotated[
        str, typer.Option(help="password of the demo logins, one per role (demo-admin, demo-dealer, …)")
    ] = DEMO_PASSWORD,
) -> None:
    """Load seeded demo data (Shanghai) into an empty database (DATABASE_URL)."""
    from engine import clock
    from engine.demo.command import load_demo_data

    settings = get_settings()
    _ensure_sqlite_folder(settings.database_url)
    service_day = day.date() if day else clock.today()
    code = load_demo_data(settings.database_url, size, seed, service_day, if_empty, accounts_password=accounts_password)
    if code:
        raise typer.Exit(code)


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
