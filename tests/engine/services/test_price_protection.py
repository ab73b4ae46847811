"""Price protection on a real database: publishing a price change raises claims for the eligible
stock of eligible dealers, claims go through approval (with their deadline) to credit statements,
and a refused publication changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import DomainError
from engine.services import price_protection as service
from engine.services import quotes, rule_sets, settlements
from engine.store.catalogue import Product
from engine.store.channel import Dealer, DealerRegion
from engine.store.dealer_reports import SellOutBuyer, SellOutReport, StockReport
from engine.store.rules import RuleSetVersion
from engine.store.sales import SalesOrder, SalesOrderEvent, SalesOrderLine
from engine.store.settlements import (
    PriceChange, PriceProtectionClaim, SettlementStatement, StatementItem, StatementLine,
)
from schemas.enums import ChannelType, CooperationLevel, ProductCategory, SalesOrderStatus
from schemas.errors import ErrorCode
from schemas.rebates import ClaimStatus, StatementKind, StatementStage, StatementStatus
from tests.engine.use_cases import run

ACTOR = "tests"
YUAN = 100


def tier(tv_yuan: int, washer_yuan: int) -> dict[str, Any]:
    """Dealer (tier-stage) prices of the two models."""
    return {"rules": [
        {"id": "tv", "name": "TV dealer price", "stage": "tier", "action": {"kind": "fixed_price", "price_fen": tv_yuan * YUAN},
         "conditions": [{"fact": "category", "op": "eq", "value": "tv"}]},
        {"id": "washer", "name": "washer dealer price", "stage": "tier",
         "action": {"kind": "fixed_price", "price_fen": washer_yuan * YUAN},
         "conditions": [{"fact": "category", "op": "eq", "value": "washer"}]},
    ]}


def protection(window_days: int = 30, claim_days: int = 30, cap_fen: int | None = None) -> dict[str, Any]:
    """TVs only, for dealers without overdue receivables."""
    return {"policies": [{
        "id": "pp", "name": f"{window_days}-day protection", "window_days": window_days, "claim_days": claim_days,
        "cap_fen": cap_fen, "eligibility": [{"fact": "overdue_fen", "op": "lte", "value": 0}],
        "scope": [{"fact": "category", "op": "eq", "value": "tv"}],
    }]}


class World:
    """Two dealers, a TV and a washer, a published price list and protection policy, and a
    draft of the next price list; stock arranged relative to the cut."""

    def __init__(self, db: Engine, url: str, cut: datetime, policy: dict[str, Any] | None = None) -> None:
        self.db, self.url, self.cut = db, url, cut
        with Session(db) as s, s.begin():
            # terms of a year: the delivered orders below are not yet due (not overdue)
            good = Dealer(code="D-GOOD", name="好经销商", legal_representative="张伟", channel_type=ChannelType.AGENT,
                          cooperation_level=CooperationLevel.CITY_AGENT, payment_terms_days=365)
            late = Dealer(code="D-LATE", name="欠款经销商", legal_representative="李娜", channel_type=ChannelType.AGENT,
                          cooperation_level=CooperationLevel.CITY_AGENT, payment_terms_days=0)
            tv = Product(model="65U7", name="65U7", category=ProductCategory.TV, brand="华澜", list_price_fen=1000 * YUAN,
                         warranty_months=36, needs_installation=False)
            washer = Product(model="XQG100-B1", name="XQG100-B1", category=ProductCategory.WASHER, brand="华澜",
                             list_price_fen=4000 * YUAN, warranty_months=36, needs_installation=False)
            s.add_all([good, late, tv, washer])
            s.flush()
            self.good, self.late, self.tv, self.washer = good.id, late.id, tv.id, washer.id
        self.pricing_v1 = self.rule_set("prices", "pricing", tier(800, 3000))
        self.publish(self.pricing_v1)
        self.protection_v1 = self.rule_set("protect", "price_protection", policy or protection())
        self.publish(self.protection_v1)
        self.draft = self.new_version(self.pricing_v1, tier(700, 2500))
        self.orders = 0

    # --- rule sets through the use cases -----------------------------------------------------------
    def rule_set(self, key: str, kind: str, document: dict[str, Any]) -> int:
        async def go(s: AsyncSession) -> int:
            created = await rule_sets.create_rule_set(s, {"key": key, "kind": kind, "name": key, "document": document},
                                                      ACTOR)
            first = await s.scalar(select(RuleSetVersion.id).where(RuleSetVersion.rule_set_id == created.id))
            assert first is not None
            return first
        return run(self.url, go)

    def new_version(self, first_id: int, document: dict[str, Any]) -> int:
        async def go(s: AsyncSession) -> int:
            first = await s.get(RuleSetVersion, first_id)
            assert first is not None
            return (await rule_sets.create_version(s, {"rule_set_id": first.rule_set_id, "document": document}, ACTOR)).id
        return run(self.url, go)

    def publish(self, version_id: int) -> None:
        run(self.url, lambda s: rule_sets.publish_version(s, version_id, {}, ACTOR))

    # --- stock, relative to the cut ----------------------------------------------------------------
    def delivered(self, dealer_id: int, product_id: int, days_before: float, units: int) -> None:
        at = self.cut - timedelta(days=days_before)
        self.orders += 1
        with Session(self.db) as s, s.begin():
            order = SalesOrder(order_no=f"T{self.orders:05d}", dealer_id=dealer_id, status=SalesOrderStatus.DELIVERED,
                               placed_at=at - timedelta(days=2), total_fen=units * 500 * YUAN,
                               lines=[SalesOrderLine(line_no=1, product_id=product_id, quantity=units,
                                                     unit_price_fen=500 * YUAN, amount_fen=units * 500 * YUAN)])
            s.add(order)
            s.flush()
            s.add(SalesOrderEvent(order_id=order.id, from_status=SalesOrderStatus.SHIPPED,
                                  to_status=SalesOrderStatus.DELIVERED, at=at))

    def reported(self, dealer_id: int, product_id: int, days_before: int, on_hand: int) -> None:
        with Session(self.db) as s, s.begin():
            s.add(StockReport(dealer_id=dealer_id, product_id=product_id, on_hand=on_hand,
                              as_of=clock.today(self.cut) - timedelta(days=days_before)))

    def sold(self, dealer_id: int, product_id: int, days_before: int, units: int) -> None:
        with Session(self.db) as s, s.begin():
            s.add(SellOutReport(dealer_id=dealer_id, product_id=product_id, quantity=units, buyer=SellOutBuyer.CONSUMER,
                                sold_on=clock.today(self.cut) - timedelta(days=days_before)))

    # --- the use cases -----------------------------------------------------------------------------
    def publish_change(self, version_id: int | None = None, **extra: Any) -> PriceChange:
        data = {"rule_set_version_id": version_id or self.draft, "effective_at": self.cut, **extra}
        return run(self.url, lambda s: service.publish_price_change(s, data, ACTOR))

    def claims(self) -> list[PriceProtectionClaim]:
        with Session(self.db) as s:
            return list(s.scalars(select(PriceProtectionClaim).order_by(PriceProtectionClaim.id)))

    def count(self, model: Any) -> int:
        with Session(self.db) as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)


def refused(call: Any) -> list[tuple[tuple[str | int, ...], ErrorCode]]:
    with pytest.raises(DomainError) as exc:
        call()
    return [(e.path, e.code) for e in exc.value.errors]


@pytest.fixture
def cut() -> datetime:
    return (clock.now() - timedelta(hours=2)).replace(microsecond=0)


@pytest.fixture
def world(db: Engine, database_url: str, cut: datetime) -> World:
    return World(db, database_url, cut)


def test_issue_scenario_4_a_cut_from_800_to_700_credits_the_30_units_received_within_30_days(world: World) -> None:
    # given 30 TVs received 10 days before the cut and 20 received 40 days before, 50 on hand the day before
    world.delivered(world.good, world.tv, 10, 30)
    world.delivered(world.good, world.tv, 40, 20)
    world.reported(world.good, world.tv, 1, 50)
    # when the draft cutting the TV from 800 to 700 is published at the cut
    change = world.publish_change()
    # then one claim: 30 eligible × 100 = 3,000 yuan, submitted, due within the policy's 30 days
    (claim,) = world.claims()
    assert (claim.dealer_id, claim.product_id, claim.old_price_fen, claim.new_price_fen) == (
        world.good, world.tv, 800 * YUAN, 700 * YUAN)
    assert (claim.received_units, claim.on_hand_units, claim.eligible_units, claim.credit_fen) == (30, 50, 30, 3000 * YUAN)
    assert (claim.status, claim.capped, claim.rule_set, claim.rule_id) == (ClaimStatus.SUBMITTED, False, "protect", "pp")
    assert claim.deadline == world.cut + timedelta(days=30)
    assert claim.claim_no == f"{change.change_no}-00001"
    assert "eligible 30 × (¥800.00 − ¥700.00) = ¥3,000.00" in claim.detail
    assert change.change_no == f"PC{clock.today():%Y%m%d}00001"
    assert (change.effective_at, change.cuts, change.claims, change.credit_fen) == (world.cut, 1, 1, 3000 * YUAN)
    # and the draft is published, valid from the cut
    with Session(world.db) as s:
        version = s.get(RuleSetVersion, world.draft)
        assert version is not None and (version.status.value, version.valid_from) == ("published", world.cut)


def test_stock_sold_after_the_report_and_the_policys_conditions_limit_the_claims(world: World) -> None:
    # given the good dealer sold 18 of its 30 TVs after its report, and holds cut washers too
    world.delivered(world.good, world.tv, 5, 30)
    world.reported(world.good, world.tv, 3, 30)
    world.sold(world.good, world.tv, 1, 18)
    world.delivered(world.good, world.washer, 5, 4)
    world.reported(world.good, world.washer, 1, 4)
    # and the other dealer holds cut TVs but owes an unpaid order past its terms
    world.delivered(world.late, world.tv, 5, 10)
    world.reported(world.late, world.tv, 1, 10)
    change = world.publish_change()
    # then only the good dealer's 12 TVs on hand are credited: washers are out of scope, the late payer ineligible
    assert [(c.dealer_id, c.product_id, c.eligible_units, c.credit_fen) for c in world.claims()] == [
        (world.good, world.tv, 12, 1200 * YUAN)]
    # the cuts counted are the pairs priced (holding protectable stock of an eligible dealer and model)
    assert (change.cuts, change.claims) == (1, 1)


def test_the_cap_per_dealer_limits_and_marks_the_claim(db: Engine, database_url: str, cut: datetime) -> None:
    world = World(db, database_url, cut, protection(cap_fen=2000 * YUAN))
    world.delivered(world.good, world.tv, 5, 30)
    world.reported(world.good, world.tv, 1, 30)
    world.publish_change()
    (claim,) = world.claims()
    assert (claim.credit_fen, claim.capped) == (2000 * YUAN, True)


def test_a_price_rise_raises_no_claim(db: Engine, database_url: str, cut: datetime) -> None:
    world = World(db, database_url, cut)
    world.delivered(world.good, world.tv, 5, 30)
    world.reported(world.good, world.tv, 1, 30)
    rise = world.new_version(world.pricing_v1, tier(900, 3000))
    change = world.publish_change(rise)
    assert (change.cuts, change.claims, change.credit_fen) == (0, 0, 0)
    assert world.claims() == []


def test_a_refused_publication_changes_nothing(world: World) -> None:
    world.delivered(world.good, world.tv, 5, 30)
    world.reported(world.good, world.tv, 1, 30)
    future = clock.now() + timedelta(days=1)
    # a price-protection version, an already published price list, a stale version, a future cut
    assert refused(lambda: world.publish_change(world.protection_v1)) == [
        (("rule_set_version_id",), ErrorCode.INVALID), (("rule_set_version_id",), ErrorCode.INVALID_TRANSITION)]
    assert refused(lambda: world.publish_change(world.pricing_v1)) == [
        (("rule_set_version_id",), ErrorCode.INVALID_TRANSITION)]
    assert refused(lambda: world.publish_change(expected_version=7)) == [(("expected_version",), ErrorCode.CONFLICT)]
    assert refused(lambda: world.publish_change(effective_at=future)) == [(("effective_at",), ErrorCode.OUT_OF_RANGE)]
    # then no change, no claim, and the draft is still a draft without a window
    assert (world.count(PriceChange), world.count(PriceProtectionClaim)) == (0, 0)
    with Session(world.db) as s:
        draft = s.get(RuleSetVersion, world.draft)
        assert draft is not None and (draft.status.value, draft.valid_from, draft.row_version) == ("draft", None, 1)


def test_a_draft_with_its_own_start_takes_effect_then(world: World) -> None:
    async def start_then(s: AsyncSession) -> None:
        await rule_sets.update_version(s, world.draft, {"valid_from": world.cut - timedelta(days=1)})
    run(world.url, start_then)
    assert refused(lambda: world.publish_change()) == [(("effective_at",), ErrorCode.INVALID)]
    change = world.publish_change(effective_at=None)
    assert change.effective_at == world.cut - timedelta(days=1)


def test_claims_are_approved_before_their_deadline_and_credited_on_one_statement_per_dealer(world: World) -> None:
    world.delivered(world.good, world.tv, 5, 30)
    world.reported(world.good, world.tv, 1, 30)
    change = world.publish_change()
    (claim,) = world.claims()
    # a stale expected version is refused, then the approval goes through, once
    assert refused(lambda: run(world.url, lambda s: service.approve_claim(s, claim.id, {"expected_version": 2}, ACTOR))) \
        == [(("expected_version",), ErrorCode.CONFLICT)]
    approved = run(world.url, lambda s: service.approve_claim(s, claim.id, {"expected_version": 1, "note": "ok"}, ACTOR))
    assert (approved.status, approved.decided_by, approved.note, approved.row_version) == (
        ClaimStatus.APPROVED, ACTOR, "ok", 2)
    assert refused(lambda: run(world.url, lambda s: service.reject_claim(s, claim.id, {}, ACTOR))) == [
        (("id",), ErrorCode.INVALID_TRANSITION)]
    # when the credit statements are made
    (statement,) = run(world.url, lambda s: service.create_credit_statements(s, change.id, ACTOR))
    # then one draft FINAL statement for the dealer, an item for the policy and a line for the claim
    assert (statement.kind, statement.stage, statement.status, statement.dealer_id, statement.scope_key,
            statement.amount_fen) == (StatementKind.PRICE_PROTECTION, StatementStage.FINAL, StatementStatus.DRAFT,
                                      world.good, f"price_change:{change.change_no}", 3000 * YUAN)
    with Session(world.db) as s:
        (item,) = s.scalars(select(StatementItem).where(StatementItem.statement_id == statement.id))
        (line,) = s.scalars(select(StatementLine).where(StatementLine.item_id == item.id))
        assert (item.rule_set, item.rule_id, item.policy_name, item.amount_fen, len(item.digest)) == (
            "protect", "pp", "30-day protection", 3000 * YUAN, 64)
        assert (line.claim_id, line.amount_fen, line.quantity) == (claim.id, 3000 * YUAN, 30)
    assert [(c.status, c.statement_id) for c in world.claims()] == [(ClaimStatus.CREDITED, statement.id)]
    # and a second call finds nothing left to credit
    assert run(world.url, lambda s: service.create_credit_statements(s, change.id, ACTOR)) == []


EVERY_MODEL = {"policies": [{"id": "all", "name": "every model", "window_days": 30}]}


def two_claims(world: World) -> tuple[PriceChange, PriceProtectionClaim, PriceProtectionClaim]:
    """The good dealer's TV claim (3,000) and washer claim (1,000) under a policy for every model."""
    world.delivered(world.good, world.tv, 5, 30)
    world.reported(world.good, world.tv, 1, 30)
    world.delivered(world.good, world.washer, 5, 2)
    world.reported(world.good, world.washer, 1, 2)
    change = world.publish_change()
    tv, washer = world.claims()
    assert [(c.product_id, c.credit_fen) for c in (tv, washer)] == [(world.tv, 3000 * YUAN), (world.washer, 1000 * YUAN)]
    return change, tv, washer


