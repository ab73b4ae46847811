"""Row scope: for a principal, the condition each model's rows must meet to be seen or changed.

Applied to every ORM statement of the principal's sessions (engine.store.scoping), so node
lookups, connections, nested fields and the use cases' own loads all obey it. A model the
role may not read at all gets `false`: nested paths cannot leak it either."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select

from engine.access.permissions import Permission, Role
from engine.access.principal import Principal
from engine.store.access import ApiKey, AuditEvent, User
from engine.store.base import Base
from engine.store.catalogue import Product
from engine.store.channel import Dealer, DealerRegion, Store
from engine.store.consumer import ConsentEvent, Member, ProductRegistration
from engine.store.dealer_reports import DealerPayment, PriceViolation, SellOutReport, StockReport
from engine.store.dispatch import DispatchPlan
from engine.store.loyalty import PointsAllocation, PointsEntry
from engine.store.pricing import CouponCode, CouponRedemption, PricedOrder, PricedOrderLine, RuleBudgetUse
from engine.store.rules import RuleSet, RuleSetVersion
from engine.store.sales import SalesOrder, SalesOrderEvent, SalesOrderLine, SalesTarget
from engine.store.settlements import (
    PriceChange,
    PriceProtectionClaim,
    SettlementStatement,
    StatementItem,
    StatementLine,
)
from engine.store.service import (
    ServiceNetwork,
    Technician,
    TechnicianSkill,
    WorkOrder,
    WorkOrderEvent,
)

Criteria = list[tuple[type[Base], ColumnElement[bool]]]
P = Permission

# The permission that lets a role see a model's rows at all.
READ_PERMISSION: dict[type[Base], Permission] = {
    Dealer: P.CHANNEL_READ, DealerRegion: P.CHANNEL_READ, Store: P.CHANNEL_READ,
    Product: P.CATALOGUE_READ,
    Member: P.MEMBER_READ, ProductRegistration: P.MEMBER_READ, ConsentEvent: P.MEMBER_READ,
    SalesOrder: P.SALES_READ, SalesOrderLine: P.SALES_READ, SalesOrderEvent: P.SALES_READ, SalesTarget: P.SALES_READ,
    ServiceNetwork: P.SERVICE_READ, Technician: P.SERVICE_READ, TechnicianSkill: P.SERVICE_READ,
    WorkOrder: P.WORK_ORDER_READ, WorkOrderEvent: P.WORK_ORDER_READ,
    User: P.ACCESS_ADMIN, ApiKey: P.ACCESS_ADMIN, AuditEvent: P.AUDIT_READ,
    RuleSet: P.RULES_READ, RuleSetVersion: P.RULES_READ,
    PointsEntry: P.LOYALTY_READ, PointsAllocation: P.LOYALTY_READ,
    CouponCode: P.RULES_READ, CouponRedemption: P.RULES_READ, RuleBudgetUse: P.RULES_READ,
    PricedOrder: P.ORDER_PLACE, PricedOrderLine: P.ORDER_PLACE,
    DispatchPlan: P.DISPATCH_READ,
    SettlementStatement: P.SETTLEMENTS_READ, StatementItem: P.SETTLEMENTS_READ, StatementLine: P.SETTLEMENTS_READ,
    PriceChange: P.SETTLEMENTS_READ, PriceProtectionClaim: P.SETTLEMENTS_READ,
    DealerPayment: P.SETTLEMENTS_READ, StockReport: P.SETTLEMENTS_READ, SellOutReport: P.SETTLEMENTS_READ,
    PriceViolation: P.SETTLEMENTS_READ,
}


def row_criteria(principal: Principal) -> Criteria:
    """(model, condition) pairs; a model not listed is seen whole."""
    found: dict[type[Base], ColumnElement[bool]] = {}
    # Driven by the roles, not by which scope fields happen to be set: a scoped role whose
    # scope is missing sees nothing rather than everything.
    if Role.DEALER in principal.roles:
        found.update(_dealer(principal.dealer_ids or frozenset()))
    if Role.SERVICE_AGENT in principal.roles:
        found.update(_service_agent(principal.network_ids or frozenset(), principal.region_codes))
    if Role.TECHNICIAN in principal.roles:
        found.update(_technician(principal.technician_id or 0, principal.technician_network_id or 0))
    for model, permission in READ_PERMISSION.items():
        if not principal.can(permission):
            found[model] = false()
    return list(found.items())


def _dealer(dealers: frozenset[int]) -> dict[type[Base], Any]:
    ids = sorted(dealers)
    orders = select(SalesOrder.id).where(SalesOrder.dealer_id.in_(ids))
    priced = select(PricedOrder.id).where(PricedOrder.dealer_id.in_(ids))
    statements = select(SettlementStatement.id).where(SettlementStatement.dealer_id.in_(ids))
    items = select(StatementItem.id).where(StatementItem.statement_id.in_(statements))
    return {
        PricedOrder: PricedOrder.dealer_id.in_(ids),
        PricedOrderLine: PricedOrderLine.order_id.in_(priced),
        Dealer: Dealer.id.in_(ids),
        DealerRegion: DealerRegion.dealer_id.in_(ids),
        Store: Store.dealer_id.in_(ids),
        SalesOrder: SalesOrder.dealer_id.in_(ids),
        SalesOrderLine: SalesOrderLine.order_id.in_(orders),
        SalesOrderEvent: SalesOrderEvent.order_id.in_(orders),
        SalesTarget: or_(
            SalesTarget.dealer_id.in_(ids),
            SalesTarget.store_id.in_(select(Store.id).where(Store.dealer_id.in_(ids))),
        ),
        SettlementStatement: SettlementStatement.dealer_id.in_(ids),
        StatementItem: StatementItem.statement_id.in_(statements),
        StatementLine: StatementLine.item_id.in_(items),
        PriceProtectionClaim: PriceProtectionClaim.dealer_id.in_(ids),
        # A price change is seen by the dealers it raised claims for (its totals span all dealers).
        PriceChange: PriceChange.id.in_(
            select(PriceProtectionClaim.price_change_id).where(PriceProtectionClaim.dealer_id.in_(ids))
        ),
        DealerPayment: DealerPayment.dealer_id.in_(ids),
        StockReport: StockReport.dealer_id.in_(ids),
        SellOutReport: SellOutReport.dealer_id.in_(ids),
        PriceViolation: PriceViolation.dealer_id.in_(ids),
    }


def _service_agent(networks: frozenset[int], regions: frozenset[str]) -> dict[type[Base], Any]:
    ids = sorted(networks)
    orders = select(WorkOrder.id).where(WorkOrder.network_id.in_(ids))
    technicians = select(Technician.id).where(Technician.network_id.in_(ids))
    # Members living in the networks' territory, or served by them.
    member = or_(
        Member.region_code.in_(sorted(regions)),
        Member.id.in_(select(WorkOrder.member_id).where(WorkOrder.network_id.in_(ids))),
    )
    members = select(Member.id).where(member)
    return {
        ServiceNetwork: ServiceNetwork.id.in_(ids),
        Technician: Technician.network_id.in_(ids),
        TechnicianSkill: TechnicianSkill.technician_id.in_(technicians),
        WorkOrder: WorkOrder.network_id.in_(ids),
        WorkOrderEvent: WorkOrderEvent.work_order_id.in_(orders),
        DispatchPlan: DispatchPlan.network_id.in_(ids),
        Member: member,
        ProductRegistration: ProductRegistration.member_id.in_(members),
        ConsentEvent: ConsentEvent.member_id.in_(members),
        # A member's points follow the member; an allocation, the entry it belongs to.
        PointsEntry: PointsEntry.member_id.in_(members),
        PointsAllocation: PointsAllocation.entry_id.in_(select(PointsEntry.id).where(PointsEntry.member_id.in_(members))),
    }


def _technician(technician: int, network: int) -> dict[type[Base], Any]:
    orders = select(WorkOrder.id).where(WorkOrder.technician_id == technician)
    members = select(WorkOrder.member_id).where(WorkOrder.technician_id == technician)
    return {
        ServiceNetwork: ServiceNetwork.id == network,
        Technician: Technician.id == technician,
        TechnicianSkill: TechnicianSkill.technician_id == technician,
        WorkOrder: WorkOrder.technician_id == technician,
        WorkOrderEvent: WorkOrderEvent.work_order_id.in_(orders),
        Member: Member.id.in_(members),
        ProductRegistration: ProductRegistration.member_id.in_(members),
        ConsentEvent: ConsentEvent.member_id.in_(members),
    }
