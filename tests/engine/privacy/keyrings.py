"""Keyrings for tests that switch keys: fixed random keys k1 and k2, and the process keyring
put back afterwards (encrypted columns read it)."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator

import pytest

from engine.privacy import keys
from engine.privacy.keys import Keyring

K1 = os.urandom(32)
K2 = os.urandom(32)
INDEX = os.urandom(32)


def ring(active: str, *listed: str) -> Keyring:
    known = {"k1": K1, "k2": K2}
    return Keyring({kid: known[kid] for kid in (active, *listed)}, active, INDEX)


def entry(kid: str) -> str:
    """The CRM_DATA_KEYS entry of k1 or k2."""
    return f"{kid}:{base64.b64encode({'k1': K1, 'k2': K2}[kid]).decode()}"


@pytest.fixture
def process_keyring() -> Iterator[None]:
    previous = keys.current()
    yield
    keys.configure(previous)
