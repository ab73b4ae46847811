"""The demo data set: every table's rows, generated from a size, a seed and a service day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from engine.demo.catalogue import product_rows
from engine.demo.channel import dealer_rows, store_rows
from engine.demo.consumers import consent_rows, member_rows, registration_rows
from engine.demo.rows import Rows
from engine.demo.rules import rule_rows
from engine.demo.sales import sales_order_rows, target_rows
from engine.demo.service import network_rows, technician_rows, work_order_rows
from engine.demo.settlements import (
    dealer_report_rows,
    payment_rows,
    previous_quarter_target_rows,
    violation_rows,
)
from engine.demo.sizes import DEFAULT_DEMO_DATE, SCALES, DemoSize

# Parents before children: the order rows are inserted in.
TABLES = (
    "dealers",
    "dealer_regions",
    "stores",
    "products",
    "members",
    "consent_events",
    "product_registrations",
    "sales_orders",
    "sales_order_lines",
    "sales_order_events",
    "sales_targets",
    "dealer_payments",
    "dealer_stock_reports",
    "dealer_sellout_reports",
    "price_violations",
    "service_networks",
    "technicians",
    "technician_skills",
    "work_orders",
    "work_order_events",
    "rule_sets",
    "rule_set_versions",
    "coupon_codes",
)
# One random stream per part, so that growing one part never reshuffles another.
_STREAMS = (
    "dealers",
    "stores",
    "products",
    "members",
    "registrations",
    "sales",
    "targets",
    "networks",
    "technicians",
    "work_orders",
    "payments",
    "dealer_reports",
    "violations",
    "prior_targets",
)


@dataclass(frozen=True)
class DemoData:
    """Rows for every table (column name -> value, explicit ids), in insertion order."""

    size: DemoSize
    seed: int
    day: date
    tables: dict[str, Rows]

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables.items()}


def generate(
    size: DemoSize = DemoSize.SMALL, seed: int = 7, day: date = DEFAULT_DEMO_DATE
) -> DemoData:
    """The demo data of `size`; the same arguments always give the same rows."""
    scale = SCALES[size]
    rng = dict(zip(_STREAMS, np.random.default_rng(seed).spawn(len(_STREAMS)), strict=True))
    dealers, dealer_regions = dealer_rows(rng["dealers"], scale, day)
    stores = store_rows(rng["stores"], scale, day, dealers, dealer_regions)
    products = product_rows(rng["products"], scale.products_per_category, day)
    members = member_rows(rng["members"], scale.members, day)
    consents = consent_rows(members)
    registrations = registration_rows(rng["registrations"], day, members, products, stores)
    orders, lines, order_events = sales_order_rows(
        rng["sales"], scale.sales_orders, day, dealers, stores, products
    )
    targets = target_rows(rng["targets"], day, dealers, stores)
    targets += previous_quarter_target_rows(rng["prior_targets"], day, orders, targets)
    payments = payment_rows(rng["payments"], day, dealers, orders)
    stock, sellout = dealer_report_rows(
        rng["dealer_reports"], day, dealers, stores, orders, lines, order_events
    )
    violations = violation_rows(rng["violations"], day, dealers, products)
    networks = network_rows(rng["networks"], scale.networks, day)
    technicians, skills = technician_rows(rng["technicians"], scale.technicians, day, networks)
    work_orders, work_order_events = work_order_rows(
        rng["work_orders"],
        scale.work_orders,
        day,
        networks,
        technicians,
        skills,
        members,
        registrations,
        products,
    )
    rule_sets, rule_versions, coupon_codes = rule_rows(day)
    tables = {
        "rule_sets": rule_sets,
        "rule_set_versions": rule_versions,
        "coupon_codes": coupon_codes,
        "dealers": dealers,
        "dealer_regions": dealer_regions,
        "stores": stores,
        "products": products,
        "members": members,
        "consent_events": consents,
        "product_registrations": registrations,
        "sales_orders": orders,
        "sales_order_lines": lines,
        "sales_order_events": order_events,
        "sales_targets": targets,
        "dealer_payments": payments,
        "dealer_stock_reports": stock,
        "dealer_sellout_reports": sellout,
        "price_violations": violations,
        "service_networks": networks,
        "technicians": technicians,
        "technician_skills": skills,
        "work_orders": work_orders,
        "work_order_events": work_order_events,
    }
    return DemoData(size, seed, day, {name: tables[name] for name in TABLES})
