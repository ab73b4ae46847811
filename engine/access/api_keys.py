"""API key secrets: 'crm_<prefix>_<secret>'; the prefix finds the row, SHA-256 proves the key."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

_KEY = re.compile(r"crm_([a-z0-9]{10})_([A-Za-z0-9_\-]{43})")


def new_key() -> tuple[str, str, str]:
    """(full key shown once, prefix, hash to store)."""
    prefix = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
    secret = secrets.token_urlsafe(32)
    key = f"crm_{prefix}_{secret}"
    return key, prefix, digest(key)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def prefix_of(key: str) -> str | None:
    """The prefix of a well-formed key, None otherwise."""
    match = _KEY.fullmatch(key)
    return match.group(1) if match else None


def matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(digest(key), stored_hash)


def looks_like_key(value: str) -> bool:
    return value.startswith("crm_")
