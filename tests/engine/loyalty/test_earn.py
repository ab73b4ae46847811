"""The loyalty core without a database: points per order on durable-rules, multipliers, the
birthday bonus, rounding once per order, tiers from growth, and the document's own checks."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from engine.loyalty import FACT_TYPE, check_document, largest_remainder, points_for_order, rule_specs, tier_for
from engine.rules import compile_rules
from schemas.enums import MemberTier
from schemas.errors import ErrorCode
from schemas.loyalty import LOYALTY_LINE_FACTS, LoyaltyDocument, MemberFacts, PaidLine
from schemas.rules import TraceOutcome, TraceReason, VersionRef
from tests.engine.loyalty.documents import cond, document, programme

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = datetime(2025, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
REF = VersionRef(rule_set="points", version=3, digest="d" * 64)


def line(line_no: int, yuan: int, category: str = "tv", quantity: int = 1, model: str = "TV-55") -> PaidLine:
    return PaidLine(line_no=line_no, model=model, category=category, brand="Haier", quantity=quantity, paid_fen=yuan * 100)


def earn(lines: list[PaidLine], member: MemberFacts = MemberFacts(), doc: LoyaltyDocument | None = None,
         at: datetime = MARCH, **kwargs: object):  # noqa: ANN201
    doc = doc or document()
    compiled = compile_rules(FACT_TYPE, LOYALTY_LINE_FACTS, rule_specs(doc))
    return points_for_order(doc, compiled, lines, member, at, SHANGHAI, version=REF, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lines", "points"),
    [
        pytest.param([line(1, 10_000)], 10, id="10,000 yuan at 1 per 1,000 earns 10"),
        pytest.param([line(1, 20_000, quantity=2)], 20, id="20,000 yuan earns 20"),
        pytest.param([line(1, 999)], 0, id="999 yuan earns nothing"),
        pytest.param([line(1, 600), line(2, 600)], 1, id="two lines of 600 round once per order: 1, not 0"),
        pytest.param([line(1, 10_000, "air_conditioner")], 20, id="air conditioners 2x"),
        pytest.param([line(1, 10_000, "washer")], 15, id="washers 1.5x"),
        pytest.param([line(1, 1_000, "washer"), line(2, 1_000, "washer")], 3, id="1.5 + 1.5 = 3 on the order"),
    ],
)
def test_points_per_yuan_paid_with_category_multipliers(lines: list[PaidLine], points: int) -> None:
    result = earn(lines)

    assert (result.rate_points, result.bonus_points, result.total) == (points, 0, points)
    assert sum(line.points for line in result.lines) == points


def test_each_line_gets_a_whole_share_of_the_rounded_total() -> None:
    result = earn([line(1, 1_400), line(2, 1_300), line(3, 1_300)])  # raw 1.4 + 1.3 + 1.3 = 4

    assert [(p.line_no, p.raw, p.points) for p in result.lines] == [
        (1, Decimal("1.4"), 2), (2, Decimal("1.3"), 1), (3, Decimal("1.3"), 1)
    ]
    assert largest_remainder([Decimal("0.5"), Decimal("0.5")], 1) == [1, 0]  # ties: the earlier line


def test_highest_multiplier_wins_between_the_document_and_the_order() -> None:
    # given an air conditioner (2x in the document) on a 3x promotion, and a TV on a 1.5x one
    lines = [line(1, 10_000, "air_conditioner"), line(2, 10_000, "tv")]

    result = earn(lines, multipliers={1: Decimal(3), 2: Decimal("1.5")})

    # then the higher factor applies on each line, never the product of both
    assert [(p.multiplier, p.points) for p in result.lines] == [(Decimal(3), 30), (Decimal("1.5"), 15)]
    ac_trace = [t for t in result.trace if t.rule_id == "ac-x2"]
    assert [(t.outcome, t.reason) for t in ac_trace] == [(TraceOutcome.NOT_APPLIED, TraceReason.NOT_BEST_DEAL)]


def test_among_matching_multipliers_the_highest_applies() -> None:
    doc = document(earn_rules=[
        *programme()["earn_rules"],
        {"id": "haier-x3", "name": "Haier 3x", "conditions": [cond("brand", "eq", "Haier")],
         "action": {"kind": "multiplier", "factor": "3"}},
    ])

    result = earn([line(1, 10_000, "air_conditioner")], doc=doc)

    assert result.total == 30
    assert {t.rule_id: t.outcome for t in result.trace if t.stage == "multiplier"} == {
        "haier-x3": TraceOutcome.APPLIED, "ac-x2": TraceOutcome.NOT_APPLIED,
    }


def test_the_birthday_bonus_is_paid_once_per_order_in_the_birth_month_only() -> None:
    lines = [line(1, 10_000), line(2, 10_000)]

    in_march = earn(lines, MemberFacts(birth_month=3))
    in_april = earn(lines, MemberFacts(birth_month=4))
    unknown = earn(lines, MemberFacts())

    assert (in_march.bonus_points, in_march.total) == (5, 25)
    assert (in_april.bonus_points, unknown.bonus_points) == (0, 0)
    assert [(t.rule_id, t.line_no, t.amount_fen) for t in in_march.trace if t.stage == "bonus"] == [("birthday", None, 5)]


def test_the_birth_month_is_judged_in_the_brand_calendar() -> None:
    # 2025-03-31 17:00 UTC is already 1 April in Shanghai
    result = earn([line(1, 1_000)], MemberFacts(birth_month=4), at=datetime(2025, 3, 31, 17, 0, tzinfo=UTC))

    assert result.bonus_points == 5


def test_the_highest_priority_rate_applies_and_the_trace_says_why_others_did_not() -> None:
    doc = document(earn_rules=[
        *programme()["earn_rules"],
        {"id": "gold-rate", "name": "Gold members: 2 per 1,000", "priority": 10,
         "conditions": [cond("member_tier", "eq", "gold")], "action": {"kind": "rate", "points": 2, "per_yuan": "1000"}},
    ])

    gold = earn([line(1, 10_000)], MemberFacts(tier=MemberTier.GOLD), doc=doc)
    normal = earn([line(1, 10_000)], MemberFacts(), doc=doc)

    assert (gold.total, normal.total) == (20, 10)
    assert [(t.rule_id, t.outcome, t.reason, t.amount_fen) for t in gold.trace if t.stage == "rate"] == [
        ("gold-rate", TraceOutcome.APPLIED, None, 20),
        ("base", TraceOutcome.NOT_APPLIED, TraceReason.LOST_TO_PRIORITY, 0),
    ]
    assert {(t.rule_set, t.version) for t in gold.trace} == {("points", 3)}


def test_extra_points_and_growth_in_whole_yuan() -> None:
    result = earn([PaidLine(line_no=1, model="TV", category="tv", brand="Haier", quantity=1, paid_fen=1_234_599)],
                  extra_points=7)

    assert (result.rate_points, result.extra_points, result.total, result.growth) == (12, 7, 19, 12_345)


@pytest.mark.parametrize(
    ("growth", "tier"),
    [(0, MemberTier.NORMAL), (9_999, MemberTier.NORMAL), (10_000, MemberTier.SILVER), (11_000, MemberTier.SILVER),
     (20_000, MemberTier.GOLD), (21_000, MemberTier.GOLD), (50_000, MemberTier.PLATINUM)],
)
def test_the_tier_is_the_highest_threshold_the_growth_reaches(growth: int, tier: MemberTier) -> None:
    assert tier_for(growth, document()) is tier


def test_a_valid_document_has_no_problems() -> None:
    assert check_document(document()) == []


def test_check_document_reports_every_problem_on_its_path() -> None:
    doc = document(
        earn_rules=[
            {"id": "base", "name": "a", "conditions": [cond("colour", "eq", "red")], "action": {"kind": "bonus", "points": 1}},
            {"id": "base", "name": "b", "conditions": [cond("quantity", "eq", "two")], "action": {"kind": "bonus", "points": 1}},
        ],
        activity_awards=[{"activity": "review", "points": 1}, {"activity": "review", "points": 2}],
        tiers=[{"tier": "normal", "min_growth": 0}, {"tier": "gold", "min_growth": 0}, {"tier": "silver", "min_growth": 5}],
        rewards=[{"key": "k", "name": "k", "kind": "gift", "points": 1}, {"key": "k", "name": "k2", "kind": "part", "points": 2}],
    )

    found = {(".".join(map(str, e.path)), e.code) for e in check_document(doc)}

    assert found == {
        ("document.earn_rules.1.id", ErrorCode.DUPLICATE),
        ("document.activity_awards.1.activity", ErrorCode.DUPLICATE),
        ("document.rewards.1.key", ErrorCode.DUPLICATE),
        ("document.earn_rules.0.conditions.0.fact", ErrorCode.INVALID),
        ("document.earn_rules.1.conditions.0.value", ErrorCode.INVALID),
        ("document.tiers.1.min_growth", ErrorCode.OUT_OF_RANGE),
        ("document.tiers.2.tier", ErrorCode.INVALID),
    }


def test_a_rule_short_of_its_threshold_is_a_near_miss_with_the_failed_condition() -> None:
    big_order = {"id": "big-order", "name": "Orders of ¥30,000: 10 bonus points",
                 "conditions": [cond("order_paid_fen", "gte", 30_000_00)], "action": {"kind": "bonus", "points": 10}}
    doc = document(earn_rules=[*programme()["earn_rules"], big_order])

    short = earn([line(1, 20_000), line(2, 5_000)], doc=doc)
    enough = earn([line(1, 30_000)], doc=doc)

    missed = [t for t in short.trace if t.rule_id == "big-order"]
    assert [(t.outcome, t.reason, t.line_no, t.failed_conditions) for t in missed] == [
        (TraceOutcome.NOT_APPLIED, TraceReason.CONDITION_FAILED, None, tuple(doc.earn_rules[-1].conditions))
    ]
    assert (short.bonus_points, enough.bonus_points) == (0, 10)
    assert [t.outcome for t in enough.trace if t.rule_id == "big-order"] == [TraceOutcome.APPLIED]
