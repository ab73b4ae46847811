"""AES-GCM of personal fields: round trip, tampering, purpose binding, key ids."""

from __future__ import annotations

import base64
import os

import pytest

from engine.privacy.cipher import DecryptionError, decrypt, encrypt, key_id_of
from engine.privacy.keys import Keyring

MOBILE = "13812345678"
K1 = Keyring({"k1": os.urandom(32)}, "k1", os.urandom(32))


def test_a_value_decrypts_to_itself_and_the_token_names_its_key_but_not_the_value() -> None:
    token = encrypt("上海市黄浦区西藏南路453号", "members.address", K1)

    assert decrypt(token, "members.address", K1) == "上海市黄浦区西藏南路453号"
    assert key_id_of(token) == "k1" and token.startswith("k1:")
    assert "西藏南路" not in token


def test_the_same_value_encrypts_differently_each_time() -> None:
    first, second = encrypt(MOBILE, "members.mobile", K1), encrypt(MOBILE, "members.mobile", K1)

    assert first != second
    assert decrypt(first, "members.mobile", K1) == decrypt(second, "members.mobile", K1) == MOBILE


@pytest.mark.parametrize("position", [3, 12, 20, -1])
def test_a_changed_byte_anywhere_is_refused(position: int) -> None:
    kid, _, body = encrypt(MOBILE, "members.mobile", K1).partition(":")
    raw = bytearray(base64.b64decode(body))
    raw[position] ^= 0x01
    tampered = f"{kid}:{base64.b64encode(bytes(raw)).decode()}"

    with pytest.raises(DecryptionError) as refused:
        decrypt(tampered, "members.mobile", K1)

    assert MOBILE not in str(refused.value)


def test_a_value_moved_to_another_columns_purpose_does_not_decrypt() -> None:
    token = encrypt(MOBILE, "members.mobile", K1)

    with pytest.raises(DecryptionError):
        decrypt(token, "members.id_number", K1)


def test_a_value_under_an_unknown_key_id_is_refused() -> None:
    token = encrypt(MOBILE, "members.mobile", K1)
    other = Keyring({"k2": os.urandom(32)}, "k2", K1.index_key)

    with pytest.raises(DecryptionError, match="no data key 'k1'"):
        decrypt(token, "members.mobile", other)


def test_the_same_key_id_with_another_key_is_refused() -> None:
    token = encrypt(MOBILE, "members.mobile", K1)
    impostor = Keyring({"k1": os.urandom(32)}, "k1", K1.index_key)

    with pytest.raises(DecryptionError):
        decrypt(token, "members.mobile", impostor)


@pytest.mark.parametrize("token", ["", "k1", "k1:not base64!", "k1:" + base64.b64encode(b"short").decode()])
def test_malformed_tokens_are_refused_as_decryption_errors(token: str) -> None:
    with pytest.raises(DecryptionError):
        decrypt(token, "members.mobile", K1)


def test_every_listed_key_decrypts_and_only_the_active_one_encrypts() -> None:
    old = encrypt(MOBILE, "members.mobile", K1)
    rotated = Keyring({"k2": os.urandom(32), "k1": K1.data_keys["k1"]}, "k2", K1.index_key)

    assert decrypt(old, "members.mobile", rotated) == MOBILE
    assert key_id_of(encrypt(MOBILE, "members.mobile", rotated)) == "k2"
