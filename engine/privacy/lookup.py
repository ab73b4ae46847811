"""Keyed hashes for exact lookup of encrypted values, e.g. a member by mobile number."""

from __future__ import annotations

import hashlib
import hmac
import re

from engine.privacy.keys import Keyring, current

_SEPARATORS = re.compile(r"[\s\-()]")


def normalise_mobile(mobile: str) -> str:
    """'+86 138-1234-5678' -> '13812345678': the form stored and hashed."""
    digits = _SEPARATORS.sub("", mobile)
    for prefix in ("+86", "0086"):
        digits = digits.removeprefix(prefix)
    return digits


def mobile_digest(mobile: str, keyring: Keyring | None = None) -> str:
    """HMAC-SHA256 of the normalised number: equal numbers match, and without the index key
    the 10^11 possible numbers cannot be enumerated against the column."""
    key = (keyring or current()).index_key
    return hmac.new(key, b"mobile:" + normalise_mobile(mobile).encode(), hashlib.sha256).hexdigest()
