"""`crm-engine keys`: make a new data key, and re-encrypt stored personal data under the active one.

Rotating: `keys generate` → put the entry first in CRM_DATA_KEYS (or name it in CRM_DATA_KEY_ID),
keeping the old entries; restart the service; `keys rotate`; then drop the old entries."""

from __future__ import annotations

from typing import Annotated

import typer

from engine.settings import get_settings

keys_app = typer.Typer(help="Data keys of the encrypted personal fields.", no_args_is_help=True)


@keys_app.command()
def generate(
    key_id: Annotated[
        str | None, typer.Option("--id", help="key id (default k<YYYYMMDD><4 hex>); no ':' or ','")
    ] = None,
) -> None:
    """Print a new random data key as a CRM_DATA_KEYS entry ('kid:base64'); nothing is stored."""
    from engine.privacy.rotation import new_key_entry

    try:
        entry = new_key_entry(key_id)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(entry)
    typer.echo(
        "Put it first in CRM_DATA_KEYS (keep the old entries), restart, then run `crm-engine keys rotate`.",
        err=True,
    )


@keys_app.command()
def rotate(
    batch_rows: Annotated[int, typer.Option(min=1, max=100_000, help="rows per transaction")] = 500,
) -> None:
    """Re-encrypt every stored value not under the active key (DATABASE_URL, CRM_DATA_KEYS)."""
    from engine.privacy import keys
    from engine.privacy.cipher import DecryptionError
    from engine.privacy.rotation import rotate as rotate_all
    from engine.privacy.rotation import stale_counts
    from engine.store.session import make_sync_engine

    settings = get_settings()
    keyring = keys.from_settings(settings)
    keys.configure(keyring)
    engine = make_sync_engine(settings.database_url)
    try:
        typer.echo(f"active data key: {keyring.active_id}")
        try:
            rewritten = rotate_all(engine, keyring, batch_rows)
        except DecryptionError as exc:
            typer.echo(f"rotation stopped: {exc}; list that value's key in CRM_DATA_KEYS and run again", err=True)
            raise typer.Exit(1) from exc
        left = stale_counts(engine, keyring)
    finally:
        engine.dispose()
    for purpose, count in rewritten.items():
        typer.echo(f"{purpose}: {count} re-encrypted, {left[purpose]} left under other keys")
    typer.echo(f"total: {sum(rewritten.values())} re-encrypted")
    if any(left.values()):
        raise typer.Exit(1)
