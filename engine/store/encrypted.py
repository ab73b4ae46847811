"""A column type that stores text encrypted and reads it back decrypted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from engine.privacy.cipher import decrypt, encrypt


class EncryptedText(TypeDecorator[str]):
    """AES-GCM at rest, with the column's purpose ('members.mobile') bound as associated data,
    so a ciphertext copied into another column does not decrypt. Not searchable: exact lookup
    goes through a keyed-hash column beside it."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else encrypt(value, self.purpose)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else decrypt(value, self.purpose)

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        # Comparing ciphertexts is meaningless (random nonces): refuse instead of silently missing.
        raise TypeError("encrypted columns cannot be compared; use the lookup hash column")