def approve(world: World, claim_id: int) -> None:
    run(world.url, lambda s: service.approve_claim(s, claim_id, {}, ACTOR))


def credit(world: World, change_id: int) -> list[SettlementStatement]:
    return run(world.url, lambda s: service.create_credit_statements(s, change_id, ACTOR))


def test_a_claim_approved_later_joins_the_dealers_draft_statement(db: Engine, database_url: str, cut: datetime) -> None:
    world = World(db, database_url, cut, EVERY_MODEL)
    change, tv, washer = two_claims(world)
    approve(world, tv.id)
    (first,) = credit(world, change.id)
    approve(world, washer.id)
    (again,) = credit(world, change.id)
    assert (again.id, again.amount_fen, again.status) == (first.id, 4000 * YUAN, StatementStatus.DRAFT)
    with Session(world.db) as s:
        items = list(s.scalars(select(StatementItem).where(StatementItem.statement_id == first.id)
                               .order_by(StatementItem.item_no)))
    assert [(i.item_no, i.amount_fen) for i in items] == [(1, 3000 * YUAN), (2, 1000 * YUAN)]
    assert world.count(SettlementStatement) == 1


def test_a_claim_approved_after_its_statement_was_approved_gets_a_supplementary_statement(
        db: Engine, database_url: str, cut: datetime) -> None:
    world = World(db, database_url, cut, EVERY_MODEL)
    change, tv, washer = two_claims(world)
    approve(world, tv.id)
    (first,) = credit(world, change.id)
    run(world.url, lambda s: settlements.approve_statement(s, first.id, {}, ACTOR))
    approve(world, washer.id)
    (second,) = credit(world, change.id)
    assert second.id != first.id
    assert (second.scope_key, second.amount_fen, second.status) == (
        f"price_change:{change.change_no}/2", 1000 * YUAN, StatementStatus.DRAFT)
    assert second.statement_no != first.statement_no


