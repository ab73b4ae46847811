"""GraphQL types of settlements and dealers' reports, read straight from ORM rows."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

import api.enums  # noqa: F401  (registers the enums)
import api.settlements.enums  # noqa: F401  (registers the enums)
from api.catalogue.types import Product
from api.channel.types import Dealer, Store
from api.permissions import requires
from api.relay import node_type
from api.rules.types import RuleSetVersion
from api.sales.types import SalesOrder
from api.scalars import Fen
from engine.access.permissions import Permission as P
from engine.store import catalogue, channel, rules, sales
from engine.store import dealer_reports as r
from engine.store import settlements as m
from schemas.dealer_reports import SellOutBuyer
from schemas.enums import PeriodKind
from schemas.rebates import (
    Basis,
    ClaimStatus,
    MeasureKind,
    SettlementForm,
    StatementKind,
    StatementStage,
    StatementStatus,
)

_CHANNEL = requires(P.CHANNEL_READ)
_CATALOGUE = requires(P.CATALOGUE_READ)
_SALES = requires(P.SALES_READ)
_RULES = requires(P.RULES_READ)
_VERSION = "Bumped by every change; pass it back as expectedVersion to refuse stale writes."


def _decimal(value: Decimal) -> str:
    """A stored Numeric as plain decimal text, without trailing zeros or an exponent."""
    return format(Decimal(value).normalize(), "f")


async def _dealer(info: Info, row: Any) -> Any:
    return await info.context.loaders.load_required(channel.Dealer, row.dealer_id)


async def _product(info: Info, product_id: int | None) -> Any:
    return None if product_id is None else await info.context.loaders.by_id(catalogue.Product).load(product_id)


async def _required_product(info: Info, row: Any) -> Any:
    return await info.context.loaders.load_required(catalogue.Product, row.product_id)


@strawberry.type(description="What a statement item was computed from: one order, or one price-protection claim.")
class StatementLine:
    amount_fen: Fen = strawberry.field(description="The order's in-scope amount.")
    paid_fen: Fen = strawberry.field(description="Of it, what was paid by the order's due date.")
    quantity: int = strawberry.field(description="The order's in-scope units.")

    @strawberry.field(permission_classes=_SALES, description="The order, for a rebate line. Requires `sales:read`.")
    async def order(self, info: Info) -> SalesOrder | None:
        order_id = self.order_id  # type: ignore[attr-defined]
        return None if order_id is None else await info.context.loaders.by_id(sales.SalesOrder).load(order_id)

    @strawberry.field(description="The claim, for a price-protection line.")
    async def claim(self, info: Info) -> PriceProtectionClaim | None:
        claim_id = self.claim_id  # type: ignore[attr-defined]
        return None if claim_id is None else await info.context.loaders.by_id(m.PriceProtectionClaim).load(claim_id)


@strawberry.type(description="One policy's part of a statement: its volume, the tier reached and the amount, or why "
                 "nothing was earned.")
class StatementItem:
    item_no: int = strawberry.field(description="Position in the statement, from 1.")
    rule_set: str = strawberry.field(description="The key of the rule set holding the policy.")
    rule_set_version: int
    digest: str = strawberry.field(description="The policy document's content address (SHA-256).")
    rule_id: str = strawberry.field(description="The policy's id within its document.")
    policy_name: str
    basis: Basis | None
    measure_kind: MeasureKind | None
    tier_index: int | None = strawberry.field(description="The tier reached, from 0; null when none was.")
    amount_fen: Fen
    capped: bool = strawberry.field(description="The policy's cap cut the amount.")
    eligible: bool = strawberry.field(description="The dealer met the policy's eligibility.")
    reason: str = strawberry.field(description="Why nothing or less was earned; empty when the full amount was.")
    detail: str = strawberry.field(description="How the amount was worked out, e.g. `100.00 × 5% + 100.00 × 10%`.")

    @strawberry.field(description="The volume the policy counted: fen or units, as decimal text.")
    def volume(self) -> str:
        return _decimal(self.volume)  # type: ignore[arg-type]

    @strawberry.field(description="What the tiers compared: the volume, or a percentage, as decimal text.")
    def measure(self) -> str:
        return _decimal(self.measure)  # type: ignore[arg-type]

    @strawberry.field(description="The orders or claims the item was computed from.")
    async def lines(self, info: Info) -> list[StatementLine]:
        lines = info.context.loaders.children(m.StatementLine, "item_id")
        return await lines.load(self.id)  # type: ignore[attr-defined,no-any-return]


@node_type(m.SettlementStatement)
@strawberry.type(description="What the brand owes one dealer for one period, campaign or price change, in one form: "
                 "DRAFT until approved, then ISSUED.")
class SettlementStatement(relay.Node):
    id: relay.NodeID[int]
    statement_no: str
    kind: StatementKind
    stage: StatementStage
    status: StatementStatus
    scope_key: str = strawberry.field(
        description="What it settles: `month:2026-01-01` (a period), `campaign:<key>` or `price_change:<no>`.")
    period_kind: PeriodKind | None
    period_start: date | None = strawberry.field(description="First day of the period (brand time zone).")
    period_end: date | None = strawberry.field(description="The day after the period's last (exclusive).")
    settlement_form: SettlementForm
    amount_fen: Fen = strawberry.field(description="What this statement settles.")
    accrued_fen: Fen = strawberry.field(description="FINAL: the approved accrual it trues up.")
    true_up_fen: Fen = strawberry.field(description="FINAL: amountFen − accruedFen (may be negative).")
    as_of: datetime = strawberry.field(description="The moment whose data it was computed on.")
    computed_by: str
    approved_at: datetime | None
    approved_by: str | None
    issued_at: datetime | None
    issued_by: str | None
    note: str | None
    row_version: int = strawberry.field(description=_VERSION)
    created_at: datetime
    updated_at: datetime

    @strawberry.field(permission_classes=_CHANNEL, description="Requires `channel:read`.")
    async def dealer(self, info: Info) -> Dealer:
        return await _dealer(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="One item per policy, by item number.")
    async def items(self, info: Info) -> list[StatementItem]:
        return await info.context.loaders.children(m.StatementItem, "statement_id", "item_no").load(self.id)


@node_type(m.PriceChange)
@strawberry.type(description="A published pricing version that cut dealer prices, and the price protection it raised.")
class PriceChange(relay.Node):
    id: relay.NodeID[int]
    change_no: str
    effective_at: datetime = strawberry.field(description="When the new prices took effect.")
    published_by: str
    cuts: int = strawberry.field(name="cutCount", description="(dealer, model) pairs whose price went down.")
    claims: int = strawberry.field(name="claimCount", description="Claims raised.")
    credit_fen: Fen = strawberry.field(description="The claims' credit in total.")
    created_at: datetime
    updated_at: datetime

    @strawberry.field(permission_classes=_RULES, description="The pricing version published. Requires `rules:read`.")
    async def rule_set_version(self, info: Info) -> RuleSetVersion:
        version_id = self.rule_set_version_id  # type: ignore[attr-defined]
        return await info.context.loaders.load_required(rules.RuleSetVersion, version_id)  # type: ignore[no-any-return]


@node_type(m.PriceProtectionClaim)
@strawberry.type(description="A dealer's credit for one model's eligible stock at a price cut: SUBMITTED, then "
                 "APPROVED or REJECTED, and CREDITED on a price-protection statement.")
class PriceProtectionClaim(relay.Node):
    id: relay.NodeID[int]
    claim_no: str
    status: ClaimStatus
    rule_set: str = strawberry.field(description="The key of the price-protection rule set.")
    rule_set_version: int
    rule_id: str = strawberry.field(description="The policy's id within its document.")
    old_price_fen: Fen = strawberry.field(description="The dealer price before the cut.")
    new_price_fen: Fen
    received_units: int = strawberry.field(description="Units received within the window before the cut.")
    on_hand_units: int = strawberry.field(description="Units held at the cut, from the stock and sell-out reports.")
    eligible_units: int
    credit_fen: Fen = strawberry.field(description="(oldPriceFen − newPriceFen) × eligibleUnits, capped.")
    capped: bool
    settlement_form: SettlementForm
    deadline: datetime = strawberry.field(description="It must be decided by then.")
    detail: str
    decided_at: datetime | None
    decided_by: str | None
    note: str | None
    row_version: int = strawberry.field(description=_VERSION)
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="The price change that raised it.")
    async def price_change(self, info: Info) -> PriceChange:
        change_id = self.price_change_id  # type: ignore[attr-defined]
        return await info.context.loaders.load_required(m.PriceChange, change_id)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=_CHANNEL, description="Requires `channel:read`.")
    async def dealer(self, info: Info) -> Dealer:
        return await _dealer(info, self)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=_CATALOGUE, description="Requires `catalogue:read`.")
    async def product(self, info: Info) -> Product:
        return await _required_product(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="The credit statement it is on, once CREDITED.")
    async def statement(self, info: Info) -> SettlementStatement | None:
        statement_id = self.statement_id  # type: ignore[attr-defined]
        if statement_id is None:
            return None
        return await info.context.loaders.by_id(m.SettlementStatement).load(statement_id)  # type: ignore[no-any-return]


@node_type(r.DealerPayment)
@strawberry.type(description="Money a dealer paid the brand, against one of its orders or on account.")
class DealerPayment(relay.Node):
    id: relay.NodeID[int]
    payment_no: str
    amount_fen: Fen
    received_at: datetime
    note: str | None
    created_at: datetime

    @strawberry.field(permission_classes=_CHANNEL, description="Requires `channel:read`.")
    async def dealer(self, info: Info) -> Dealer:
        return await _dealer(info, self)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=_SALES,
                      description="The order paid for; null on account. Requires `sales:read`.")
    async def order(self, info: Info) -> SalesOrder | None:
        order_id = self.order_id  # type: ignore[attr-defined]
        return None if order_id is None else await info.context.loaders.by_id(sales.SalesOrder).load(order_id)


@node_type(r.StockReport)
@strawberry.type(description="Units of one model a dealer held at the end of a day (brand time zone), as it reported.")
class StockReport(relay.Node):
    id: relay.NodeID[int]
    as_of: date
    on_hand: int
    created_at: datetime
    updated_at: datetime = strawberry.field(description="When it was last reported (a re-report replaces it).")

    @strawberry.field(permission_classes=_CHANNEL, description="Requires `channel:read`.")
    async def dealer(self, info: Info) -> Dealer:
        return await _dealer(info, self)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=_CATALOGUE, description="Requires `catalogue:read`.")
    async def product(self, info: Info) -> Product:
        return await _required_product(info, self)  # type: ignore[no-any-return]


@node_type(r.SellOutReport)
@strawberry.type(description="Units of one model a dealer sold on a day to a store or to consumers, as it reported.")
class SellOutReport(relay.Node):
    id: relay.NodeID[int]
    sold_on: date
    quantity: int
    buyer: SellOutBuyer
    created_at: datetime

    @strawberry.field(permission_classes=_CHANNEL, description="Requires `channel:read`.")
    async def dealer(self, info: Info) -> Dealer:
        return await _dealer(info, self)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=_CATALOGUE, description="Requires `catalogue:read`.")
    async def product(self, info: Info) -> Product:
        return await _required_product(info, self)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=_CHANNEL, description="The dealer's store named in the report, if any. "
                      "Requires `channel:read`.")
    async def store(self, info: Info) -> Store | None:
        store_id = self.store_id  # type: ignore[attr-defined]
        return None if store_id is None else await info.context.loaders.by_id(channel.Store).load(store_id)


@node_type(r.PriceViolation)
@strawberry.type(description="A recorded breach of the brand's price policy by a dealer (selling below the floor…).")
class PriceViolation(relay.Node):
    id: relay.NodeID[int]
    observed_at: datetime
    note: str
    created_at: datetime

    @strawberry.field(permission_classes=_CHANNEL, description="Requires `channel:read`.")
    async def dealer(self, info: Info) -> Dealer:
        return await _dealer(info, self)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=_CATALOGUE, description="The model, if the breach was about one. "
                      "Requires `catalogue:read`.")
    async def product(self, info: Info) -> Product | None:
        return await _product(info, self.product_id)  # type: ignore[attr-defined]
