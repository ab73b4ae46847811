"""`crm-engine user …` and `crm-engine apikey …`: accounts and keys from the command line (how the
first admin is made). The same use cases as GraphQL, run as the system (a session bound to no
principal); a refusal prints each field's path and message and exits non-zero."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.access.permissions import Role
from engine.errors import DomainError, FieldError
from engine.services import access as service
from engine.settings import get_settings
from engine.store.channel import Dealer
from engine.store.service import ServiceNetwork, Technician
from engine.store.session import make_async_engine, make_sessionmaker, transaction
from schemas.errors import ErrorCode

T = TypeVar("T")

user_app = typer.Typer(help="People's accounts.", no_args_is_help=True)
apikey_app = typer.Typer(help="Services' API keys.", no_args_is_help=True)

EXIT_REFUSED = 1

RoleOption = Annotated[list[Role], typer.Option("--role", help="a role; repeat for several (a scoped role stands alone)")]
DealerOption = Annotated[str | None, typer.Option("--dealer", help="dealer code, for the dealer role")]
NetworkOption = Annotated[list[str] | None, typer.Option("--network", help="service network code, for the service_agent role; repeatable")]
TechnicianOption = Annotated[str | None, typer.Option("--technician", help="technician code, for the technician role")]


def run_as_system(use_case: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run a use case in one transaction on DATABASE_URL; a refusal is printed and exits 1."""

    async def run() -> T:
        engine = make_async_engine(get_settings().database_url)
        try:
            async with transaction(make_sessionmaker(engine)) as session:
                return await use_case(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except DomainError as exc:
        for error in exc.errors:
            path = ".".join(str(p) for p in error.path) or "-"
            typer.echo(f"error: {path}: {error.message} ({error.code.value})", err=True)
        raise typer.Exit(EXIT_REFUSED) from exc


async def grant_data(
    session: AsyncSession, roles: list[Role], dealer: str | None, networks: list[str] | None, technician: str | None
) -> dict[str, Any]:
    """The grant with codes turned into ids; an unknown code is refused on the id's path."""
    errors: list[FieldError] = []

    async def pk(model: Any, code: str, path: tuple[str | int, ...]) -> int | None:
        found = await session.scalar(select(model.id).where(model.code == code))
        if found is None:
            errors.append(FieldError(path, f"no {model.__name__} has code {code!r}", ErrorCode.NOT_FOUND))
        return found

    data: dict[str, Any] = {"roles": [r.value for r in roles]}
    if dealer is not None:
        data["dealer_id"] = await pk(Dealer, dealer, ("dealer_id",))
    if networks:
        data["network_ids"] = [await pk(ServiceNetwork, code, ("network_ids", i)) for i, code in enumerate(networks)]
    if technician is not None:
        data["technician_id"] = await pk(Technician, technician, ("technician_id",))
    if errors:
        raise DomainError(errors)
    return data


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Option(help="3 to 64 of a-z, 0-9, '.', '_', '-'")],
    role: RoleOption,
    display_name: Annotated[str | None, typer.Option(help="the name shown (default: the username)")] = None,
    dealer: DealerOption = None,
    network: NetworkOption = None,
    technician: TechnicianOption = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from the first line of stdin")] = False,
) -> None:
    """Create a person's account; asks for the password twice (hidden) unless --password-stdin."""
    password = read_password(password_stdin)

    async def create(session: AsyncSession) -> str:
        data = await grant_data(session, role, dealer, network, technician)
        data |= {"username": username, "display_name": display_name or username, "password": password}
        user = await service.create_user(session, data)
        return user.username

    created = run_as_system(create)
    typer.echo(f"created user {created} ({', '.join(r.value for r in role)})")


@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Option(help="a name that says which service holds the key")],
    role: RoleOption,
    dealer: DealerOption = None,
    network: NetworkOption = None,
    technician: TechnicianOption = None,
    rate_limit: Annotated[int | None, typer.Option(help="requests a minute (default: the service's default for keys)")] = None,
) -> None:
    """Create an API key and print it: it is shown this once and never stored."""

    async def create(session: AsyncSession) -> str:
        data = await grant_data(session, role, dealer, network, technician)
        data |= {"name": name, "rate_limit_per_minute": rate_limit}
        _key, secret = await service.create_api_key(session, data, created_by="system:cli")
        return secret

    secret = run_as_system(create)
    typer.echo(f"created API key {name!r}; send it as the X-API-Key header. It is shown only now:", err=True)
    typer.echo(secret)


@apikey_app.command("revoke")
def apikey_revoke(name: Annotated[str, typer.Argument(help="the key's name")]) -> None:
    """Revoke an API key by name: it stops working at once."""

    async def revoke(session: AsyncSession) -> None:
        key = await service.api_key_named(session, name)
        await service.revoke_api_key(session, key.id)

    run_as_system(revoke)
    typer.echo(f"revoked API key {name!r}")
