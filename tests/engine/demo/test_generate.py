"""Demo generation: deterministic by seed, sized as promised, valid by the domain's contracts."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel

from engine.demo.generate import TABLES, DemoData, generate
from engine.demo.geography import DISTRICTS
from engine.demo.sizes import SCALES, DemoSize
from schemas.catalogue import ProductFields
from schemas.channel import DealerFields, StoreFields
from schemas.consumer import MemberFields, RegistrationFields
from schemas.enums import ChannelType, CooperationLevel, ProductCategory
from schemas.sales import SalesTargetFields
from schemas.service import ServiceNetworkFields, TechnicianFields
from tests.conftest import DEMO_SEED as SEED


def test_the_same_seed_and_size_generate_identical_rows(small: DemoData) -> None:
    again = generate(DemoSize.SMALL, SEED)

    assert again.tables == small.tables


def test_a_different_seed_generates_different_people_and_orders(small: DemoData) -> None:
    other = generate(DemoSize.SMALL, SEED + 1)

    assert [m["mobile"] for m in other.tables["members"]] != [
        m["mobile"] for m in small.tables["members"]
    ]
    assert other.tables["work_orders"] != small.tables["work_orders"]
    assert other.tables["products"] != small.tables["products"]


def test_small_holds_the_promised_counts_for_every_table(small: DemoData) -> None:
    scale = SCALES[DemoSize.SMALL]
    counts = small.counts()
    levels = Counter(d["cooperation_level"] for d in small.tables["dealers"])

    assert list(counts) == list(TABLES)
    assert all(counts[name] > 0 for name in TABLES)
    assert (counts["stores"], counts["members"], counts["service_networks"]) == (60, 2_000, 3)
    assert (counts["technicians"], counts["work_orders"], counts["sales_orders"]) == (60, 300, 200)
    assert counts["products"] == 6 * len(ProductCategory)
    assert levels == {
        CooperationLevel.PROVINCIAL_AGENT: 2,
        CooperationLevel.CITY_AGENT: scale.city_agents,
        CooperationLevel.RETAILER: scale.retailers,
        CooperationLevel.KEY_ACCOUNT: scale.chains,
        CooperationLevel.ONLINE_FLAGSHIP: 1,
    }


def test_the_service_day_option_moves_every_window_to_that_day(small: DemoData) -> None:
    day = date(2027, 3, 15)

    data = generate(DemoSize.SMALL, SEED, day)

    assert {w["window_start"].date() for w in data.tables["work_orders"]} == {day}
    assert {w["order_no"][2:10] for w in data.tables["work_orders"]} == {"20270315"}
    assert {w["window_start"].date() for w in small.tables["work_orders"]} == {small.day}


def _with_regions(
    rows: list[dict[str, Any]], regions: list[dict[str, Any]], key: str
) -> list[dict[str, Any]]:
    codes: dict[int, list[str]] = {}
    for r in regions:
        codes.setdefault(r[key], []).append(r["region_code"])
    return [{**row, "region_codes": codes.get(row["id"], [])} for row in rows]


def _with_skills(rows: list[dict[str, Any]], skills: list[dict[str, Any]]) -> list[dict[str, Any]]:
    held: dict[int, list[dict[str, Any]]] = {}
    for s in skills:
        held.setdefault(s["technician_id"], []).append({"skill": s["skill"], "level": s["level"]})
    return [{**row, "skills": held[row["id"]]} for row in rows]


@pytest.mark.parametrize(
    ("table", "contract"),
    [
        ("dealers", DealerFields),
        ("stores", StoreFields),
        ("products", ProductFields),
        ("members", MemberFields),
        ("product_registrations", RegistrationFields),
        ("sales_targets", SalesTargetFields),
        ("service_networks", ServiceNetworkFields),
        ("technicians", TechnicianFields),
    ],
)
def test_every_row_passes_the_contract_the_api_validates_it_with(
    small: DemoData, table: str, contract: type[BaseModel]
) -> None:
    rows = small.tables[table]
    if table == "dealers":
        rows = _with_regions(rows, small.tables["dealer_regions"], "dealer_id")
    if table == "technicians":
        rows = _with_skills(rows, small.tables["technician_skills"])

    for row in rows:
        contract.model_validate(row)


def test_members_have_unique_mainland_mobiles_and_tiers_that_match_growth_value(
    small: DemoData,
) -> None:
    members = small.tables["members"]
    floors = {"normal": 0, "silver": 1_000, "gold": 5_000, "platinum": 20_000}
    ceilings = {"normal": 1_000, "silver": 5_000, "gold": 20_000, "platinum": 10**9}

    assert len({m["mobile"] for m in members}) == len(members)
    assert all(re.fullmatch(r"1[3-9][0-9]{9}", m["mobile"]) for m in members)
    assert all(
        floors[m["tier"].value] <= m["growth_value"] < ceilings[m["tier"].value] for m in members
    )
    assert len({m["tier"] for m in members}) == 4
    assert {m["region_code"] for m in members} == {d.code for d in DISTRICTS}


def test_the_dealer_tree_has_agents_over_retailers_and_standalone_chains_and_shop(
    small: DemoData,
) -> None:
    dealers = {d["id"]: d for d in small.tables["dealers"]}
    regions: dict[int, set[str]] = {}
    for r in small.tables["dealer_regions"]:
        regions.setdefault(r["dealer_id"], set()).add(r["region_code"])

    for d in dealers.values():
        parent = dealers.get(d["parent_id"]) if d["parent_id"] else None
        level = d["cooperation_level"]
        if level is CooperationLevel.CITY_AGENT:
            assert (
                parent is not None
                and parent["cooperation_level"] is CooperationLevel.PROVINCIAL_AGENT
            )
        elif level is CooperationLevel.RETAILER:
            assert parent is not None and parent["cooperation_level"] is CooperationLevel.CITY_AGENT
        else:
            assert parent is None
        if parent is not None:
            assert regions[d["id"]] <= regions[parent["id"]]
    assert sum(d["channel_type"] is ChannelType.E_COMMERCE for d in dealers.values()) == 1


def test_stores_lie_in_a_region_their_dealer_may_sell_in_and_outlets_add_up(
    small: DemoData,
) -> None:
    regions = {(r["dealer_id"], r["region_code"]) for r in small.tables["dealer_regions"]}
    stores = small.tables["stores"]
    dealers = small.tables["dealers"]

    assert all((s["dealer_id"], s["region_code"]) in regions for s in stores)
    assert sum(d["outlets_covered"] for d in dealers if d["parent_id"] is None) == len(stores)


def test_products_have_realistic_codes_and_prices_and_installed_ones_name_a_skill(
    small: DemoData,
) -> None:
    products = small.tables["products"]
    air = [p for p in products if p["category"] is ProductCategory.AIR_CONDITIONER]

    assert len({p["model"] for p in products}) == len(products)
    assert all(re.fullmatch(r"KFR-(26|35|50|72)(GW|LW)/[A-F][1-9]", p["model"]) for p in air)
    assert all(
        50_000 <= p["list_price_fen"] <= 2_000_000 and p["list_price_fen"] % 10_000 == 9_900
        for p in products
    )
    assert all(p["required_skill"] is not None for p in products if p["needs_installation"])
    assert all(p["needs_installation"] for p in air)
