"""Demo channel: the dealer tree (agents, retailers, chains, one e-commerce shop) and its stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from engine.demo.geography import (
    AREA_CODE,
    DISTRICT_INDEX,
    DISTRICTS,
    population_weights,
    scatter,
    short_name,
    street_addresses,
)
from engine.demo.names import firm_words, landlines, person_names
from engine.demo.rows import Rows, local_instant, stamped
from engine.demo.sizes import Scale
from schemas.enums import ChannelType, CooperationLevel, DisplayStatus, ProductCategory, StoreGrade

BRANDS = ("华澜", "澜悦")
ALL_CATEGORIES = [c.value for c in ProductCategory]
ALL_REGIONS = [d.code for d in DISTRICTS]

# The two provincial agents split the city: Puxi's centre and north, and the south-west with Pudong.
HALVES = (
    ("310101", "310106", "310107", "310109", "310110", "310113", "310114", "310151"),
    ("310104", "310105", "310112", "310115", "310116", "310117", "310118", "310120"),
)
PROVINCIAL_NAMES = ("上海华澜家电销售有限公司", "上海申澜电器贸易有限公司")
CHAIN_NAMES = (
    "申城电器连锁有限公司",
    "沪上家电连锁有限公司",
    "百联汇家电连锁有限公司",
    "东方家电连锁有限公司",
)
ECOMMERCE_NAME = "华澜官方旗舰店（线上）"


@dataclass(frozen=True)
class Profile:
    """Ranges of a dealer's business figures by cooperation level (money in 10k CNY)."""

    capital_wan: tuple[int, int]
    warehouse_m2: tuple[int, int]
    vehicles: tuple[int, int]
    staff: tuple[int, int]
    credit_wan: tuple[int, int]
    payment_terms: tuple[int, ...]


PROFILES: dict[CooperationLevel, Profile] = {
    CooperationLevel.PROVINCIAL_AGENT: Profile(
        (5_000, 20_000), (8_000, 20_000), (20, 60), (150, 400), (3_000, 8_000), (60, 90)
    ),
    CooperationLevel.CITY_AGENT: Profile(
        (500, 3_000), (1_500, 6_000), (5, 20), (30, 120), (300, 1_500), (30, 45, 60)
    ),
    CooperationLevel.RETAILER: Profile(
        (50, 500), (100, 800), (1, 4), (5, 30), (20, 200), (0, 15, 30)
    ),
    CooperationLevel.KEY_ACCOUNT: Profile(
        (50_000, 200_000), (20_000, 60_000), (50, 200), (1_000, 5_000), (5_000, 20_000), (60, 90)
    ),
    CooperationLevel.ONLINE_FLAGSHIP: Profile(
        (1_000, 5_000), (5_000, 15_000), (0, 1), (50, 200), (2_000, 5_000), (30,)
    ),
}

FEN_PER_WAN = 10_000 * 100


