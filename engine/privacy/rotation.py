"""Key rotation: re-encrypt every stored personal value that is not under the active data key.

Runs on raw ciphertext with SQLAlchemy Core, a batch of rows per transaction, so it can run
beside the service: each row is rewritten only if it still holds the value read (a writer that
changed it meanwhile wrote under the active key already), and `updated_at` is left alone (the
plaintext did not change). Stopping half-way is harmless: run it again."""

from __future__ import annotations

import secrets
from base64 import b64encode
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    BigInteger,
    Engine,
    MetaData,
    Text,
    and_,
    column,
    func,
    not_,
    select,
    table,
    update,
)
from sqlalchemy.sql.expression import ColumnElement, TableClause

from engine.privacy.cipher import DecryptionError, decrypt, encrypt
from engine.privacy.keys import KEY_BYTES, Keyring, current
from engine.store import Base
from engine.store.encrypted import EncryptedText

BATCH_ROWS = 500
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class EncryptedColumn:
    """A column of EncryptedText: where it is, and the purpose bound into its values."""

    table: str
    column: str
    purpose: str


def encrypted_columns(metadata: MetaData = Base.metadata) -> list[EncryptedColumn]:
    """Every encrypted column of the data model, found from the column types (none is missed
    when a model gains one)."""
    found = []
    for t in metadata.sorted_tables:
        for c in t.columns:
            if isinstance(c.type, EncryptedText):
                if "id" not in t.columns:
                    raise TypeError(f"{t.name} has an encrypted column but no id column to page by")
                found.append(EncryptedColumn(t.name, c.name, c.type.purpose))
    return found


def rotate(
    engine: Engine, keyring: Keyring | None = None, batch_rows: int = BATCH_ROWS, on_batch: Progress | None = None
) -> dict[str, int]:
    """Re-encrypt under `keyring.active_id` every value under another key; values rewritten per
    column purpose. A value no listed key decrypts stops the run with DecryptionError."""
    ring = keyring or current()
    return {target.purpose: _rotate_column(engine, ring, target, batch_rows, on_batch) for target in encrypted_columns()}


def stale_counts(engine: Engine, keyring: Keyring | None = None) -> dict[str, int]:
    """Values per column purpose not under the active key (all zero after a rotation)."""
    ring = keyring or current()
    counts = {}
    with engine.connect() as connection:
        for target in encrypted_columns():
            raw, value = _raw(target)
            counts[target.purpose] = connection.scalar(select(func.count()).select_from(raw).where(_stale(value, ring))) or 0
    return counts


def new_key_entry(key_id: str | None = None) -> str:
    """A fresh random data key as a CRM_DATA_KEYS entry, 'kid:base64'; the id defaults to
    k<today><4 hex> so that ids sort by age and do not collide."""
    kid = key_id or f"k{date.today():%Y%m%d}{secrets.token_hex(2)}"
    if not kid or ":" in kid or "," in kid or kid != kid.strip():
        raise ValueError("a key id is not empty and holds no ':', ',' or surrounding space")
    return f"{kid}:{b64encode(secrets.token_bytes(KEY_BYTES)).decode('ascii')}"


def _rotate_column(engine: Engine, ring: Keyring, target: EncryptedColumn, batch_rows: int, on_batch: Progress | None) -> int:
    raw, value = _raw(target)
    pk = raw.c.id
    rewritten, last = 0, None
    while True:
        with engine.begin() as connection:
            query = select(pk, value).where(_stale(value, ring)).order_by(pk).limit(batch_rows)
            rows = connection.execute(query if last is None else query.where(pk > last)).all()
            for row_id, token in rows:
                try:
                    fresh = encrypt(decrypt(token, target.purpose, ring), target.purpose, ring)
                except DecryptionError as exc:
                    raise DecryptionError(f"{target.purpose} of {target.table} id {row_id}: no listed key decrypts it") from exc
                result = connection.execute(update(raw).where(pk == row_id, value == token).values({target.column: fresh}))
                rewritten += result.rowcount
        if not rows:
            return rewritten
        last = rows[-1][0]
        if on_batch is not None:
            on_batch(target.purpose, len(rows))


def _raw(target: EncryptedColumn) -> tuple[TableClause, ColumnElement[str]]:
    """The table seen as plain text columns: no decryption on read, no encryption on write, and
    none of the model's defaults (a Core update through the Table would also bump updated_at)."""
    raw = table(target.table, column("id", BigInteger()), column(target.column, Text()))
    return raw, raw.c[target.column]


def _stale(value: ColumnElement[str], ring: Keyring) -> ColumnElement[bool]:
    return and_(value.is_not(None), not_(value.startswith(f"{ring.active_id}:", autoescape=True)))
