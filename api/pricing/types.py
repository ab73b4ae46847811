"""GraphQL types of pricing: the quote (from the engine's pydantic result) and the stored rows."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from api.errors import MutationError
from api.relay import node_type
from api.scalars import Fen
from engine.store import pricing as m
from schemas import pricing as p
from schemas import pricing_orders as po
from schemas import rules as r

strawberry.enum(p.PricingStage, description="Where a rule acts: tier → member → promotion → order → coupon.")
strawberry.enum(r.TraceOutcome, description="Whether a rule applied.")
strawberry.enum(r.TraceReason, description="Why a rule that concerned the quote did not apply, or applied in part.")
strawberry.enum(po.PricedOrderStatus, description="A priced order's status.")
strawberry.enum(po.SampleSource, description="Which recent orders a simulation reprices.")


@strawberry.type(description="A condition as a rule document writes it.")
class RuleCondition:
    fact: str
    op: str
    value: JSON  # type: ignore[valid-type]


@strawberry.type(description="One rule's part in a quote: applied with its amount, or not with the reason.")
class TraceEntry:
    rule_set: str
    version: int
    rule_id: str
    rule_name: str
    stage: str
    outcome: r.TraceOutcome
    reason: r.TraceReason | None
    line_no: int | None = strawberry.field(description="Null for order-level rules.")
    amount_fen: Fen = strawberry.field(description="Discount (or points) the rule contributed.")
    detail: str
    failed_conditions: list[RuleCondition]
    hint: str | None = strawberry.field(description='What would make it apply, e.g. "buy 2 more".')

    @classmethod
    def of(cls, e: r.TraceEntry) -> TraceEntry:
        return cls(rule_set=e.rule_set, version=e.version, rule_id=e.rule_id, rule_name=e.rule_name, stage=e.stage,
                   outcome=r.TraceOutcome(e.outcome), reason=e.reason, line_no=e.line_no, amount_fen=Fen(e.amount_fen),
                   detail=e.detail, hint=e.hint,
                   failed_conditions=[RuleCondition(fact=c.fact, op=c.op.value, value=c.value) for c in e.failed_conditions])


@strawberry.type(description="A discount on a line: a promotion's, or the line's share of an order discount or coupon.")
class LineDiscount:
    rule_set: str
    rule_id: str
    stage: p.PricingStage
    amount_fen: Fen


@strawberry.type(description="A priced line: sale lines as asked, free and gift lines added by rules.")
class QuoteLine:
    line_no: int
    model: str
    quantity: int
    kind: str = strawberry.field(description="sale, free or gift.")
    source_rule: str | None = strawberry.field(description="For free and gift lines: rule_set/rule_id.")
    list_price_fen: Fen
    tier_price_fen: Fen = strawberry.field(description="Unit price after the channel tier.")
    member_price_fen: Fen = strawberry.field(description="Unit price after the member price.")
    list_amount_fen: Fen
    discounts: list[LineDiscount]
    final_amount_fen: Fen = strawberry.field(description="What the buyer pays for the line.")
    final_unit_price: str = strawberry.field(description="Final amount per unit in fen, two decimals (informative).")
    points_multiplier: str

    @classmethod
    def of(cls, line: p.QuoteLine) -> QuoteLine:
        return cls(line_no=line.line_no, model=line.model, quantity=line.quantity, kind=line.kind, source_rule=line.source_rule,
                   list_price_fen=Fen(line.list_price_fen), tier_price_fen=Fen(line.tier_price_fen),
                   member_price_fen=Fen(line.member_price_fen), list_amount_fen=Fen(line.list_amount_fen),
                   discounts=[LineDiscount(rule_set=d.rule_set, rule_id=d.rule_id, stage=d.stage, amount_fen=Fen(d.amount_fen))
                              for d in line.discounts],
                   final_amount_fen=Fen(line.final_amount_fen), final_unit_price=str(line.final_unit_price_fen),
                   points_multiplier=str(Decimal(line.points_multiplier).normalize()))


@strawberry.type
class QuoteTotals:
    list_amount_fen: Fen
    tier_amount_fen: Fen
    line_discount_fen: Fen = strawberry.field(description="Member prices and line promotions, from the tier amount.")
    order_discount_fen: Fen
    coupon_discount_fen: Fen
    gift_amount_fen: Fen = strawberry.field(description="What the buyer pays for gift lines.")
    final_amount_fen: Fen
    points_award: int = strawberry.field(description="Extra points promotions award (the points programme adds its own).")


@strawberry.type(description="A rule-set version a result was computed with.")
class RuleVersionUsed:
    rule_set: str
    version: int
    digest: str


@strawberry.type(description="A price quote under the rules live at its moment, with the trace of every rule that concerned it.")
class Quote:
    at: datetime
    lines: list[QuoteLine]
    totals: QuoteTotals
    coupons_applied: list[str]
    trace: list[TraceEntry]
    versions: list[RuleVersionUsed]

    @classmethod
    def of(cls, q: p.Quote) -> Quote:
        t = q.totals
        return cls(
            at=q.at, lines=[QuoteLine.of(line) for line in q.lines], coupons_applied=list(q.coupons_applied),
            totals=QuoteTotals(
                list_amount_fen=Fen(t.list_amount_fen), tier_amount_fen=Fen(t.tier_amount_fen),
                line_discount_fen=Fen(t.line_discount_fen), order_discount_fen=Fen(t.order_discount_fen),
                coupon_discount_fen=Fen(t.coupon_discount_fen), gift_amount_fen=Fen(t.gift_amount_fen),
                final_amount_fen=Fen(t.final_amount_fen), points_award=t.points_award),
            trace=[TraceEntry.of(e) for e in q.trace],
            versions=[RuleVersionUsed(rule_set=v.rule_set, version=v.version, digest=v.digest) for v in q.versions],
        )


@strawberry.type
class PriceQuotePayload:
    quote: Quote | None
    errors: list[MutationError]


@node_type(m.PricedOrderLine)
@strawberry.type(description="A line of a priced order.")
class PricedOrderLine(relay.Node):
    id: relay.NodeID[int]
    line_no: int
    kind: str
    model: str
    quantity: int
    returned_quantity: int
    list_amount_fen: Fen
    final_amount_fen: Fen


@node_type(m.PricedOrder)
@strawberry.type(description="An order placed at the engine's quote; the quote (trace and versions) is kept with it.")
class PricedOrder(relay.Node):
    id: relay.NodeID[int]
    order_ref: str
    status: po.PricedOrderStatus
    placed_at: datetime
    list_amount_fen: Fen
    discount_fen: Fen
    final_amount_fen: Fen
    placed_by: str
    row_version: int
    quote_json: JSON = strawberry.field(  # type: ignore[valid-type]
        description="The quote as computed when the order was placed (lines, totals, trace, versions).",
        resolver=lambda root: root.quote,
    )

    @strawberry.field
    async def lines(self, info: strawberry.Info) -> list[PricedOrderLine]:
        return await info.context.loaders.children(m.PricedOrderLine, "order_id", "line_no").load(self.id)  # type: ignore[no-any-return]


@node_type(m.CouponCode)
@strawberry.type(description="A code of a coupon campaign.")
class CouponCode(relay.Node):
    id: relay.NodeID[int]
    code: str
    campaign: str
    usage_limit: int
    per_member_limit: int | None
    used_count: int
    valid_from: datetime | None
    valid_to: datetime | None
    created_by: str
    created_at: datetime


@strawberry.type(description="One order repriced by a simulation.")
class OrderDifference:
    reference: str
    at: datetime
    live_final_fen: Fen
    draft_final_fen: Fen
    live_discount_fen: Fen
    draft_discount_fen: Fen
    live_points_award: int
    draft_points_award: int
    error: str | None


@strawberry.type(description="A draft's effect on recent orders against the live rules (draft − live).")
class Simulation:
    orders: list[OrderDifference]
    priced: int
    live_final_fen: Fen
    draft_final_fen: Fen
    discount_cost_difference_fen: Fen
    points_award_difference: int

    @classmethod
    def of(cls, s: po.Simulation) -> Simulation:
        return cls(orders=[OrderDifference(**o.model_dump()) for o in s.orders], priced=s.priced,
                   live_final_fen=Fen(s.live_final_fen), draft_final_fen=Fen(s.draft_final_fen),
                   discount_cost_difference_fen=Fen(s.discount_cost_difference_fen),
                   points_award_difference=s.points_award_difference)


@strawberry.type
class SimulationPayload:
    simulation: Simulation | None
    errors: list[MutationError]
