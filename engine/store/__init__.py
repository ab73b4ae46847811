"""Persistence: SQLAlchemy 2 models per domain, sessions and repositories."""

from engine.store.base import Base
from engine.store.catalogue import Product
from engine.store.channel import Dealer, DealerRegion, Store
from engine.store.consumer import Member, ProductRegistration
from engine.store.sales import SalesOrder, SalesOrderEvent, SalesOrderLine, SalesTarget
from engine.store.service import (
    ServiceNetwork,
    Technician,
    TechnicianSkill,
    WorkOrder,
    WorkOrderEvent,
)

__all__ = [
    "Base",
    "Dealer",
    "DealerRegion",
    "Member",
    "Product",
    "ProductRegistration",
    "SalesOrder",
    "SalesOrderEvent",
    "SalesOrderLine",
    "SalesTarget",
    "ServiceNetwork",
    "Store",
    "Technician",
    "TechnicianSkill",
    "WorkOrder",
    "WorkOrderEvent",
]
