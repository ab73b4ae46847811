"""Global ids and cursors: round trips, and every malformed one is a readable ValueError."""

from __future__ import annotations

import pytest

from api.channel.types import Dealer  # noqa: F401  (registers the Dealer and Store node types)
from api.relay import decode_id, encode_cursor, global_id


def test_global_id_round_trips() -> None:
    assert decode_id(global_id("Dealer", 42), "Dealer") == ("Dealer", 42)


@pytest.mark.parametrize(
    "value",
    ["", "nope", global_id("Dealer", 1)[:-2], global_id("Unknown", 1), "RGVhbGVyOmFiYw=="],  # last: Dealer:abc
)
def test_malformed_global_ids_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        decode_id(value)


def test_an_id_of_another_type_is_refused_when_a_type_is_expected() -> None:
    with pytest.raises(ValueError, match="expected Dealer"):
        decode_id(global_id("Store", 1), "Dealer")


def test_cursor_is_opaque_text() -> None:
    cursor = encode_cursor("D01", 7)

    assert "D01" not in cursor and isinstance(cursor, str)
