"""Roles and the permissions each holds; the only place where that mapping is written."""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    ADMIN = "admin"
    OPS_PLANNER = "ops_planner"
    CHANNEL_MANAGER = "channel_manager"
    DEALER = "dealer"  # its own subtree of dealers
    SERVICE_AGENT = "service_agent"  # its service networks
    TECHNICIAN = "technician"  # its own work orders
    ANALYST = "analyst"  # reads, no personal data


class Permission(str, Enum):
    CHANNEL_READ = "channel:read"  # dealers, their regions, stores
    CHANNEL_WRITE = "channel:write"
    STORE_WRITE = "store:write"  # stores only: a dealer manages its own
    CATALOGUE_READ = "catalogue:read"
    CATALOGUE_WRITE = "catalogue:write"
    MEMBER_READ = "member:read"  # members and their product registrations
    MEMBER_WRITE = "member:write"
    MEMBER_EXPORT = "member:export"
    MEMBER_ERASE = "member:erase"
    PERSONAL_DATA = "personal_data:read"  # mobile, address, name, identity number unmasked
    SALES_READ = "sales:read"  # sales orders and targets
    SALES_ORDER_WRITE = "sales_order:write"  # create, update, cancel, sign for delivery
    SALES_ORDER_APPROVE = "sales_order:approve"  # approve, reject, ship, deliver
    TARGET_WRITE = "target:write"
    SERVICE_READ = "service:read"  # networks and technicians
    SERVICE_WRITE = "service:write"
    WORK_ORDER_READ = "work_order:read"
    WORK_ORDER_WRITE = "work_order:write"  # create, update, assign, cancel, rate
    WORK_ORDER_FIELD = "work_order:field"  # accept, travel, check in, complete
    AUDIT_READ = "audit:read"
    ACCESS_ADMIN = "access:admin"  # users and API keys
    RULES_READ = "rules:read"  # rule sets, their versions and documents, coupon campaigns
    RULES_WRITE = "rules:write"  # author drafts, simulate them, issue coupon codes
    RULES_PUBLISH = "rules:publish"  # publish and retire versions
    PRICE_QUOTE = "price:quote"  # quote prices under the live rules
    ORDER_PLACE = "order:place"  # place, return and cancel priced orders (redeems coupons, earns points)
    LOYALTY_READ = "loyalty:read"  # members' points ledgers and balances
    LOYALTY_WRITE = "loyalty:write"  # award activity points, redeem, expire
    DISPATCH_READ = "dispatch:read"  # stored dispatch plans, and recommendations for a work order
    DISPATCH_PLAN = "dispatch:plan"  # compute and store draft day plans
    DISPATCH_APPLY = "dispatch:apply"  # apply a plan: assign its work orders
    DISPATCH_SOLVE = "dispatch:solve"  # the stateless engine call: a problem in, a plan out
    SETTLEMENTS_READ = "settlements:read"  # statements, price changes, claims, dealers' reports and records
    SETTLEMENTS_RUN = "settlements:run"  # run rebate settlements, publish price changes, raise credit statements
    SETTLEMENTS_APPROVE = "settlements:approve"  # approve and issue statements, decide claims
    DEALER_REPORTS_WRITE = "dealer_reports:write"  # stock and sell-out reports (a dealer reports its own)
    DEALER_RECORDS_WRITE = "dealer_records:write"  # payments received and price violations (the brand's records)


P = Permission

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.OPS_PLANNER: frozenset({
        P.CHANNEL_READ, P.CATALOGUE_READ, P.MEMBER_READ, P.SERVICE_READ, P.SERVICE_WRITE,
        P.WORK_ORDER_READ, P.WORK_ORDER_WRITE, P.PRICE_QUOTE,
        P.DISPATCH_READ, P.DISPATCH_PLAN, P.DISPATCH_APPLY, P.DISPATCH_SOLVE,
    }),
    Role.CHANNEL_MANAGER: frozenset({
        P.CHANNEL_READ, P.CHANNEL_WRITE, P.STORE_WRITE, P.CATALOGUE_READ, P.CATALOGUE_WRITE,
        P.SALES_READ, P.SALES_ORDER_WRITE, P.SALES_ORDER_APPROVE, P.TARGET_WRITE,
        P.RULES_READ, P.RULES_WRITE, P.RULES_PUBLISH, P.PRICE_QUOTE, P.ORDER_PLACE,
        P.SETTLEMENTS_READ, P.SETTLEMENTS_RUN, P.SETTLEMENTS_APPROVE, P.DEALER_REPORTS_WRITE, P.DEALER_RECORDS_WRITE,
    }),
    Role.DEALER: frozenset({
        P.CHANNEL_READ, P.STORE_WRITE, P.CATALOGUE_READ, P.SALES_READ, P.SALES_ORDER_WRITE,
        P.PRICE_QUOTE, P.ORDER_PLACE, P.SETTLEMENTS_READ, P.DEALER_REPORTS_WRITE,
    }),
    Role.SERVICE_AGENT: frozenset({
        P.CATALOGUE_READ, P.MEMBER_READ, P.MEMBER_WRITE, P.PERSONAL_DATA, P.SERVICE_READ,
        P.WORK_ORDER_READ, P.WORK_ORDER_WRITE, P.LOYALTY_READ, P.LOYALTY_WRITE,
        P.DISPATCH_READ, P.DISPATCH_PLAN, P.DISPATCH_APPLY,
    }),
    Role.TECHNICIAN: frozenset({
        P.CATALOGUE_READ, P.MEMBER_READ, P.PERSONAL_DATA, P.SERVICE_READ, P.WORK_ORDER_READ,
        P.WORK_ORDER_FIELD,
    }),
    Role.ANALYST: frozenset({
        P.CHANNEL_READ, P.CATALOGUE_READ, P.SALES_READ, P.SERVICE_READ, P.WORK_ORDER_READ,
        P.RULES_READ, P.DISPATCH_READ, P.SETTLEMENTS_READ,
    }),
}

# Roles that see only part of the rows, and what their grant must name.
SCOPED_ROLES: dict[Role, str] = {
    Role.DEALER: "dealer_id",
    Role.SERVICE_AGENT: "network_ids",
    Role.TECHNICIAN: "technician_id",
}
