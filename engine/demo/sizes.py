"""Demo sizes: how many rows of each kind `small`, `medium` and `large` hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

# The service day the demo's open work orders are planned for, unless the caller picks one.
DEFAULT_DEMO_DATE = date(2026, 12, 1)


class DemoSize(str, Enum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


@dataclass(frozen=True)
class Scale:
    """Row counts of one size; everything not listed follows from these."""

    city_agents: int
    retailers: int
    chains: int
    stores: int
    products_per_category: int
    members: int
    networks: int
    technicians: int
    work_orders: int
    sales_orders: int


SCALES: dict[DemoSize, Scale] = {
    # Loads in about a second: for tests and `make run`.
    DemoSize.SMALL: Scale(
        city_agents=6,
        retailers=12,
        chains=2,
        stores=60,
        products_per_category=6,
        members=2_000,
        networks=3,
        technicians=60,
        work_orders=300,
        sales_orders=200,
    ),
    DemoSize.MEDIUM: Scale(
        city_agents=20,
        retailers=60,
        chains=3,
        stores=300,
        products_per_category=15,
        members=20_000,
        networks=10,
        technicians=400,
        work_orders=4_000,
        sales_orders=2_000,
    ),
    # Benchmark scale: a whole city's day of open work orders.
    DemoSize.LARGE: Scale(
        city_agents=20,
        retailers=200,
        chains=4,
        stores=1_500,
        products_per_category=30,
        members=100_000,
        networks=10,
        technicians=2_000,
        work_orders=20_000,
        sales_orders=10_000,
    ),
}