def test_a_lapsed_claim_can_be_rejected_but_not_approved(db: Engine, database_url: str) -> None:
    # given a cut 40 days ago and 30 days to approve its claims
    world = World(db, database_url, (clock.now() - timedelta(days=40)).replace(microsecond=0))
    world.delivered(world.good, world.tv, 5, 30)
    world.reported(world.good, world.tv, 1, 30)
    world.publish_change()
    (claim,) = world.claims()
    assert claim.deadline < clock.now()
    assert refused(lambda: run(world.url, lambda s: service.approve_claim(s, claim.id, {}, ACTOR))) == [
        (("id",), ErrorCode.WRONG_STATUS)]
    rejected = run(world.url, lambda s: service.reject_claim(s, claim.id, {"note": "too late"}, ACTOR))
    assert (rejected.status, rejected.note) == (ClaimStatus.REJECTED, "too late")


def test_dealer_prices_are_the_prices_a_quote_gives_the_dealer(db: Engine, database_url: str, cut: datetime) -> None:
    # given a regional TV price above the national one, and the good dealer authorised in that region
    def regional(tv_yuan: int, east_yuan: int) -> dict[str, Any]:
        document = tier(tv_yuan, 3000)
        document["rules"].append({"id": "tv-east", "name": "TV east", "stage": "tier", "priority": 10,
                                  "action": {"kind": "fixed_price", "price_fen": east_yuan * YUAN},
                                  "conditions": [{"fact": "category", "op": "eq", "value": "tv"},
                                                 {"fact": "region", "op": "eq", "value": "310115"}]})
        return document

    world = World(db, database_url, cut)
    with Session(db) as s, s.begin():
        s.add(DealerRegion(dealer_id=world.good, region_code="310115"))
    east = world.new_version(world.pricing_v1, regional(800, 780))
    world.publish(east)
    cut_east = world.new_version(world.pricing_v1, regional(700, 650))
    world.delivered(world.good, world.tv, 5, 30)
    world.reported(world.good, world.tv, 1, 30)
    request = {"lines": [{"model": "65U7", "quantity": 1}], "context": {"dealer_code": "D-GOOD", "at": cut}}

    def quoted() -> int:
        return run(database_url, lambda s: quotes.quote(s, request)).lines[0].tier_price_fen

    before = quoted()
    world.publish_change(cut_east)
    after = quoted()
    (claim,) = world.claims()
    assert (claim.old_price_fen, claim.new_price_fen) == (before, after) == (780 * YUAN, 650 * YUAN)
    assert claim.credit_fen == 30 * 130 * YUAN
