"""Member points on a real database: the issue's scenarios, idempotency, expiry, refusals,
returns and cancellations, and a ledger that is only ever appended to."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from engine.errors import DomainError
from engine.services import loyalty
from schemas.enums import MemberTier
from schemas.errors import ErrorCode
from schemas.loyalty import PaidLine, PointsEntryKind
from tests.engine.loyalty.ledger_db import Ledger, add_member, day, ledger_rows, member_state, tv

K = PointsEntryKind


@pytest.fixture
def ledger(database_url: str) -> Ledger:
    book = Ledger(database_url)
    book.publish()
    return book


def award(ledger: Ledger, member: int, order: str, lines: list[PaidLine], n: int = 1, **kwargs: Any) -> Any:
    return ledger.run(lambda s: loyalty.award_order_points(s, member_id=member, order_ref=order, lines=lines, at=day(n),
                                                           **kwargs))


def balance(ledger: Ledger, member: int, n: int = 1) -> int:
    found = ledger.run(lambda s: loyalty.balance(s, member, day(n) + timedelta(hours=12)))
    assert found is not None
    return found.points


def refused(ledger: Ledger, use_case: Any) -> set[tuple[str, ErrorCode]]:
    with pytest.raises(DomainError) as caught:
        ledger.run(use_case)
    return {(".".join(map(str, e.path)), e.code) for e in caught.value.errors}


# --- the scenarios ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("orders", "points", "growth", "tier"),
    [
        pytest.param([10_000], 10, 10_000, MemberTier.SILVER, id="(10) 10,000 yuan at 1 per 1,000: 10 points"),
        pytest.param([8_000, 3_000], 11, 11_000, MemberTier.SILVER, id="(11) 8,000 + 3,000: Silver"),
        pytest.param([18_000, 3_000], 21, 21_000, MemberTier.GOLD, id="(11) 18,000 + 3,000: Gold"),
        pytest.param([5_000], 5, 5_000, MemberTier.NORMAL, id="5,000: still Normal"),
    ],
)
def test_points_growth_and_tier_from_orders_paid(
    ledger: Ledger, db: Engine, orders: list[int], points: int, growth: int, tier: MemberTier
) -> None:
    member = add_member(db)

    for n, yuan in enumerate(orders, start=1):
        award(ledger, member, f"SO-{n}", [tv(1, yuan)], n)

    assert balance(ledger, member, len(orders)) == points
    assert member_state(db, member) == (tier, growth)


def test_10_a_later_order_redeems_the_points_oldest_first(ledger: Ledger, db: Engine) -> None:
    # given 10 points from a 10,000-yuan order, then 5 from a 5,000-yuan one
    member = add_member(db)
    first = award(ledger, member, "SO-1", [tv(1, 10_000)], 1)
    second = award(ledger, member, "SO-2", [tv(1, 5_000)], 2)

    # when a later order redeems 10 points
    redeemed = ledger.run(lambda s: loyalty.redeem_points(s, member_id=member, reference="SO-3/points", points=10, at=day(3)))

    # then the oldest lot is used up and the newer one is untouched
    assert redeemed.points == -10
    entries, allocations = ledger_rows(db)
    assert [(a[1], a[2], a[3]) for a in allocations] == [(redeemed.id, first.id, 10)]
    assert balance(ledger, member, 3) == 5
    ledger.run(lambda s: loyalty.redeem_points(s, member_id=member, reference="SO-4/points", points=5, at=day(4)))
    assert balance(ledger, member, 4) == 0
    assert ledger_rows(db)[1][-1][2] == second.id


def test_10_returning_half_of_a_20000_order_leaves_10_of_its_20_points(ledger: Ledger, db: Engine) -> None:
    member = add_member(db)
    award(ledger, member, "SO-1", [tv(1, 20_000, quantity=2)], 1)

    entry = ledger.run(lambda s: loyalty.reverse_order_points(s, order_ref="SO-1", reference="RMA-1", returned={1: 1}, at=day(2)))

    assert entry is not None and (entry.kind, entry.points, entry.growth) == (K.REVERSE, -10, -10_000)
    assert balance(ledger, member, 2) == 10
    assert member_state(db, member) == (MemberTier.SILVER, 10_000)  # Gold at 20,000, Silver again at 10,000


# --- earning -----------------------------------------------------------------------------------
def test_category_multiplier_and_the_orders_own_multiplier(ledger: Ledger, db: Engine) -> None:
    member = add_member(db)

    entry = award(ledger, member, "SO-1", [tv(1, 10_000, category="air_conditioner"), tv(2, 10_000)],
                  multipliers={2: Decimal(3)})

    assert entry.points == 20 + 30
    lines = entry.detail["result"]["lines"]
    assert [(line["line_no"], line["multiplier"], line["points"]) for line in lines] == [(1, "2", 20), (2, "3", 30)]
    assert (entry.rule_set, entry.version) == ("points", 1)


def test_birthday_month_bonus_once_per_order(ledger: Ledger, db: Engine) -> None:
    march, april = add_member(db, birth_month=3), add_member(db, birth_month=4)

    in_month = award(ledger, march, "SO-1", [tv(1, 1_000), tv(2, 1_000)])
    other = award(ledger, april, "SO-2", [tv(1, 1_000), tv(2, 1_000)])

    assert (in_month.points, other.points) == (2 + 5, 2)


def test_an_order_earns_once_however_often_it_is_reported(ledger: Ledger, db: Engine) -> None:
    member = add_member(db)

    first = award(ledger, member, "SO-1", [tv(1, 10_000)])
    again = award(ledger, member, "SO-1", [tv(1, 99_000)])

    assert again.id == first.id
    assert balance(ledger, member) == 10
    assert member_state(db, member) == (MemberTier.SILVER, 10_000)
    assert refused(ledger, lambda s: loyalty.award_order_points(
        s, member_id=add_member(db), order_ref="SO-1", lines=[tv(1, 1_000)], at=day(1))) == {("order_ref", ErrorCode.DUPLICATE)}


def test_without_a_live_programme_an_order_earns_nothing(database_url: str, db: Engine) -> None:
    ledger = Ledger(database_url)
    member = add_member(db)

    assert award(ledger, member, "SO-1", [tv(1, 10_000)]) is None
    assert ledger_rows(db) == ([], [])
    assert member_state(db, member) == (MemberTier.NORMAL, 0)


def test_invalid_order_input_is_refused_on_its_field(ledger: Ledger, db: Engine) -> None:
    member = add_member(db)

    errors = refused(ledger, lambda s: loyalty.award_order_points(
        s, member_id=member, order_ref="bad ref", lines=[tv(1, 100), tv(1, 200)], at=day(1)))

    assert errors == {("order_ref", ErrorCode.INVALID), ("lines", ErrorCode.INVALID)}
    assert refused(ledger, lambda s: loyalty.award_order_points(
        s, member_id=987654, order_ref="SO-1", lines=[tv(1, 100)], at=day(1))) == {("member_id", ErrorCode.NOT_FOUND)}


# --- activities ----------------------------------------------------------------------------------
def test_an_activity_is_awarded_once_per_reference_and_within_its_limit(ledger: Ledger, db: Engine) -> None:
    member = add_member(db)

    def review(reference: str) -> Any:
        return lambda s: loyalty.award_activity(s, member_id=member, activity="service_review", reference=reference, at=day(1))

    first = ledger.run(review("WO-1"))
    repeated = ledger.run(review("WO-1"))
    second = ledger.run(review("WO-2"))

    assert repeated.id == first.id and (first.kind, first.points, first.activity) == (K.ACTIVITY, 2, "service_review")
    assert second.id != first.id
    assert refused(ledger, review("WO-3")) == {("activity", ErrorCode.LIMIT_EXCEEDED)}
    assert refused(ledger, lambda s: loyalty.award_activity(
        s, member_id=member, activity="dancing", reference="X-1", at=day(1))) == {("activity", ErrorCode.NOT_FOUND)}
    assert balance(ledger, member) == 4


# --- redemption ----------------------------------------------------------------------------------
def test_a_reward_is_redeemed_at_its_price_in_the_live_catalogue(ledger: Ledger, db: Engine) -> None:
    member = add_member(db)
    award(ledger, member, "SO-1", [tv(1, 10_000)])

    entry = ledger.run(lambda s: loyalty.redeem_points(s, member_id=member, reference="R-1", reward_key="kettle", at=day(2)))

    assert (entry.kind, entry.points, entry.reward, entry.detail["reward"]["kind"]) == (K.REDEEM, -8, "kettle", "gift")
    assert balance(ledger, member, 2) == 2
    assert ledger.run(lambda s: loyalty.redeem_points(s, member_id=member, reference="R-1", reward_key="kettle",
                                                      at=day(2))).id == entry.id


def test_redemption_short_of_the_balance_is_refused_and_writes_nothing(ledger: Ledger, db: Engine) -> None:
    member = add_member(db)
    award(ledger, member, "SO-1", [tv(1, 10_000)])
    before = ledger_rows(db)

    points = refused(ledger, lambda s: loyalty.redeem_points(s, member_id=member, reference="R-1", points=11, at=day(2)))
    reward = refused(ledger, lambda s: loyalty.redeem_points(s, member_id=member, reference="R-2", reward_key="deep-clean",
                                                             at=day(2)))
    unknown = refused(ledger, lambda s: loyalty.redeem_points(s, member_id=member, reference="R-3", reward_key="yacht",
                                                              at=day(2)))

    assert (points, reward, unknown) == (
        {("points", ErrorCode.INSUFFICIENT_POINTS)}, {("reward_key", ErrorCode.INSUFFICIENT_POINTS)},
        {("reward_key", ErrorCode.NOT_FOUND)},
    )
    assert ledger_rows(db) == before
    assert refused(ledger, lambda s: loyalty.redeem_points(s, member_id=member, reference="R-4", at=day(2))) == {
        ("", ErrorCode.INVALID)}  # neither a reward nor points


# --- expiry --------------------------------------------------------------------------------------
def test_lots_expire_after_n_days_and_redemption_skips_expired_ones(ledger: Ledger, db: Engine) -> None:
    # given 10 points on day 1 and 5 on day 20; 30-day expiry: the first lot is valid through day 30
    member = add_member(db)
    award(ledger, member, "SO-1", [tv(1, 10_000)], 1)
    award(ledger, member, "SO-2", [tv(1, 5_000)], 20)
    assert balance(ledger, member, 30) == 15

    # when day 31 comes, the first lot no longer counts, even before the expiry run
    assert balance(ledger, member, 31) == 5
    assert refused(ledger, lambda s: loyalty.redeem_points(s, member_id=member, reference="R-1", points=6, at=day(31))) == {
        ("points", ErrorCode.INSUFFICIENT_POINTS)}

    # and the expiry run writes off exactly what was left of it, once
    written = ledger.run(lambda s: loyalty.expire_points(s, as_of=day(31)))
    again = ledger.run(lambda s: loyalty.expire_points(s, as_of=day(31)))
    assert [(e.kind, e.points) for e in written] == [(K.EXPIRE, -10)] and again == []
    found = ledger.run(lambda s: loyalty.balance(s, member, day(31)))
    assert found is not None and (found.points, found.ledger_points) == (5, 5)
    # the day-20 lot (22 March) is valid through 20 April: it expires at midnight starting 21 April in Shanghai
    assert (found.next_expiry_at, found.next_expiry_points) == (datetime(2025, 4, 21, tzinfo=ZoneInfo("Asia/Shanghai")), 5)


def test_expiry_writes_off_only_what_redemption_left(ledger: Ledger, db: Engine) -> None:
    member = add_member(db)
    award(ledger, member, "SO-1", [tv(1, 10_000)], 1)
    ledger.run(lambda s: loyalty.redeem_points(s, member_id=member, reference="R-1", points=7, at=day(5)))

    written = ledger.run(lambda s: loyalty.expire_points(s, as_of=day(40)))

    assert [e.points for e in written] == [-3]
    assert balance(ledger, member, 40) == 0
    assert refused(ledger, lambda s: loyalty.expire_points(s, as_of=day(1) + timedelta(days=3650))) == {
        ("as_of", ErrorCode.OUT_OF_RANGE)}


# --- returns and cancellations -------------------------------------------------------------------
def test_cancellation_reverses_every_point_and_all_growth(ledger: Ledger, db: Engine) -> None:
    member = add_member(db, birth_month=3)
    award(ledger, member, "SO-1", [tv(1, 12_000, quantity=3), tv(2, 9_000, category="air_conditioner")], extra_points=4)
    assert balance(ledger, member) == 12 + 18 + 5 + 4
    assert member_state(db, member) == (MemberTier.GOLD, 21_000)

    entry = ledger.run(lambda s: loyalty.reverse_order_points(s, order_ref="SO-1", returned=None, at=day(2)))
    again = ledger.run(lambda s: loyalty.reverse_order_points(s, order_ref="SO-1", returned=None, at=day(3)))

    assert entry is not None and again is not None and again.id == entry.id
    assert (entry.points, entry.growth, entry.detail["returned"]) == (-39, -21_000, {"1": 3, "2": 1})
    assert balance(ledger, member, 3) == 0
    assert member_state(db, member) == (MemberTier.NORMAL, 0)


def test_repeated_returns_never_exceed_what_was_bought(ledger: Ledger, db: Engine) -> None:
    member = add_member(db)
    award(ledger, member, "SO-1", [tv(1, 30_000, quantity=3)])

    def give_back(reference: str, units: int) -> Any:
        return lambda s: loyalty.reverse_order_points(s, order_ref="SO-1", reference=reference, returned={1: units}, at=day(2))

    first = ledger.run(give_back("RMA-1", 2))
    repeated = ledger.run(give_back("RMA-1", 2))
    too_many = refused(ledger, give_back("RMA-2", 2))
    last = ledger.run(give_back("RMA-3", 1))

    assert first is not None and repeated is not None and repeated.id == first.id
    assert too_many == {("returned.1", ErrorCode.OUT_OF_RANGE)}
    assert last is not None and (first.points, last.points) == (-20, -10)
    assert refused(ledger, give_back("RMA-4", 1)) == {("returned.1", ErrorCode.OUT_OF_RANGE)}
    cancelled = ledger.run(lambda s: loyalty.reverse_order_points(s, order_ref="SO-1", returned=None, at=day(3)))
    assert cancelled is not None and (cancelled.points, cancelled.growth) == (0, 0)
    assert member_state(db, member) == (MemberTier.NORMAL, 0)
    assert refused(ledger, lambda s: loyalty.reverse_order_points(s, order_ref="SO-1", returned={1: 1}, at=day(3))) == {
        ("reference", ErrorCode.REQUIRED)}


def test_a_return_of_points_already_spent_is_owed_and_settled_by_the_next_points(ledger: Ledger, db: Engine) -> None:
    # given 20 points, 15 of them spent
    member = add_member(db)
    award(ledger, member, "SO-1", [tv(1, 20_000, quantity=2)], 1)
    ledger.run(lambda s: loyalty.redeem_points(s, member_id=member, reference="R-1", points=15, at=day(2)))

    # when the whole order is returned
    entry = ledger.run(lambda s: loyalty.reverse_order_points(s, order_ref="SO-1", reference="RMA-1", returned={1: 2},
                                                              at=day(3)))

    # then 5 come back from the lot and 15 are owed: the balance is -15 until points are earned
    assert entry is not None and (entry.points, entry.detail["owed"]) == (-20, 15)
    assert balance(ledger, member, 3) == -15
    award(ledger, member, "SO-2", [tv(1, 18_000)], 4)
    assert balance(ledger, member, 4) == 3
    assert ledger.run(lambda s: loyalty.redeem_points(s, member_id=member, reference="R-2", points=3, at=day(5))).points == -3
    assert balance(ledger, member, 5) == 0


def test_reversing_an_order_that_earned_nothing_does_nothing(ledger: Ledger) -> None:
    assert ledger.run(lambda s: loyalty.reverse_order_points(s, order_ref="SO-404", returned=None, at=day(1))) is None


# --- the ledger is append-only -------------------------------------------------------------------
def test_the_ledger_is_only_ever_appended_to(ledger: Ledger, db: Engine) -> None:
    member = add_member(db, birth_month=3)
    seen = []
    with ledger.watching() as statements:
        award(ledger, member, "SO-1", [tv(1, 20_000, quantity=2)], 1)
        seen.append(ledger_rows(db))
        ledger.run(lambda s: loyalty.award_activity(s, member_id=member, activity="product_registration", reference="REG-1",
                                                    at=day(2)))
        seen.append(ledger_rows(db))
        ledger.run(lambda s: loyalty.redeem_points(s, member_id=member, reference="R-1", points=12, at=day(3)))
        seen.append(ledger_rows(db))
        ledger.run(lambda s: loyalty.reverse_order_points(s, order_ref="SO-1", reference="RMA-1", returned={1: 1}, at=day(4)))
        seen.append(ledger_rows(db))
        ledger.run(lambda s: loyalty.expire_points(s, as_of=day(60)))
        seen.append(ledger_rows(db))

    # every earlier row is still there, unchanged, after each later operation
    for before, after in zip(seen, seen[1:], strict=False):
        assert after[0][: len(before[0])] == before[0] and after[1][: len(before[1])] == before[1]
    assert [row[2] for row in seen[-1][0]] == ["earn", "activity", "redeem", "reverse", "expire"]
    # and no UPDATE or DELETE ever reached the ledger's tables
    written = [s.lstrip().split()[:3] for s in statements if "points_" in s]
    assert ["INSERT", "INTO", "points_entries"] in written
    assert [w for w in written if w[0].upper() in {"UPDATE", "DELETE"}] == []
    assert ledger.run(lambda s: loyalty.balance(s, member, day(60))).points == 0  # type: ignore[union-attr]