def dealer_rows(rng: np.random.Generator, scale: Scale, day: date) -> tuple[Rows, Rows]:
    """Dealers (parents before children, ids from 1) and their authorised regions."""
    specs: list[
        tuple[str, str, ChannelType, CooperationLevel, int | None, list[str], list[str]]
    ] = []
    for k, name in enumerate(PROVINCIAL_NAMES):
        specs.append(
            (
                f"PA{k + 1:02d}",
                name,
                ChannelType.AGENT,
                CooperationLevel.PROVINCIAL_AGENT,
                None,
                list(HALVES[k]),
                ALL_CATEGORIES,
            )
        )
    words = firm_words(rng, scale.city_agents + scale.retailers)
    city_ids: list[int] = []
    for k in range(scale.city_agents):
        half = HALVES[k % 2]
        areas = [half[(k // 2) % len(half)]]
        if rng.random() < 0.4:
            areas.append(str(rng.choice([c for c in half if c != areas[0]])))
        district = short_name(DISTRICTS[DISTRICT_INDEX[areas[0]]])
        city_ids.append(len(specs) + 1)
        specs.append(
            (
                f"CA{k + 1:02d}",
                f"上海{district}{words[k]}电器有限公司",
                ChannelType.AGENT,
                CooperationLevel.CITY_AGENT,
                1 + k % 2,
                sorted(areas),
                ALL_CATEGORIES,
            )
        )
    for k in range(scale.retailers):
        agent = city_ids[k % len(city_ids)]
        parent_regions = specs[agent - 1][5]
        region = parent_regions[int(rng.integers(0, len(parent_regions)))]
        district = short_name(DISTRICTS[DISTRICT_INDEX[region]])
        categories = sorted(
            rng.choice(ALL_CATEGORIES, size=int(rng.integers(2, 5)), replace=False).tolist()
        )
        specs.append(
            (
                f"RT{k + 1:04d}",
                f"{district}{words[scale.city_agents + k]}家电商行",
                ChannelType.DIRECT_RETAILER,
                CooperationLevel.RETAILER,
                agent,
                [region],
                categories,
            )
        )
    for k in range(scale.chains):
        specs.append(
            (
                f"KA{k + 1:02d}",
                CHAIN_NAMES[k % len(CHAIN_NAMES)],
                ChannelType.CHAIN_STORE,
                CooperationLevel.KEY_ACCOUNT,
                None,
                ALL_REGIONS,
                ALL_CATEGORIES,
            )
        )
    specs.append(
        (
            "EC01",
            ECOMMERCE_NAME,
            ChannelType.E_COMMERCE,
            CooperationLevel.ONLINE_FLAGSHIP,
            None,
            ALL_REGIONS,
            ALL_CATEGORIES,
        )
    )

    representatives = person_names(rng, len(specs))
    dealers: Rows = []
    regions: Rows = []
    for i, (code, name, channel, level, parent, codes, categories) in enumerate(specs):
        dealer_id = i + 1
        p = PROFILES[level]
        signed = day - timedelta(days=int(rng.integers(60, 3_650)))
        brands = list(BRANDS) if rng.random() < 0.5 else [BRANDS[0]]
        dealers.append(
            stamped(
                {
                    "id": dealer_id,
                    "code": code,
                    "name": name,
                    "legal_representative": representatives[i],
                    "channel_type": channel,
                    "cooperation_level": level,
                    "parent_id": parent,
                    "registered_capital_fen": int(rng.integers(*p.capital_wan)) * FEN_PER_WAN,
                    "signing_date": signed,
                    "agreement_ref": f"HL-{signed.year}-{code}",
                    "main_brands": brands,
                    "main_categories": categories,
                    "warehouse_m2": int(rng.integers(*p.warehouse_m2)),
                    "vehicles": int(rng.integers(*p.vehicles)),
                    "staff": int(rng.integers(*p.staff)),
                    "outlets_covered": 0,
                    "credit_limit_fen": int(rng.integers(*p.credit_wan)) * FEN_PER_WAN,
                    "payment_terms_days": int(rng.choice(p.payment_terms)),
                },
                local_instant(signed, 10 * 60),
            )
        )
        regions.extend({"dealer_id": dealer_id, "region_code": c} for c in sorted(codes))
    return dealers, regions


def store_rows(
    rng: np.random.Generator, scale: Scale, day: date, dealers: Rows, dealer_regions: Rows
) -> Rows:
    """Stores: one per retailer, a showroom per city agent, the rest mostly chain outlets."""
    by_level: dict[CooperationLevel, list[int]] = {}
    for d in dealers:
        by_level.setdefault(d["cooperation_level"], []).append(d["id"])
    retailers = by_level.get(CooperationLevel.RETAILER, [])
    agents = by_level.get(CooperationLevel.CITY_AGENT, [])
    chains = by_level.get(CooperationLevel.KEY_ACCOUNT, [])
    owners = (retailers + agents)[: scale.stores]
    rest = scale.stores - len(owners)
    extra_owner_pool = np.array(chains * 7 + retailers)
    owners += rng.choice(extra_owner_pool, size=rest).tolist() if rest > 0 else []

    regions_of: dict[int, list[str]] = {}
    for r in dealer_regions:
        regions_of.setdefault(r["dealer_id"], []).append(r["region_code"])
    city_weights = population_weights()
    district_idx = np.array(
        [
            int(rng.choice(len(DISTRICTS), p=city_weights))
            if len(regions_of[o]) == len(DISTRICTS)
            else DISTRICT_INDEX[regions_of[o][int(rng.integers(0, len(regions_of[o])))]]
            for o in owners
        ],
        dtype=np.int64,
    )
    lat, lon = scatter(rng, district_idx)
    streets, addresses = street_addresses(rng, district_idx)
    managers = person_names(rng, scale.stores)
    phones = landlines(rng, scale.stores, AREA_CODE)
    grades = rng.choice(3, size=scale.stores, p=[0.2, 0.4, 0.4]).tolist()
    display_p = {0: [0.8, 0.2, 0.0], 1: [0.4, 0.5, 0.1], 2: [0.1, 0.4, 0.5]}
    dealer_by_id = {d["id"]: d for d in dealers}

    stores: Rows = []
    for i, owner in enumerate(owners):
        dealer = dealer_by_id[owner]
        brand = (
            dealer["name"].removesuffix("有限公司").removesuffix("家电商行").removeprefix("上海")
        )
        opened = min(
            dealer["signing_date"] + timedelta(days=int(rng.integers(0, 365))),
            day - timedelta(days=1),
        )
        display = [DisplayStatus.FULL, DisplayStatus.PARTIAL, DisplayStatus.NONE][
            int(rng.choice(3, p=display_p[grades[i]]))
        ]
        stores.append(
            stamped(
                {
                    "id": i + 1,
                    "code": f"ST{i + 1:05d}",
                    "name": f"{brand}{streets[i]}店",
                    "dealer_id": owner,
                    "region_code": DISTRICTS[district_idx[i]].code,
                    "address": addresses[i],
                    "latitude": float(lat[i]),
                    "longitude": float(lon[i]),
                    "manager": managers[i],
                    "phone": phones[i],
                    "grade": [StoreGrade.A, StoreGrade.B, StoreGrade.C][grades[i]],
                    "display_status": display,
                },
                local_instant(opened, 9 * 60),
            )
        )
    _count_outlets(dealers, stores)
    return stores


def _count_outlets(dealers: Rows, stores: Rows) -> None:
    """Set each dealer's outlets_covered to the stores run by it and by its sub-dealers."""
    parent = {d["id"]: d["parent_id"] for d in dealers}
    count = {d["id"]: 0 for d in dealers}
    for s in stores:
        current: int | None = s["dealer_id"]
        while current is not None:
            count[current] += 1
            current = parent[current]
    for d in dealers:
        d["outlets_covered"] = count[d["id"]]
