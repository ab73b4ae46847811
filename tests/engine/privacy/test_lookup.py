"""Keyed hashes for exact mobile lookup: one form per number, and nothing without the key."""

from __future__ import annotations

import os

import pytest

from engine.privacy.keys import Keyring
from engine.privacy.lookup import mobile_digest, normalise_mobile

RING = Keyring({"k1": os.urandom(32)}, "k1", os.urandom(32))


@pytest.mark.parametrize(
    "written", ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "0086-13812345678", "(138)12345678"]
)
def test_every_spelling_of_a_number_normalises_to_the_11_digits(written: str) -> None:
    assert normalise_mobile(written) == "13812345678"


def test_the_same_number_written_differently_has_the_same_digest() -> None:
    assert mobile_digest("+86 138-1234-5678", RING) == mobile_digest("13812345678", RING)


def test_different_numbers_have_different_digests_that_do_not_show_the_number() -> None:
    first, second = mobile_digest("13812345678", RING), mobile_digest("13812345679", RING)

    assert first != second
    assert "12345678" not in first and len(first) == 64


def test_the_digest_depends_on_the_index_key() -> None:
    other = Keyring(RING.data_keys, "k1", os.urandom(32))

    assert mobile_digest("13812345678", RING) != mobile_digest("13812345678", other)


def test_the_digest_does_not_depend_on_the_data_keys() -> None:
    rotated = Keyring({"k2": os.urandom(32)}, "k2", RING.index_key)

    assert mobile_digest("13812345678", RING) == mobile_digest("13812345678", rotated)
