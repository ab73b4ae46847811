"""Tier semantics on one dealer's volume (schemas.rebates documents them): retroactive against
marginal, per-unit and fixed rewards, and the target and growth measures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.rebates import measure_of, reward
from schemas.rebates import RebatePolicy
from tests.engine.rebates.build import YUAN, policy, tier

D = Decimal
# 5% from 0, 10% from 100 yuan (up to 350 yuan when marginal).
BANDS = (tier(0, percent=5), tier(100 * YUAN, percent=10))
RETRO = policy(*BANDS)
MARGINAL = policy(*BANDS, mode="marginal", up_to=350 * YUAN)
OPEN_MARGINAL = policy(*BANDS, mode="marginal")
FROM_50 = policy(tier(50 * YUAN, percent=2), tier(100 * YUAN, percent=4), mode="marginal")
PER_UNIT = policy(tier(10, per_unit_fen=5 * YUAN), tier(50, per_unit_fen=8 * YUAN), basis="quantity")
PER_UNIT_BANDS = policy(tier(0, per_unit_fen=1 * YUAN), tier(10, per_unit_fen=3 * YUAN), basis="quantity",
                        mode="marginal")
FIXED = policy(tier(100, amount_fen=1000 * YUAN), measure="target_percent")


@pytest.mark.parametrize(("rule", "volume", "tier_index", "amount", "detail"), [
    # retroactive: the reached tier's rate on the whole volume
    (RETRO, 60 * YUAN, 0, D(300), "60.00 × 5%"),
    (RETRO, 200 * YUAN, 1, D(2000), "200.00 × 10%"),
    (RETRO, 100 * YUAN, 1, D(1000), "100.00 × 10%"),  # at the threshold: reached
    # marginal: each band at its own rate (the scenario 1: 200 → 15, 60 → 3)
    (MARGINAL, 200 * YUAN, 1, D(1500), "100.00 × 5% + 100.00 × 10%"),
    (MARGINAL, 60 * YUAN, 0, D(300), "60.00 × 5%"),
    (MARGINAL, 500 * YUAN, 1, D(3000), "100.00 × 5% + 250.00 × 10%"),  # above up_to earns nothing
    (OPEN_MARGINAL, 500 * YUAN, 1, D(4500), "100.00 × 5% + 400.00 × 10%"),
    (FROM_50, 120 * YUAN, 1, D(180), "50.00 × 2% + 20.00 × 4%"),  # below the first band earns nothing
    (FROM_50, 40 * YUAN, None, D(0), ""),
    (RETRO, D(333), 0, D("16.65"), "3.33 × 5%"),  # unrounded
    # per unit (quantity basis)
    (PER_UNIT, D(9), None, D(0), ""),
    (PER_UNIT, D(10), 0, D(50 * YUAN), "10 × 5.00"),
    (PER_UNIT, D(60), 1, D(480 * YUAN), "60 × 8.00"),
    (PER_UNIT_BANDS, D(12), 1, D(16 * YUAN), "10 × 1.00 + 2 × 3.00"),
])
def test_the_reward_of_a_volume(rule: RebatePolicy, volume: Decimal, tier_index: int | None, amount: Decimal,
                                detail: str) -> None:
    got = reward(rule, Decimal(volume), Decimal(volume))
    assert (got.tier_index, got.amount, got.detail) == (tier_index, amount, detail)


@pytest.mark.parametrize(("volume", "target", "measure", "tier_index", "amount"), [
    # the scenario 2: target 100,000 with a 1,000 reward
    (110_000 * YUAN, 100_000 * YUAN, D(110), 0, D(1000 * YUAN)),
    (100_000 * YUAN, 100_000 * YUAN, D(100), 0, D(1000 * YUAN)),
    (90_000 * YUAN, 100_000 * YUAN, D(90), None, D(0)),
    (99_999_99, 100_000 * YUAN, D("99.9999"), None, D(0)),  # 1 fen short: floored, never rounded up to 100%
])
def test_a_target_is_reached_at_a_hundred_percent_of_it(volume: int, target: int, measure: Decimal,
                                                        tier_index: int | None, amount: Decimal) -> None:
    got_measure, missing = measure_of(FIXED, Decimal(volume), target, None)
    assert (got_measure, missing) == (measure, "")
    got = reward(FIXED, Decimal(volume), measure)
    assert (got.tier_index, got.amount) == (tier_index, amount)


def test_a_dealer_without_a_target_cannot_be_measured_against_one() -> None:
    assert measure_of(FIXED, D(5000), None, None) == (None, "no sales target")
    assert measure_of(FIXED, D(5000), 0, None) == (None, "no sales target")


GROWTH = policy(tier(10, percent=1), tier(25, percent=3), measure="growth_percent")


@pytest.mark.parametrize(("volume", "before", "measure", "tier_index"), [
    (1150, 1000, D(15), 0),
    (1250, 1000, D(25), 1),
    (1000, 1000, D(0), None),
    (800, 1000, D(-20), None),  # shrinking: no growth tier
])
def test_growth_is_measured_against_the_same_period_last_year(volume: int, before: int, measure: Decimal,
                                                              tier_index: int | None) -> None:
    got, missing = measure_of(GROWTH, D(volume), None, D(before))
    assert (got, missing) == (measure, "")
    assert reward(GROWTH, D(volume), got).tier_index == tier_index


def test_growth_without_volume_last_year_cannot_be_measured() -> None:
    assert measure_of(GROWTH, D(1000), None, D(0)) == (None, "no volume in the same period last year")


def test_a_percent_reward_on_a_quantity_basis_is_refused() -> None:
    rule = policy(tier(0, percent=5), basis="quantity")  # check_rebate_document refuses it before publishing
    with pytest.raises(ValueError, match="amount basis"):
        reward(rule, D(10), D(10))
