"""Demo catalogue: products of all six categories: realistic model codes, prices, warranties."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from engine.demo.rows import Rows, local_instant, stamped
from schemas.enums import ProductCategory, Skill

BRAND = "华澜"
PREMIUM_BRAND = "澜悦"
SERIES = ("A", "B", "C", "D", "E", "F")


@dataclass(frozen=True)
class Variant:
    """A family of models: code stem, name, price range in CNY, warranty and service needs."""

    stem: str
    name: str
    price_cny: tuple[int, int]
    warranty_months: int
    needs_installation: bool
    required_skill: Skill | None


def _variants() -> dict[ProductCategory, list[Variant]]:
    ac = Skill.AIR_CONDITIONER
    variants: dict[ProductCategory, list[Variant]] = {
        ProductCategory.AIR_CONDITIONER: [
            Variant("KFR-26GW/", "大1匹变频挂机空调", (2_299, 3_999), 72, True, ac),
            Variant("KFR-35GW/", "1.5匹变频挂机空调", (2_599, 4_999), 72, True, ac),
            Variant("KFR-50GW/", "2匹变频挂机空调", (3_999, 6_999), 72, True, ac),
            Variant("KFR-50LW/", "2匹变频立柜式空调", (5_999, 8_999), 72, True, ac),
            Variant("KFR-72LW/", "3匹变频立柜式空调", (7_999, 12_999), 72, True, ac),
        ],
        ProductCategory.WASHER: [
            Variant(
                f"XQG{kg}-",
                f"{kg // 10}公斤变频滚筒洗衣机",
                (1_999 + 100 * (kg - 80), 4_999 + 150 * (kg - 80)),
                36,
                True,
                Skill.WASHER,
            )
            for kg in (80, 100, 120)
        ]
        + [
            Variant(f"XQB{kg}-", f"{kg // 10}公斤波轮洗衣机", (999, 2_499), 36, True, Skill.WASHER)
            for kg in (70, 80, 100)
        ],
        ProductCategory.REFRIGERATOR: [
            Variant(
                f"BCD-{litres}{kind}-",
                f"{litres}升{door}冰箱",
                (int(litres * 6), int(litres * 22)),
                36,
                False,
                Skill.REFRIGERATOR,
            )
            for litres, kind, door in (
                (218, "WTM", "三门"),
                (330, "WPD", "多门"),
                (405, "WTPZM", "十字对开门"),
                (468, "WPDG", "法式多门"),
                (618, "WKPZM", "对开门"),
            )
        ],
        ProductCategory.WATER_HEATER: [
            Variant(
                f"ES{litres}H-",
                f"{litres}升电热水器",
                (999 + 10 * (litres - 50), 2_999 + 20 * (litres - 50)),
                36,
                True,
                Skill.WATER_HEATER,
            )
            for litres in (50, 60, 80)
        ]
        + [
            Variant(
                f"JSQ{kw}-{lpm}",
                f"{lpm}升燃气热水器",
                (1_999 + 100 * (lpm - 13), 4_999 + 150 * (lpm - 13)),
                36,
                True,
                Skill.WATER_HEATER,
            )
            for kw, lpm in ((25, 13), (30, 16), (36, 20))
        ],
        ProductCategory.RANGE_HOOD: [
            Variant(
                f"CXW-{pa}-{code}",
                f"{shape}吸油烟机",
                (1_999 + 10 * (pa - 200), 4_999 + 20 * (pa - 200)),
                60,
                True,
                Skill.RANGE_HOOD,
            )
            for pa in (200, 230, 260, 300)
            for shape, code in (("侧", "J"), ("顶", "T"))
        ],
        ProductCategory.TV: [
            # Large sets are wall-mounted by a technician; small ones are carried in for repair.
            Variant(
                f"{inches}",
                f"{inches}英寸智能电视",
                price,
                36,
                inches >= 75,
                Skill.TV if inches >= 55 else None,
            )
            for inches, price in (
                (43, (1_299, 1_999)),
                (55, (1_999, 3_499)),
                (65, (2_999, 5_999)),
                (75, (4_999, 8_999)),
                (85, (6_999, 12_999)),
                (100, (12_999, 19_999)),
            )
        ],
    }
    return variants


VARIANTS = _variants()


def product_rows(rng: np.random.Generator, per_category: int, day: date) -> Rows:
    """`per_category` products in each category, each model code unique."""
    products: Rows = []
    for category, variants in VARIANTS.items():
        candidates = [(v, series, n) for v in variants for series in SERIES for n in range(1, 10)]
        picks = rng.choice(len(candidates), size=min(per_category, len(candidates)), replace=False)
        for pick in sorted(picks.tolist()):
            variant, series, n = candidates[pick]
            model = _model_code(category, variant, series, n)
            low, high = variant.price_cny
            # Retail prices end in 99 yuan, stepping by 100.
            price_cny = int(rng.integers(low // 100, high // 100 + 1)) * 100 + 99
            brand = PREMIUM_BRAND if series in ("E", "F") else BRAND
            launched = day - timedelta(days=int(rng.integers(30, 1_500)))
            products.append(
                stamped(
                    {
                        "id": len(products) + 1,
                        "model": model,
                        "name": f"{brand} {series}{n}系列 {variant.name}",
                        "category": category,
                        "brand": brand,
                        "list_price_fen": price_cny * 100,
                        "warranty_months": variant.warranty_months,
                        "needs_installation": variant.needs_installation,
                        "required_skill": variant.required_skill,
                    },
                    local_instant(launched, 9 * 60),
                )
            )
    return products


def _model_code(category: ProductCategory, variant: Variant, series: str, n: int) -> str:
    """Model codes as the industry writes them: KFR-35GW/A1, XQG100-B3, BCD-468WPDG-C2, 65U7."""
    if category is ProductCategory.TV:
        return f"{variant.stem}{'EUQMSX'[SERIES.index(series)]}{n}"
    return f"{variant.stem}{series}{n}"
