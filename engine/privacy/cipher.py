"""Authenticated encryption of personal fields (AES-256-GCM) with the key id in the token."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from engine.privacy.keys import Keyring, current

NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value does not decrypt: unknown key id, tampering, or a value moved between
    columns (the purpose is bound as associated data). Carries no plaintext."""


def encrypt(plaintext: str, purpose: str, keyring: Keyring | None = None) -> str:
    """'kid:base64(nonce | ciphertext+tag)'; the purpose (e.g. 'members.mobile') is bound in."""
    ring = keyring or current()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(ring.active_key).encrypt(nonce, plaintext.encode("utf-8"), purpose.encode())
    return f"{ring.active_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def decrypt(token: str, purpose: str, keyring: Keyring | None = None) -> str:
    ring = keyring or current()
    kid, sep, body = token.partition(":")
    key = ring.data_keys.get(kid)
    if not sep or key is None:
        raise DecryptionError(f"no data key {kid!r} for {purpose}")
    try:
        raw = base64.b64decode(body, validate=True)
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()).decode("utf-8")
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError(f"a stored {purpose} value does not decrypt") from exc


def key_id_of(token: str) -> str:
    """The id of the key a stored value was encrypted with (for rotation)."""
    return token.partition(":")[0]
