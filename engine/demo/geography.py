"""The demo metro area: Shanghai's districts, service territories, and points scattered in them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CITY = "上海市"
TIME_ZONE = "Asia/Shanghai"
AREA_CODE = "021"

# Kilometres per degree of latitude; a degree of longitude is shorter by cos(latitude).
_KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class District:
    """A district: region code, rough centre, how far homes spread, population (weight)."""

    code: str
    name: str
    latitude: float
    longitude: float
    spread_km: float
    population_10k: int
    streets: tuple[str, ...]


# Centres are approximate (district seats or centroids); populations from the 2020 census, rounded.
DISTRICTS: tuple[District, ...] = (
    District(
        "310101",
        "黄浦区",
        31.2317,
        121.4846,
        1.5,
        66,
        ("南京东路", "淮海中路", "西藏南路", "复兴中路"),
    ),
    District(
        "310104",
        "徐汇区",
        31.1884,
        121.4365,
        2.5,
        111,
        ("漕溪北路", "肇嘉浜路", "天钥桥路", "龙华西路"),
    ),
    District(
        "310105", "长宁区", 31.2204, 121.4241, 2.2, 69, ("延安西路", "天山路", "仙霞路", "虹桥路")
    ),
    District(
        "310106",
        "静安区",
        31.2456,
        121.4560,
        2.0,
        98,
        ("南京西路", "共和新路", "天目西路", "延长中路"),
    ),
    District(
        "310107", "普陀区", 31.2497, 121.3957, 2.5, 124, ("曹杨路", "真北路", "武宁路", "长寿路")
    ),
    District(
        "310109", "虹口区", 31.2646, 121.5052, 1.8, 76, ("四川北路", "曲阳路", "西江湾路", "临平路")
    ),
    District(
        "310110", "杨浦区", 31.2833, 121.5260, 2.5, 124, ("淞沪路", "控江路", "黄兴路", "长阳路")
    ),
    District(
        "310112", "闵行区", 31.1127, 121.3816, 6.0, 265, ("七莘路", "沪闵路", "莘松路", "都市路")
    ),
    District(
        "310113", "宝山区", 31.4054, 121.4893, 6.0, 224, ("牡丹江路", "友谊路", "宝杨路", "淞滨路")
    ),
    District(
        "310114", "嘉定区", 31.3748, 121.2655, 7.0, 183, ("城中路", "塔城路", "博乐路", "曹安公路")
    ),
    District(
        "310115",
        "浦东新区",
        31.1900,
        121.6000,
        9.0,
        568,
        ("世纪大道", "张杨路", "锦绣路", "川沙路", "东方路"),
    ),
    District("310116", "金山区", 30.7417, 121.3420, 7.0, 82, ("卫零路", "龙航路", "蒙山路")),
    District(
        "310117",
        "松江区",
        31.0325,
        121.2278,
        7.0,
        191,
        ("人民北路", "荣乐中路", "文诚路", "新松江路"),
    ),
    District("310118", "青浦区", 31.1510, 121.1242, 8.0, 127, ("公园路", "城中北路", "外青松公路")),
    District("310120", "奉贤区", 30.9180, 121.4742, 8.0, 114, ("南桥路", "解放东路", "百齐路")),
    District("310151", "崇明区", 31.6228, 121.3974, 10.0, 64, ("八一路", "人民路", "东门路")),
)

DISTRICT_INDEX: dict[str, int] = {d.code: i for i, d in enumerate(DISTRICTS)}


@dataclass(frozen=True)
class Territory:
    """A service network's territory: one or two neighbouring districts."""

    code: str
    name: str
    district_codes: tuple[str, ...]


# Ordered so that the first few (used by the small demo) are the densest.
TERRITORIES: tuple[Territory, ...] = (
    Territory("SH-HPJA", "黄浦静安", ("310101", "310106")),
    Territory("SH-XHCN", "徐汇长宁", ("310104", "310105")),
    Territory("SH-PD", "浦东", ("310115",)),
    Territory("SH-HKYP", "虹口杨浦", ("310109", "310110")),
    Territory("SH-PT", "普陀", ("310107",)),
    Territory("SH-MH", "闵行", ("310112",)),
    Territory("SH-BSCM", "宝山崇明", ("310113", "310151")),
    Territory("SH-JDQP", "嘉定青浦", ("310114", "310118")),
    Territory("SH-SJJS", "松江金山", ("310117", "310116")),
    Territory("SH-FX", "奉贤", ("310120",)),
)

ESTATE_HEADS = (
    "阳光",
    "翠湖",
    "春申",
    "明珠",
    "锦绣",
    "滨江",
    "梅陇",
    "龙柏",
    "田林",
    "康桥",
    "御景",
    "金桥",
    "古美",
    "兰亭",
    "静安",
    "枫林",
    "新华",
    "海棠",
)
ESTATE_TAILS = ("花园", "苑", "新村", "公寓", "小区", "华庭", "名邸", "家园")


def population_weights(codes: list[str] | tuple[str, ...] | None = None) -> np.ndarray:
    """Probabilities over the given districts (default: all) proportional to population."""
    chosen = [DISTRICTS[DISTRICT_INDEX[c]] for c in codes] if codes else list(DISTRICTS)
    weights = np.array([d.population_10k for d in chosen], dtype=float)
    return np.asarray(weights / weights.sum())


def scatter(rng: np.random.Generator, district_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes of points around the centres of the given districts (indices)."""
    centre_lat = np.array([d.latitude for d in DISTRICTS])[district_idx]
    centre_lon = np.array([d.longitude for d in DISTRICTS])[district_idx]
    spread = np.array([d.spread_km for d in DISTRICTS])[district_idx]
    # A normal cloud, clipped so no point lands in the next district's centre (or the sea).
    offsets = (
        np.clip(rng.normal(0.0, 0.5, size=(len(district_idx), 2)), -1.2, 1.2) * spread[:, None]
    )
    lat = centre_lat + offsets[:, 0] / _KM_PER_DEGREE
    lon = centre_lon + offsets[:, 1] / (_KM_PER_DEGREE * np.cos(np.radians(centre_lat)))
    return np.round(lat, 6), np.round(lon, 6)


def street_addresses(
    rng: np.random.Generator, district_idx: np.ndarray
) -> tuple[list[str], list[str]]:
    """Streets and full addresses ("上海市徐汇区漕溪北路128号") in the given districts."""
    picks = rng.integers(0, 1 << 30, size=len(district_idx))
    numbers = rng.integers(1, 1200, size=len(district_idx))
    streets, addresses = [], []
    for d, pick, number in zip(
        district_idx.tolist(), picks.tolist(), numbers.tolist(), strict=True
    ):
        district = DISTRICTS[d]
        street = district.streets[pick % len(district.streets)]
        streets.append(street)
        addresses.append(f"{CITY}{district.name}{street}{number}号")
    return streets, addresses


def short_name(district: District) -> str:
    """The district's name without its suffix ("徐汇", "浦东")."""
    return district.name.removesuffix("新区").removesuffix("区")


def estates(rng: np.random.Generator, n: int) -> list[str]:
    """Housing-estate names ("翠湖花园")."""
    heads = rng.integers(0, len(ESTATE_HEADS), size=n).tolist()
    tails = rng.integers(0, len(ESTATE_TAILS), size=n).tolist()
    return [ESTATE_HEADS[h] + ESTATE_TAILS[t] for h, t in zip(heads, tails, strict=True)]
