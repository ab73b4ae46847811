"""The `demo-data` command: refuse a database that holds data, generate, load with progress."""

from __future__ import annotations

from datetime import date

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine, func, inspect, select

from engine.demo.accounts import DEFAULT_PASSWORD, DemoAccount, add_demo_accounts
from engine.demo.generate import generate
from engine.demo.load import load, row_counts
from engine.demo.sizes import DEFAULT_DEMO_DATE, DemoSize
from engine.errors import DomainError
from engine.services.common import validate
from engine.store.access import User
from engine.store.session import make_sync_engine
from schemas.access import PasswordChange

EXIT_OK = 0
EXIT_NOT_EMPTY = 1
EXIT_NOT_MIGRATED = 2
EXIT_BAD_PASSWORD = 3


def load_demo_data(
    database_url: str,
    size: DemoSize,
    seed: int,
    day: date | None = None,
    if_empty: bool = False,
    console: Console | None = None,
    accounts_password: str = DEFAULT_PASSWORD,
) -> int:
    """Load the demo data into an empty database, then one login per role; the exit code says
    what happened.

    A database that already holds rows is never touched: with `if_empty` that is a quiet skip
    (`make run` on its second run), without it a refusal.
    """
    out = console or Console()
    try:
        validate(PasswordChange, {"password": accounts_password})
    except DomainError as exc:
        out.print(f"[red]--accounts-password: {exc.errors[0].message}[/red]")
        return EXIT_BAD_PASSWORD
    engine = make_sync_engine(database_url)
    try:
        if not inspect(engine).has_table("dealers"):
            out.print("[red]The database has no CRM tables: run `crm-engine migrate` first.[/red]")
            return EXIT_NOT_MIGRATED
        with engine.connect() as connection:
            held = {name: n for name, n in row_counts(connection).items() if n}
        if held:
            found = f"{sum(held.values())} rows, " + ", ".join(
                f"{n} {name}" for name, n in list(held.items())[:3]
            )
            if if_empty:
                out.print(f"The database already holds data ({found}): demo data skipped.")
                if not _has_users(engine):
                    # A database loaded before accounts existed: without them nobody could log in.
                    try:
                        with out.status("creating the demo logins"):
                            accounts = add_demo_accounts(database_url, accounts_password)
                        out.print(accounts_table(accounts, accounts_password))
                    except LookupError as exc:  # not demo data: the operator makes the accounts
                        out.print(f"No accounts yet and no demo logins possible ({exc}): run `crm-engine user create`.")
                return EXIT_OK
            out.print(
                f"[red]Refusing to load demo data into a non-empty database ({found}).[/red] "
                "Use an empty database, or pass --if-empty to skip quietly."
            )
            return EXIT_NOT_EMPTY

        service_day = day or DEFAULT_DEMO_DATE
        with out.status(
            f"generating {size.value} demo data (seed {seed}, service day {service_day})"
        ):
            data = generate(size, seed, service_day)
        columns = (
            TextColumn("{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=out) as progress:
            tasks = {
                name: progress.add_task(name, total=len(rows)) for name, rows in data.tables.items()
            }
            load(engine, data, on_progress=lambda name, n: progress.advance(tasks[name], n))
        counts = data.counts()
        out.print(
            f"Loaded {size.value} demo data (seed {seed}, service day {service_day}): "
            f"{counts['dealers']} dealers, {counts['stores']} stores, {counts['members']} members, "
            f"{counts['technicians']} technicians, {counts['work_orders']} open work orders."
        )
        with out.status("creating the demo logins"):
            accounts = add_demo_accounts(database_url, accounts_password)
        out.print(accounts_table(accounts, accounts_password))
        return EXIT_OK
    finally:
        engine.dispose()


def _has_users(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.scalar(select(func.count()).select_from(User)))


def accounts_table(accounts: list[DemoAccount], password: str) -> Table:
    table = Table(title="Demo logins (POST /auth/login, or the console)", caption=f"password of each: {password}")
    for column in ("username", "role", "sees"):
        table.add_column(column)
    for account in accounts:
        note = "" if account.created else " (existed already: left unchanged)"
        table.add_row(account.username, account.role.value, (account.scope or "everything its role may read") + note)
    return table
