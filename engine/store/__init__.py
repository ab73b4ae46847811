"""Persistence: SQLAlchemy 2 models per domain, sessions and repositories."""

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

__all__ = [
    "DealerPayment",
    "PriceChange",
    "PriceProtectionClaim",
    "PriceViolation",
    "SellOutReport",
    "SettlementStatement",
    "StatementItem",
    "StatementLine",
    "StockReport",
    "ApiKey",
    "AuditEvent",
    "Base",
    "ConsentEvent",
    "CouponCode",
    "CouponRedemption",
    "Dealer",
    "DealerRegion",
    "DispatchPlan",
    "Member",
    "PointsAllocation",
    "PointsEntry",
    "PricedOrder",
    "PricedOrderLine",
    "Product",
    "ProductRegistration",
    "RuleBudgetUse",
    "RuleSet",
    "RuleSetVersion",
    "SalesOrder",
    "SalesOrderEvent",
    "SalesOrderLine",
    "SalesTarget",
    "ServiceNetwork",
    "Store",
    "Technician",
    "TechnicianSkill",
    "User",
    "WorkOrder",
    "WorkOrderEvent",
]
