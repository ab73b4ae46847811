"""Settlement runs on a real database: the issue's scenarios through the use case, re-runs that
replace drafts and keep approved statements, accruals and their true-up, paid basis, standing,
campaign rebates, and the statement flow."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.errors import DomainError
from engine.services import rule_sets
from engine.services.settlements import SettlementRun, approve_statement, issue_statement, run_settlement
from engine.store.catalogue import Product
from engine.store.channel import Dealer
from engine.store.dealer_reports import DealerPayment, PriceViolation
from engine.store.rules import RuleSetVersion
from engine.store.sales import SalesOrder, SalesOrderLine, SalesTarget
from engine.store.settlements import SettlementStatement, StatementItem, StatementLine
from schemas.errors import ErrorCode
from schemas.rules import RuleSetKind
from tests.engine.use_cases import run

ACTOR = "tests"
CN = timedelta(hours=8)  # the brand's time zone (Asia/Shanghai) has no daylight saving


def local(year: int, month: int, day: int, hour: int = 12) -> datetime:
    """Noon (by default) in the brand's time zone, as an aware UTC instant."""
    return datetime(year, month, day, hour, tzinfo=UTC) - CN


def yuan(amount: float) -> int:
    return round(amount * 100)


class Books:
    """Dealers, products, orders, payments and policies, written straight into the tables."""

    def __init__(self, url: str, db: Engine) -> None:
        self.url, self.db = url, db
        self._numbers = count(1)
        self.products: dict[str, int] = {}

    def dealer(self, code: str, terms_days: int = 30, level: str = "city_agent") -> int:
        with self.db.begin() as c:
            return int(c.execute(insert(Dealer).returning(Dealer.id), {
                "code": code, "name": code, "legal_representative": "x", "channel_type": "agent",
                "cooperation_level": level, "payment_terms_days": terms_days,
            }).scalar_one())

    def product(self, model: str, category: str = "air_conditioner") -> int:
        with self.db.begin() as c:
            pk = int(c.execute(insert(Product).returning(Product.id), {
                "model": model, "name": model, "category": category, "brand": "brand", "list_price_fen": 100_00,
                "warranty_months": 12, "needs_installation": False,
            }).scalar_one())
        self.products[model] = pk
        return pk

    def order(self, dealer_id: int, placed_at: datetime, lines: dict[str, int], quantity: int = 1,
              status: str = "approved") -> int:
        """An order with one line per model: {model: amount in fen}."""
        total = sum(lines.values())
        with self.db.begin() as c:
            order_id = int(c.execute(insert(SalesOrder).returning(SalesOrder.id), {
                "order_no": f"SO{next(self._numbers):06d}", "dealer_id": dealer_id, "status": status,
                "placed_at": placed_at, "total_fen": total,
            }).scalar_one())
            c.execute(insert(SalesOrderLine), [
                {"order_id": order_id, "line_no": i, "product_id": self.products[model], "quantity": quantity,
                 "unit_price_fen": amount // quantity, "amount_fen": amount}
                for i, (model, amount) in enumerate(lines.items(), start=1)
            ])
        return order_id

    def payment(self, dealer_id: int, order_id: int | None, amount_fen: int, received_at: datetime) -> None:
        with self.db.begin() as c:
            c.execute(insert(DealerPayment), {"payment_no": f"PY{next(self._numbers):06d}", "dealer_id": dealer_id,
                                              "order_id": order_id, "amount_fen": amount_fen, "received_at": received_at})

    def violation(self, dealer_id: int, observed_at: datetime) -> None:
        with self.db.begin() as c:
            c.execute(insert(PriceViolation), {"dealer_id": dealer_id, "observed_at": observed_at, "note": "below floor"})

    def target(self, dealer_id: int, kind: str, start: date, amount_fen: int) -> None:
        with self.db.begin() as c:
            c.execute(insert(SalesTarget), {"owner_kind": "dealer", "dealer_id": dealer_id, "period_kind": kind,
                                            "period_start": start, "amount_fen": amount_fen})

    def policies(self, *policies: dict[str, Any], key: str = "rebates", **window: Any) -> int:
        """Publish a REBATE rule set holding these policies; returns its version's id."""

        async def go(s: AsyncSession) -> int:
            rule_set = await rule_sets.create_rule_set(
                s, {"key": key, "kind": RuleSetKind.REBATE.value, "name": key, "document": {"policies": list(policies)},
                    **window}, ACTOR)
            version = await s.scalar(select(RuleSetVersion.id).where(RuleSetVersion.rule_set_id == rule_set.id))
            assert version is not None
            await rule_sets.publish_version(s, version, {}, ACTOR)
            return version

        return run(self.url, go)

    def settle(self, kind: str, start: date, as_of: datetime | None = None, **more: Any) -> SettlementRun:
        data: dict[str, Any] = {"period": {"kind": kind, "start": start.isoformat()}, **more}
        if as_of is not None:
            data["as_of"] = as_of
        return run(self.url, lambda s: run_settlement(s, data, ACTOR))

    def statements(self, **where: Any) -> list[Any]:
        with self.db.connect() as c:
            query = select(SettlementStatement).order_by(SettlementStatement.dealer_id, SettlementStatement.id)
            for name, value in where.items():
                query = query.where(getattr(SettlementStatement, name) == value)
            return list(c.execute(query).all())

    def items(self, statement_id: int) -> list[Any]:
        with self.db.connect() as c:
            return list(c.execute(select(StatementItem).where(StatementItem.statement_id == statement_id)
                                  .order_by(StatementItem.item_no)).all())

    def lines(self, item_id: int) -> list[Any]:
        with self.db.connect() as c:
            return list(c.execute(select(StatementLine).where(StatementLine.item_id == item_id)
                                  .order_by(StatementLine.order_id)).all())

    def amounts(self, **where: Any) -> dict[int, int]:
        return {s.dealer_id: s.amount_fen for s in self.statements(**where)}

    def approve(self, statement_id: int, **data: Any) -> SettlementStatement:
        return run(self.url, lambda s: approve_statement(s, statement_id, data, ACTOR))

    def issue(self, statement_id: int, **data: Any) -> SettlementStatement:
        return run(self.url, lambda s: issue_statement(s, statement_id, data, ACTOR))

    def count(self, model: Any) -> int:
        with self.db.connect() as c:
            return int(c.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.fixture
def books(database_url: str, db: Engine) -> Books:
    return Books(database_url, db)


def monthly(policy_id: str = "monthly", **more: Any) -> dict[str, Any]:
    return {"id": policy_id, "name": policy_id, "period": "month", "tiers": [{"at_least": 0, "percent": 2}], **more}


AFTER_MARCH = local(2026, 4, 2)
AFTER_Q1 = local(2026, 4, 2)


# --- the issue's scenarios, through the use case ---------------------------------------------
@pytest.mark.parametrize(("purchase", "rebate"), [
    (yuan(200), yuan(15)),  # 100 at 5% + 100 at 10%
    (yuan(60), yuan(3)),
    (yuan(350), yuan(30)),  # the last band ends at 350
    (yuan(500), yuan(30)),  # above 350 earns nothing more
])
def test_scenario_1_marginal_bands_five_then_ten_percent(books: Books, purchase: int, rebate: int) -> None:
    dealer = books.dealer("D1")
    books.product("AC-1")
    books.order(dealer, local(2026, 3, 10), {"AC-1": purchase})
    books.policies({"id": "bands", "name": "bands", "period": "month", "mode": "marginal",
                    "tiers": [{"at_least": 0, "percent": 5}, {"at_least": yuan(100), "percent": 10}],
                    "up_to": yuan(350)})
    books.settle("month", date(2026, 3, 1), as_of=AFTER_MARCH)
    assert books.amounts() == {dealer: rebate}


@pytest.mark.parametrize(("purchase", "rebate"), [(yuan(110_000), yuan(1_000)), (yuan(90_000), 0),
                                                  (yuan(100_000), yuan(1_000))])
def test_scenario_2_a_single_target_with_a_fixed_reward(books: Books, purchase: int, rebate: int) -> None:
    dealer = books.dealer("D1")
    books.product("AC-1")
    books.target(dealer, "quarter", date(2026, 1, 1), yuan(100_000))
    books.order(dealer, local(2026, 2, 10), {"AC-1": purchase})
    books.policies({"id": "target", "name": "target", "period": "quarter", "measure": "target_percent",
                    "tiers": [{"at_least": 100, "amount_fen": yuan(1_000)}]})
    books.settle("quarter", date(2026, 1, 1), as_of=AFTER_Q1)
    assert books.amounts() == {dealer: rebate}


def test_scenario_3_january_volume_never_counts_toward_february(books: Books) -> None:
    # given a monthly 1%-from-10,000 policy and 8,000 bought in January and 4,000 in February
    dealer = books.dealer("D1")
    books.product("AC-1")
    books.order(dealer, local(2026, 1, 31, hour=23), {"AC-1": yuan(8_000)})  # 23:00 in Shanghai: still January
    books.order(dealer, local(2026, 2, 1, hour=0), {"AC-1": yuan(4_000)})
    books.policies({"id": "m", "name": "m", "period": "month",
                    "tiers": [{"at_least": 0, "percent": Decimal("0.5")}, {"at_least": yuan(10_000), "percent": 1}]})
    books.settle("month", date(2026, 2, 1), as_of=local(2026, 3, 2))
    [february] = books.statements()
    [item] = books.items(february.id)
    # then February's volume is February's alone (4,000 at the first tier's 0.5%)
    assert (item.volume, item.tier_index, february.amount_fen) == (yuan(4_000), 0, yuan(20))
    assert february.scope_key == "month:2026-02-01"
    books.settle("month", date(2026, 1, 1), as_of=local(2026, 3, 2))
    assert books.amounts(scope_key="month:2026-01-01") == {dealer: yuan(40)}


def test_scenario_5_a_rebate_on_one_category_only(books: Books) -> None:
    dealer = books.dealer("D1")
    books.product("AC-1", "air_conditioner")
    books.product("WM-1", "washer")
    order = books.order(dealer, local(2026, 3, 5), {"AC-1": yuan(600), "WM-1": yuan(400)})
    books.policies(monthly("ac", scope=[{"fact": "category", "op": "eq", "value": "air_conditioner"}]))
    books.settle("month", date(2026, 3, 1), as_of=AFTER_MARCH)
    [statement] = books.statements()
    [item] = books.items(statement.id)
    assert (statement.amount_fen, item.volume) == (yuan(12), yuan(600))
    assert [(line.order_id, line.amount_fen) for line in books.lines(item.id)] == [(order, yuan(600))]


# --- re-runs ---------------------------------------------------------------------------------
def test_a_rerun_replaces_drafts_and_never_duplicates_approved_or_issued(books: Books) -> None:
    a, b, c = books.dealer("A"), books.dealer("B"), books.dealer("C")
    books.product("AC-1")
    for dealer in (a, b, c):
        books.order(dealer, local(2026, 3, 5), {"AC-1": yuan(1_000)})
    books.policies(monthly())
    first = books.settle("month", date(2026, 3, 1), as_of=AFTER_MARCH)
    assert (first.created, first.kept, first.replaced) == (3, 0, 0)
    numbers = {s.dealer_id: s.statement_no for s in books.statements()}
    by_dealer = {s.dealer_id: s.id for s in books.statements()}
    books.approve(by_dealer[a])
    books.issue(books.approve(by_dealer[b]).id)
    books.order(a, local(2026, 3, 20), {"AC-1": yuan(1_000)})  # late data for the approved one
    books.order(c, local(2026, 3, 20), {"AC-1": yuan(1_000)})

    again = books.settle("month", date(2026, 3, 1), as_of=AFTER_MARCH)

    assert (again.created, again.kept, again.replaced) == (1, 2, 1)
    rows = books.statements()
    assert [(s.dealer_id, s.status.value, s.amount_fen) for s in rows] == [
        (a, "approved", yuan(20)), (b, "issued", yuan(20)), (c, "draft", yuan(40))]
    assert {s.dealer_id: s.statement_no for s in rows} == numbers  # a replaced draft keeps its number
    assert books.count(StatementItem) == 3


def test_a_run_for_some_dealers_touches_only_theirs(books: Books) -> None:
    a, b = books.dealer("A"), books.dealer("B")
    books.product("AC-1")
    books.order(a, local(2026, 3, 5), {"AC-1": yuan(1_000)})
    books.order(b, local(2026, 3, 5), {"AC-1": yuan(1_000)})
    books.policies(monthly())
    books.settle("month", date(2026, 3, 1), as_of=AFTER_MARCH)
    before = {s.dealer_id: s.id for s in books.statements()}
    books.order(b, local(2026, 3, 6), {"AC-1": yuan(1_000)})
    some = books.settle("month", date(2026, 3, 1), as_of=AFTER_MARCH, dealer_ids=[b])
    after = {s.dealer_id: (s.id, s.amount_fen) for s in books.statements()}
    assert (some.created, some.replaced) == (1, 1)
    assert after == {a: (before[a], yuan(20)), b: (after[b][0], yuan(40))}


# --- accruals and the true-up ----------------------------------------------------------------
def test_accruals_during_the_period_and_the_final_trues_up_against_the_approved_one(books: Books) -> None:
    dealer = books.dealer("D1")
    books.product("AC-1")
    books.policies({"id": "q", "name": "q", "period": "quarter",
                    "tiers": [{"at_least": 0, "percent": 1}, {"at_least": yuan(50_000), "percent": 3}]})
    books.order(dealer, local(2026, 1, 10), {"AC-1": yuan(30_000)})
    books.order(dealer, local(2026, 3, 10), {"AC-1": yuan(30_000)})
    # in February the volume so far is 30,000: the 1% tier
    accrual = books.settle("quarter", date(2026, 1, 1), as_of=local(2026, 2, 28, hour=20))
    assert accrual.stage.value == "accrual"
    [booked] = books.statements(stage="accrual")
    assert (booked.amount_fen, booked.scope_key) == (yuan(300), "quarter:2026-01-01@2026-02-28")
    books.approve(booked.id)
    with pytest.raises(DomainError) as refused:
        books.issue(booked.id)
    assert refused.value.errors[0].code is ErrorCode.WRONG_STATUS

    books.settle("quarter", date(2026, 1, 1), as_of=AFTER_Q1)

    [final] = books.statements(stage="final")
    # 60,000 reached the 3% tier, retroactively on the whole volume
    assert (final.amount_fen, final.accrued_fen, final.true_up_fen) == (yuan(1_800), yuan(300), yuan(1_500))


# --- basis and standing ----------------------------------------------------------------------
def test_paid_basis_counts_only_payments_received_within_terms(books: Books) -> None:
    dealer = books.dealer("D1", terms_days=30)
    books.product("AC-1")
    on_time = books.order(dealer, local(2026, 3, 1), {"AC-1": yuan(1_000)})
    late = books.order(dealer, local(2026, 3, 2), {"AC-1": yuan(1_000)})
    partly = books.order(dealer, local(2026, 3, 3), {"AC-1": yuan(1_000)})
    books.payment(dealer, on_time, yuan(1_000), local(2026, 3, 25))
    books.payment(dealer, late, yuan(1_000), local(2026, 4, 10))  # due April 1
    books.payment(dealer, partly, yuan(400), local(2026, 3, 30))
    books.policies(monthly(basis="paid_amount", tiers=[{"at_least": 0, "percent": 10}]))
    books.settle("month", date(2026, 3, 1), as_of=local(2026, 4, 20))
    [statement] = books.statements()
    [item] = books.items(statement.id)
    assert (item.volume, statement.amount_fen) == (yuan(1_400), yuan(140))
    assert {line.order_id: line.paid_fen for line in books.lines(item.id)} == {
        on_time: yuan(1_000), late: 0, partly: yuan(400)}


def test_a_dealer_with_overdue_receivables_or_a_price_violation_earns_nothing_and_is_told_why(books: Books) -> None:
    good, owing, cheating = books.dealer("GOOD"), books.dealer("OWING", terms_days=10), books.dealer("CHEAT")
    books.product("AC-1")
    for dealer in (good, owing, cheating):
        books.order(dealer, local(2026, 3, 5), {"AC-1": yuan(1_000)})
    books.order(owing, local(2026, 1, 5), {"AC-1": yuan(500)})  # January's order, never paid
    books.violation(cheating, local(2026, 3, 15))
    books.policies(monthly(eligibility=[{"fact": "overdue_fen", "op": "lte", "value": 0},
                                        {"fact": "price_violations", "op": "eq", "value": 0}]))
    books.settle("month", date(2026, 3, 1), as_of=local(2026, 3, 31, hour=23))
    amounts = books.amounts()
    assert amounts == {good: yuan(20), owing: 0, cheating: 0}
    reasons = {s.dealer_id: books.items(s.id)[0] for s in books.statements()}
    assert not reasons[owing].eligible and "overdue_fen" in reasons[owing].reason
    assert not reasons[cheating].eligible and "price_violations" in reasons[cheating].reason


@pytest.mark.parametrize("some", [False, True])
def test_a_run_for_some_dealers_judges_their_standing_as_a_run_for_all(books: Books, some: bool) -> None:
    """Only the settled dealers' receivables and records are read: the same verdicts either way."""
    owing, settled_up, cheating = books.dealer("OWING", terms_days=10), books.dealer("PAID"), books.dealer("CHEAT")
    books.product("AC-1")
    for dealer in (owing, settled_up, cheating):
        books.order(dealer, local(2026, 3, 5), {"AC-1": yuan(1_000)})
    books.order(owing, local(2026, 1, 5), {"AC-1": yuan(500)})  # never paid: overdue
    january = books.order(settled_up, local(2026, 1, 5), {"AC-1": yuan(500)})
    books.payment(settled_up, january, yuan(300), local(2026, 1, 20))
    books.payment(settled_up, None, yuan(200), local(2026, 2, 1))  # on account: covers the rest
    books.violation(cheating, local(2026, 3, 15))
    others = [books.dealer(f"O{i}", terms_days=5) for i in range(3)]  # overdue, never settled here
    for other in others:
        books.order(other, local(2026, 1, 5), {"AC-1": yuan(900)})
        books.order(other, local(2026, 3, 6), {"AC-1": yuan(900)})
    books.policies(monthly(eligibility=[{"fact": "overdue_fen", "op": "lte", "value": 0},
                                        {"fact": "price_violations", "op": "eq", "value": 0}]))
    wanted = [owing, settled_up, cheating]
    books.settle("month", date(2026, 3, 1), as_of=local(2026, 3, 31, hour=23),
                 **({"dealer_ids": wanted} if some else {}))
    amounts = books.amounts()
    assert {d: amounts[d] for d in wanted} == {owing: 0, settled_up: yuan(20), cheating: 0}
    assert set(amounts) == (set(wanted) if some else {*wanted, *others})
    reasons = {s.dealer_id: books.items(s.id)[0].reason for s in books.statements() if s.dealer_id in wanted}
    assert "overdue_fen" in reasons[owing] and "price_violations" in reasons[cheating] and not reasons[settled_up]


def test_rejected_cancelled_and_placed_orders_never_count(books: Books) -> None:
    dealer = books.dealer("D1")
    books.product("AC-1")
    books.order(dealer, local(2026, 3, 5), {"AC-1": yuan(1_000)}, status="signed")
    for status in ("placed", "rejected", "cancelled"):
        books.order(dealer, local(2026, 3, 5), {"AC-1": yuan(1_000)}, status=status)
    books.policies(monthly())
    books.settle("month", date(2026, 3, 1), as_of=AFTER_MARCH)
    assert books.amounts() == {dealer: yuan(20)}


# --- promotion rebates -----------------------------------------------------------------------
def test_a_campaign_rebate_settles_once_it_has_ended_on_its_own_sell_in(books: Books) -> None:
    dealer = books.dealer("D1")
    books.product("AC-1")
    books.order(dealer, local(2026, 3, 9), {"AC-1": yuan(1_000)})  # before the campaign
    books.order(dealer, local(2026, 3, 12), {"AC-1": yuan(2_000)}, quantity=4)
    campaign = {"key": "spring", "starts_at": local(2026, 3, 10, 0).isoformat(),
                "ends_at": local(2026, 3, 20, 0).isoformat()}
    books.policies({"id": "spring", "name": "spring", "campaign": campaign, "basis": "quantity",
                    "tiers": [{"at_least": 1, "per_unit_fen": yuan(25)}]})
    books.settle("month", date(2026, 3, 1), as_of=local(2026, 3, 15))  # not ended yet
    assert books.statements() == []
    books.settle("month", date(2026, 3, 1), as_of=AFTER_MARCH)
    [statement] = books.statements()
    assert (statement.kind.value, statement.scope_key, statement.amount_fen) == (
        "promotion_rebate", "campaign:spring", yuan(100))


# --- the statement flow and bad input --------------------------------------------------------
def test_statement_transitions_are_checked(books: Books) -> None:
    dealer = books.dealer("D1")
    books.product("AC-1")
    books.order(dealer, local(2026, 3, 5), {"AC-1": yuan(1_000)})
    books.policies(monthly())
    books.settle("month", date(2026, 3, 1), as_of=AFTER_MARCH)
    [statement] = books.statements()
    with pytest.raises(DomainError) as early:
        books.issue(statement.id)
    assert early.value.errors[0].code is ErrorCode.INVALID_TRANSITION
    with pytest.raises(DomainError) as stale:
        books.approve(statement.id, expected_version=7)
    assert stale.value.errors[0].code is ErrorCode.CONFLICT
    approved = books.approve(statement.id, note="checked against the ledger")
    assert (approved.status.value, approved.approved_by, approved.note) == ("approved", ACTOR, "checked against the ledger")
    with pytest.raises(DomainError) as twice:
        books.approve(statement.id)
    assert twice.value.errors[0].code is ErrorCode.INVALID_TRANSITION
    assert books.issue(statement.id).status.value == "issued"


@pytest.mark.parametrize(("data", "path", "code"), [
    ({"period": {"kind": "quarter", "start": "2026-02-01"}}, ("period",), ErrorCode.INVALID),
    ({"period": {"kind": "month", "start": "2026-03-02"}}, ("period",), ErrorCode.INVALID),
    ({"period": {"kind": "week", "start": "2026-03-01"}}, ("period", "kind"), ErrorCode.INVALID),
    ({"period": {"kind": "month", "start": "9999-12-01"}}, ("period",), ErrorCode.INVALID),
    ({"period": {"kind": "month", "start": "2026-03-01"}, "dealer_ids": [999]}, ("dealer_ids", 0), ErrorCode.NOT_FOUND),
    ({"period": {"kind": "month", "start": "2026-03-01"}, "as_of": "2026-02-01T00:00:00+08:00"}, ("as_of",),
     ErrorCode.OUT_OF_RANGE),
    ({"period": {"kind": "month", "start": "2026-03-01"}, "as_of": "2026-04-01T00:00:00"}, ("as_of",), ErrorCode.INVALID),
])
def test_bad_runs_are_refused_with_a_path_and_change_nothing(books: Books, data: dict[str, Any], path: tuple[Any, ...],
                                                             code: ErrorCode) -> None:
    books.dealer("D1")
    books.product("AC-1")
    books.policies(monthly())
    with pytest.raises(DomainError) as refused:
        run(books.url, lambda s: run_settlement(s, data, ACTOR))
    assert [(e.path, e.code) for e in refused.value.errors] == [(path, code)]
    assert books.count(SettlementStatement) == 0


def test_policies_of_two_sets_may_share_an_id_and_both_apply(books: Books) -> None:
    dealer = books.dealer("D1")
    books.product("AC-1")
    books.order(dealer, local(2026, 3, 5), {"AC-1": yuan(1_000)})
    books.policies(monthly(), key="national")
    books.policies(monthly(tiers=[{"at_least": 0, "percent": 1}], settlement="credit"), key="regional")
    books.policies(monthly(tiers=[{"at_least": 0, "percent": 3}]), key="retired-later",
                   valid_to=local(2026, 3, 15).isoformat())  # not live at the period's close
    books.settle("month", date(2026, 3, 1), as_of=AFTER_MARCH)
    rows = books.statements()
    assert sorted((s.settlement_form.value, s.amount_fen) for s in rows) == [("cash", yuan(20)), ("credit", yuan(10))]
    assert sorted(item.rule_set for s in rows for item in books.items(s.id)) == ["national", "regional"]
