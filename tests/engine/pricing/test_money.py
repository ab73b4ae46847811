"""Fen arithmetic: rounding modes and exact pro-rata allocation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.pricing.money import allocate, percent_fen, percent_of, to_fen, yuan
from schemas.pricing import Rounding


@pytest.mark.parametrize(("amount", "rounding", "fen"), [
    ("2.5", Rounding.HALF_UP, 3), ("2.4999", Rounding.HALF_UP, 2), ("2.01", Rounding.DOWN, 2), ("2.01", Rounding.UP, 3),
])
def test_to_fen_rounds_as_named(amount: str, rounding: Rounding, fen: int) -> None:
    assert to_fen(Decimal(amount), rounding) == fen


def test_allocation_gives_the_remainder_to_the_largest_fractions_first() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(10, [0, 5, 5]) == [0, 5, 5]
    assert allocate(7, [0, 0]) == [0, 0]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**7), min_size=1, max_size=30))
def test_allocation_sums_exactly_and_stays_within_one_fen_of_pro_rata(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)

    if sum(weights) == 0:
        assert parts == [0] * len(weights)
        return
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        assert abs(Decimal(part) - Decimal(total) * weight / sum(weights)) < 1


def _allocate_in_decimal(total: int, weights: list[int]) -> list[int]:
    """allocate's first way: exact shares in Decimal, the remainder to the largest fractions."""
    whole = sum(weights)
    if total == 0 or whole <= 0:
        return [0] * len(weights)
    exact = [Decimal(total) * w / whole for w in weights]
    parts = [int(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.integers(1, 10**12), st.lists(st.integers(0, 10**9), min_size=1, max_size=30))
def test_allocation_in_integers_gives_the_parts_decimal_gave(total: int, weights: list[int]) -> None:
    assert allocate(total, weights) == _allocate_in_decimal(total, weights)


def test_allocation_ties_go_to_the_earlier_line() -> None:
    assert allocate(2, [1, 1, 1]) == [1, 1, 0]
    assert allocate(1, [3, 1, 3]) == [1, 0, 0]


def test_yuan_shows_fen_as_yuan() -> None:
    assert yuan(1234567) == "¥12,345.67"


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.integers(-(10**21), 10**21), st.decimals(min_value=Decimal("0.0001"), max_value=100, places=4),
       st.sampled_from(list(Rounding)))
def test_a_percentage_in_integer_fen_rounds_as_decimal_does(amount: int, percent: Decimal, rounding: Rounding) -> None:
    assert percent_fen(amount, percent, rounding) == to_fen(percent_of(amount, percent), rounding)


@pytest.mark.parametrize(("amount", "percent", "rounding", "fen"), [
    (250, "1", Rounding.HALF_UP, 3), (-250, "1", Rounding.HALF_UP, -3), (249, "1", Rounding.HALF_UP, 2),
    (201, "1", Rounding.DOWN, 2), (-201, "1", Rounding.DOWN, -3), (201, "1", Rounding.UP, 3), (-201, "1", Rounding.UP, -2),
    (99999, "33.3333", Rounding.HALF_UP, 33333), (10**25, "3", Rounding.HALF_UP, 3 * 10**23),
])
def test_a_percentage_in_integer_fen_at_the_edges(amount: int, percent: str, rounding: Rounding, fen: int) -> None:
    assert percent_fen(amount, Decimal(percent), rounding) == fen
