"""The process's keys for personal data: data keys by id (rotation) and the lookup-hash key."""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
from dataclasses import dataclass

from engine.settings import Settings, get_settings

log = logging.getLogger(__name__)
KEY_BYTES = 32


@dataclass(frozen=True)
class Keyring:
    """Every data key that may decrypt, the one that encrypts, and the index key."""

    data_keys: dict[str, bytes]
    active_id: str
    index_key: bytes

    def __post_init__(self) -> None:
        if self.active_id not in self.data_keys:
            raise ValueError(f"active data key {self.active_id!r} is not among the data keys")

    @property
    def active_key(self) -> bytes:
        return self.data_keys[self.active_id]


def _development_key(label: str) -> bytes:
    # Public, fixed, and only ever used outside production (Settings.require_secrets).
    return hashlib.sha256(f"crm-engine development {label}".encode()).digest()


def _decode_key(text: str, what: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"{what} is not base64") from exc
    if len(key) != KEY_BYTES:
        raise ValueError(f"{what} must be {KEY_BYTES} bytes, found {len(key)}")
    return key


def parse_data_keys(text: str) -> dict[str, bytes]:
    """'k2:BASE64,k1:BASE64' -> {'k2': …, 'k1': …}; the key id must not contain ':' or ','."""
    keys: dict[str, bytes] = {}
    for entry in filter(None, (e.strip() for e in text.split(","))):
        kid, sep, value = entry.partition(":")
        if not sep or not kid:
            raise ValueError("CRM_DATA_KEYS entries look like 'kid:base64key'")
        keys[kid] = _decode_key(value, f"data key {kid!r}")
    if not keys:
        raise ValueError("CRM_DATA_KEYS lists no key")
    return keys


def from_settings(settings: Settings) -> Keyring:
    settings.require_secrets()
    if settings.crm_data_keys:
        keys = parse_data_keys(settings.crm_data_keys)
        active = settings.crm_data_key_id or next(iter(keys))
    else:
        keys, active = {"dev": _development_key("data")}, "dev"
    index = _decode_key(settings.crm_index_key, "CRM_INDEX_KEY") if settings.crm_index_key else _development_key("index")
    return Keyring(keys, active, index)


_current: Keyring | None = None


def configure(keyring: Keyring) -> None:
    """Install the keyring used by encrypted columns (the app and the CLI call this at start)."""
    global _current
    _current = keyring


def current() -> Keyring:
    global _current
    if _current is None:
        _current = from_settings(get_settings())
    return _current
