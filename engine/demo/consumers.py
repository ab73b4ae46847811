"""Demo consumers: members with household profiles and tiers, and the products they registered."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import numpy as np

from engine.access.principal import SYSTEM
from engine.clock import add_months
from engine.demo.geography import DISTRICTS, estates, population_weights, scatter, street_addresses
from engine.demo.names import person_names, unique_mobiles
from engine.demo.rows import Rows, local_instant, stamped
from engine.privacy.lookup import mobile_digest
from engine.services.consent import SIGNUP
from schemas.consumer import generated_member_no
from schemas.enums import IncomeBand, MemberTier, ProductCategory, SpecialNeed

# Lowest growth value of each tier, highest tier first.
TIER_FLOORS: tuple[tuple[MemberTier, int], ...] = (
    (MemberTier.PLATINUM, 20_000),
    (MemberTier.GOLD, 5_000),
    (MemberTier.SILVER, 1_000),
    (MemberTier.NORMAL, 0),
)
LAYOUTS = ("1室1厅", "2室1厅", "2室2厅", "3室1厅", "3室2厅", "4室2厅", "别墅")
LAYOUT_P = (0.10, 0.25, 0.20, 0.15, 0.18, 0.09, 0.03)
HOUSEHOLD_P = (0.12, 0.28, 0.30, 0.18, 0.08, 0.04)
INCOME_BANDS = (IncomeBand.LOW, IncomeBand.MIDDLE, IncomeBand.UPPER_MIDDLE, IncomeBand.HIGH)
INCOME_P = (0.20, 0.45, 0.25, 0.10)
NEED_TAGS = {
    SpecialNeed.INFANT: "有婴儿",
    SpecialNeed.ELDERLY: "有老人",
    SpecialNeed.PET: "宠物家庭",
    SpecialNeed.DISABILITY: "无障碍需求",
}
FREE_TAGS = ("新房装修", "以旧换新", "价格敏感", "全屋家电", "线上活跃", "门店常客", "团购客户")
# How often a registered unit is of each category: air conditioners dominate Shanghai homes.
CATEGORY_SHARE = {
    ProductCategory.AIR_CONDITIONER: 0.34,
    ProductCategory.WASHER: 0.15,
    ProductCategory.REFRIGERATOR: 0.14,
    ProductCategory.WATER_HEATER: 0.13,
    ProductCategory.RANGE_HOOD: 0.10,
    ProductCategory.TV: 0.14,
}
SERIAL_PREFIX = {
    ProductCategory.AIR_CONDITIONER: "AC",
    ProductCategory.WASHER: "WM",
    ProductCategory.REFRIGERATOR: "RF",
    ProductCategory.WATER_HEATER: "WH",
    ProductCategory.RANGE_HOOD: "RH",
    ProductCategory.TV: "TV",
}


@lru_cache(maxsize=65536)
def warranty_end(purchased: date, months: int) -> date:
    """The last day of warranty, as the consumer service computes it (cached: few distinct days)."""
    return add_months(purchased, months)


def tier_for(growth_value: int) -> MemberTier:
    """The tier a growth value earns."""
    return next(tier for tier, floor in TIER_FLOORS if growth_value >= floor)


def member_rows(rng: np.random.Generator, n: int, day: date) -> Rows:
    """`n` members spread over the districts by population, each with a unique mobile number."""
    district_idx = rng.choice(len(DISTRICTS), size=n, p=population_weights())
    lat, lon = scatter(rng, district_idx)
    located = rng.random(n) >= 0.03  # a few members never shared a location
    _, streets = street_addresses(rng, district_idx)
    estate_names = estates(rng, n)
    flats = [
        f"{building}号楼{floor}{room:02d}室"
        for building, floor, room in zip(
            rng.integers(1, 40, size=n).tolist(),
            rng.integers(1, 33, size=n).tolist(),
            rng.integers(1, 5, size=n).tolist(),
            strict=True,
        )
    ]
    names = person_names(rng, n)
    mobiles = unique_mobiles(rng, n)
    layouts = rng.choice(len(LAYOUTS), size=n, p=LAYOUT_P).tolist()
    households = (rng.choice(len(HOUSEHOLD_P), size=n, p=HOUSEHOLD_P) + 1).tolist()
    incomes = rng.choice(len(INCOME_BANDS), size=n, p=INCOME_P).tolist()
    need_draws = rng.random((n, 4)).tolist()
    tag_draws = rng.random((n, len(FREE_TAGS))).tolist()
    growth = np.clip(rng.lognormal(6.5, 1.4, size=n), 0, 200_000).astype(np.int64).tolist()
    joined_days = rng.integers(1, 2_000, size=n).tolist()
    joined_minutes = rng.integers(8 * 60, 22 * 60, size=n).tolist()

    members: Rows = []
    for i in range(n):
        household = households[i]
        infant, elderly, pet, disability = need_draws[i]
        needs = [
            need
            for need, present in (
                (SpecialNeed.INFANT, household >= 3 and infant < 0.25),
                (SpecialNeed.ELDERLY, household >= 3 and elderly < 0.35),
                (SpecialNeed.PET, pet < 0.18),
                (SpecialNeed.DISABILITY, disability < 0.03),
            )
            if present
        ]
        tags = [NEED_TAGS[need] for need in needs]
        tags += [tag for tag, draw in zip(FREE_TAGS, tag_draws[i], strict=True) if draw < 0.12]
        if (
            INCOME_BANDS[incomes[i]] in (IncomeBand.UPPER_MIDDLE, IncomeBand.HIGH)
            and growth[i] >= 5_000
        ):
            tags.append("高端用户")
        member_id = i + 1
        members.append(
            stamped(
                {
                    "id": member_id,
                    "member_no": generated_member_no(member_id),
                    "name": names[i],
                    "mobile": mobiles[i],
                    "mobile_hash": mobile_digest(mobiles[i]),
                    "region_code": DISTRICTS[district_idx[i]].code,
                    "address": f"{streets[i]}{estate_names[i]}{flats[i]}",
                    "latitude": float(lat[i]) if located[i] else None,
                    "longitude": float(lon[i]) if located[i] else None,
                    "estate": estate_names[i],
                    "layout": LAYOUTS[layouts[i]],
                    "household_size": household,
                    "income_band": INCOME_BANDS[incomes[i]],
                    "special_needs": [need.value for need in needs],
                    # Two in three agreed to marketing when they joined (no draw: keeps the stream).
                    "marketing_consent": member_id % 3 != 0,
                    "consent_updated_at": None,  # set below, once the joining time is stamped
                    "tags": tags,
                    "tier": tier_for(growth[i]),
                    "growth_value": growth[i],
                },
                local_instant(day - timedelta(days=joined_days[i]), joined_minutes[i]),
            )
        )
    return members


def consent_rows(members: Rows) -> Rows:
    """The choice each member made when joining, as the consent history records it (the
    member's consent time set to match)."""
    events: Rows = []
    for member in members:
        member["consent_updated_at"] = member["created_at"]
        events.append({
            "id": member["id"],
            "member_id": member["id"],
            "granted": member["marketing_consent"],
            "source": SIGNUP,
            "actor": SYSTEM.audit_name,
            "at": member["created_at"],
        })
    return events


def registration_rows(
    rng: np.random.Generator, day: date, members: Rows, products: Rows, stores: Rows
) -> Rows:
    """Units members own (about 1.4 each), bought nearby or online, warranty from the product."""
    counts = np.minimum(rng.poisson(1.4, size=len(members)), 5)
    owner_idx = np.repeat(np.arange(len(members)), counts)
    n = len(owner_idx)
    share = np.array([CATEGORY_SHARE[p["category"]] for p in products])
    per_category = {c: sum(1 for p in products if p["category"] == c) for c in CATEGORY_SHARE}
    share = share / np.array([per_category[p["category"]] for p in products])
    product_idx = rng.choice(len(products), size=n, p=share / share.sum()).tolist()
    bought_days = rng.integers(1, 2_200, size=n).tolist()
    online = (rng.random(n) < 0.2).tolist()
    store_pick = rng.integers(0, 1 << 30, size=n).tolist()
    registered_after = rng.integers(0, 30, size=n).tolist()

    stores_in: dict[str, list[int]] = {}
    for s in stores:
        stores_in.setdefault(s["region_code"], []).append(s["id"])
    all_stores = [s["id"] for s in stores]

    registrations: Rows = []
    for k, (m, p) in enumerate(zip(owner_idx.tolist(), product_idx, strict=True)):
        member, product = members[m], products[p]
        prefix = SERIAL_PREFIX[product["category"]]
        purchased = day - timedelta(days=bought_days[k])
        nearby = stores_in.get(member["region_code"]) or all_stores
        registration_id = k + 1
        registered = min(purchased + timedelta(days=registered_after[k]), day - timedelta(days=1))
        registrations.append(
            stamped(
                {
                    "id": registration_id,
                    "member_id": member["id"],
                    "product_id": product["id"],
                    "serial_number": f"{prefix}{purchased:%y%m}{registration_id:08d}",
                    "purchase_date": purchased,
                    "store_id": None if online[k] else nearby[store_pick[k] % len(nearby)],
                    "warranty_end": warranty_end(purchased, product["warranty_months"]),
                },
                max(local_instant(registered, 20 * 60), member["created_at"]),
            )
        )
    return registrations
