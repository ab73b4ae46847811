"""A seeded, realistic day of field service in Shanghai, for tests and benchmarks.

Demand is clustered: each district has a few hot spots (housing estates) and orders scatter
around them. Technicians live near the district they mostly serve, hold one to three skills
at levels, and work a day shift with a break, a split shift, or an early or late shift.
Orders are installs (long, need parts) or repairs (shorter), with one or two start windows
(morning, afternoon, two-hour slots), a priority and usually an SLA deadline. A few orders are
pinned (the customer asked for a technician) and some technicians already have a route of
morning orders, the first locked (he is on his way). Same arguments, same problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from engine.dispatch.compiled import NO_SKILL, compile_problem
from engine.dispatch.timeline import schedule
from engine.errors import DomainError, FieldError
from schemas.dispatch import MAX_ORDERS, MAX_TECHNICIANS, Problem
from schemas.enums import Skill
from schemas.errors import ErrorCode

TIME_ZONE = ZoneInfo("Asia/Shanghai")
KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class District:
    name: str
    longitude: float
    latitude: float
    spread_km: float  # how far its estates lie from the centre
    weight: float  # share of demand


# Shanghai's central districts and the near suburbs (approximate centres).
DISTRICTS = (
    District("huangpu", 121.4846, 31.2317, 1.5, 0.06),
    District("xuhui", 121.4365, 31.1884, 2.5, 0.10),
    District("changning", 121.4241, 31.2204, 2.2, 0.06),
    District("jingan", 121.4560, 31.2456, 2.0, 0.09),
    District("putuo", 121.3957, 31.2497, 2.5, 0.09),
    District("hongkou", 121.5052, 31.2646, 1.8, 0.07),
    District("yangpu", 121.5260, 31.2833, 2.5, 0.10),
    District("pudong-lujiazui", 121.5300, 31.2300, 3.0, 0.14),
    District("pudong-zhangjiang", 121.6000, 31.2000, 3.5, 0.10),
    District("minhang", 121.3816, 31.1127, 4.0, 0.12),
    District("baoshan", 121.4893, 31.3500, 4.0, 0.07),
)
HOT_SPOTS = 3  # estates per district
ESTATE_SPREAD_KM = 0.8

# Skills by how often an order needs them (air conditioners dominate Shanghai homes).
SKILL_SHARE = {
    Skill.AIR_CONDITIONER: 0.35,
    Skill.WASHER: 0.20,
    Skill.REFRIGERATOR: 0.15,
    Skill.WATER_HEATER: 0.12,
    Skill.RANGE_HOOD: 0.10,
    Skill.TV: 0.08,
}
INSTALL_SHARE = 0.3
MORNING, AFTERNOON = (480, 720), (780, 1080)  # start windows, minutes after midnight
SLOTS = ((480, 600), (600, 720), (780, 900), (900, 1020), (1020, 1140))  # two-hour slots
PRIORITY_SHARE = (0.05, 0.15, 0.50, 0.20, 0.10)
PINNED_SHARE = 0.01
ROUTED_SHARE = 0.15  # technicians who already have morning orders

# (shifts, break as (earliest, latest) or None, share)
SHIFT_KINDS: tuple[tuple[tuple[tuple[int, int], ...], tuple[int, int] | None, float], ...] = (
    (((480, 1020),), (690, 780), 0.50),  # day shift, lunch break
    (((480, 720), (810, 1080)), None, 0.20),  # split shift: the gap is lunch
    (((420, 900),), (660, 720), 0.15),  # early shift
    (((600, 1200),), None, 0.15),  # late shift, no break
)


def realistic_day(
    n_orders: int, n_technicians: int, seed: int, day: date = date(2026, 12, 4)
) -> Problem:
    """A day of `n_orders` work orders for `n_technicians` technicians in Shanghai."""
    _check(n_orders, n_technicians, seed)
    rng = np.random.default_rng(seed)
    spots = _hot_spots(rng)
    weights = np.array([d.weight for d in DISTRICTS])
    weights /= weights.sum()
    skills = list(SKILL_SHARE)
    skill_p = np.array(list(SKILL_SHARE.values()))
    technicians = [_technician(rng, i, weights, skills, skill_p) for i in range(n_technicians)]
    orders = [_order(rng, j, spots, weights, skills, skill_p) for j in range(n_orders)]
    _pin(rng, orders, technicians)
    data: dict[str, Any] = {
        "origin": datetime(day.year, day.month, day.day, tzinfo=TIME_ZONE),
        "name": f"shanghai-{day.isoformat()}-{n_orders}x{n_technicians}-seed{seed}",
        "technicians": technicians,
        "orders": orders,
        "travel": {"kind": "haversine", "road_factor": 1.3, "speed_kmh": 25.0},
        "options": {"seed": seed},
    }
    for t, route in _current_routes(rng, Problem.model_validate(data)).items():
        technicians[t]["route"] = [
            {"order_id": orders[o]["id"], "locked": k == 0} for k, o in enumerate(route)
        ]
    return Problem.model_validate(data)


def _check(n_orders: int, n_technicians: int, seed: int) -> None:
    errors = []
    if not 0 <= n_orders <= MAX_ORDERS:
        errors.append(
            FieldError(("n_orders",), f"must be 0 to {MAX_ORDERS}", ErrorCode.OUT_OF_RANGE)
        )
    if not 1 <= n_technicians <= MAX_TECHNICIANS:
        errors.append(
            FieldError(
                ("n_technicians",), f"must be 1 to {MAX_TECHNICIANS}", ErrorCode.OUT_OF_RANGE
            )
        )
    if not 0 <= seed <= 2**31 - 1:
        errors.append(FieldError(("seed",), "must be 0 to 2³¹ − 1", ErrorCode.OUT_OF_RANGE))
    if errors:
        raise DomainError(errors)


def _scatter(
    rng: np.random.Generator, lon: float, lat: float, spread_km: float
) -> tuple[float, float]:
    dx, dy = rng.normal(0.0, spread_km, 2)
    return (
        round(lon + dx / (KM_PER_DEGREE * np.cos(np.radians(lat))), 6),
        round(lat + dy / KM_PER_DEGREE, 6),
    )


def _hot_spots(rng: np.random.Generator) -> list[list[tuple[float, float]]]:
    return [
        [_scatter(rng, d.longitude, d.latitude, d.spread_km) for _ in range(HOT_SPOTS)]
        for d in DISTRICTS
    ]


def _technician(
    rng: np.random.Generator, i: int, weights: np.ndarray, skills: list[Skill], skill_p: np.ndarray
) -> dict[str, Any]:
    home = DISTRICTS[rng.choice(len(DISTRICTS), p=weights)]
    lon, lat = _scatter(rng, home.longitude, home.latitude, home.spread_km)
    held = rng.choice(len(skills), size=int(rng.integers(1, 4)), replace=False, p=skill_p)
    shifts, pause, _ = SHIFT_KINDS[rng.choice(len(SHIFT_KINDS), p=[k[2] for k in SHIFT_KINDS])]
    worked = sum(b - a for a, b in shifts)
    technician: dict[str, Any] = {
        "id": f"T{i + 1:04d}",
        "start": {"x": lon, "y": lat},
        "skills": {
            skills[s].value: int(rng.choice([1, 2, 3, 4], p=[0.3, 0.4, 0.2, 0.1])) for s in held
        },
        "shifts": [{"start": a, "end": b} for a, b in shifts],
        "capacity_minutes": min(worked - 60, int(rng.choice([360, 390, 420, 450, 480]))),
        "max_jobs": None if rng.random() < 0.3 else int(rng.integers(6, 11)),
        "parts_capacity": None if rng.random() < 0.3 else int(rng.choice([120, 180, 240, 300])),
    }
    if pause is not None:
        technician["break"] = {
            "earliest": pause[0],
            "latest": pause[1],
            "duration": int(rng.choice([30, 45, 60])),
        }
    if rng.random() < 0.1:  # ends the day at the depot of a neighbouring district
        depot = DISTRICTS[rng.choice(len(DISTRICTS), p=weights)]
        technician["end"] = {"x": depot.longitude, "y": depot.latitude}
    return technician


def _windows(rng: np.random.Generator) -> list[dict[str, int]]:
    kind = rng.choice(3, p=[0.35, 0.35, 0.30])
    if kind == 2:  # one or two two-hour slots, never touching
        first = int(rng.integers(len(SLOTS)))
        chosen = [first]
        later = [k for k in range(first + 2, len(SLOTS))]
        if later and rng.random() < 0.3:
            chosen.append(int(rng.choice(later)))
        return [{"start": SLOTS[k][0], "end": SLOTS[k][1]} for k in chosen]
    if kind == 0 and rng.random() < 0.2:  # morning, or else the evening slot
        return [
            {"start": MORNING[0], "end": MORNING[1]},
            {"start": SLOTS[-1][0], "end": SLOTS[-1][1]},
        ]
    span = MORNING if kind == 0 else AFTERNOON
    return [{"start": span[0], "end": span[1]}]


def _order(
    rng: np.random.Generator,
    j: int,
    spots: list[list[tuple[float, float]]],
    weights: np.ndarray,
    skills: list[Skill],
    skill_p: np.ndarray,
) -> dict[str, Any]:
    district = int(rng.choice(len(DISTRICTS), p=weights))
    lon, lat = spots[district][int(rng.integers(HOT_SPOTS))]
    x, y = _scatter(rng, lon, lat, ESTATE_SPREAD_KM)
    install = rng.random() < INSTALL_SHARE
    duration = (
        int(rng.integers(4, 11)) * 15 if install else int(rng.integers(6, 19)) * 5
    )  # 60–150 / 30–90
    windows = _windows(rng)
    order: dict[str, Any] = {
        "id": f"WO{j + 1:05d}",
        "location": {"x": x, "y": y},
        "skill": skills[rng.choice(len(skills), p=skill_p)].value,
        "min_level": int(rng.choice([1, 2, 3], p=[0.5, 0.4, 0.1] if install else [0.6, 0.3, 0.1])),
        "duration": duration,
        "windows": windows,
        "priority": int(rng.choice(5, p=PRIORITY_SHARE)) + 1,
        "parts_volume": int(rng.integers(20, 81))
        if install
        else (int(rng.integers(1, 16)) if rng.random() < 0.4 else 0),
    }
    if rng.random() < 0.8:  # promised: done within the first window (plus some slack)
        order["sla_deadline"] = windows[0]["end"] + duration + int(rng.integers(0, 61))
    return order


def _skilled(technician: dict[str, Any], order: dict[str, Any]) -> bool:
    return technician["skills"].get(order["skill"], 0) >= order["min_level"]


def _pin(
    rng: np.random.Generator, orders: list[dict[str, Any]], technicians: list[dict[str, Any]]
) -> None:
    """A few customers ask for the technician who came last time (one who has the skill)."""
    for order in orders:
        if rng.random() < PINNED_SHARE:
            skilled = [t["id"] for t in technicians if _skilled(t, order)]
            if skilled:
                order["pinned_technician"] = str(rng.choice(skilled))


def _current_routes(rng: np.random.Generator, problem: Problem) -> dict[int, list[int]]:
    """Some technicians' current routes: one or two nearby morning orders, the first locked;
    a route is kept only if his day is feasible with it (a locked stop must be keepable)."""
    c = compile_problem(problem)
    routes: dict[int, list[int]] = {}
    early = np.array(
        [bool(o.windows) and o.windows[0].start <= MORNING[0] + 120 for o in problem.orders],
        dtype=bool,
    )
    free = early & (c.pinned < 0)
    anyone = c.order_skill == NO_SKILL
    for t in range(c.n_tech):
        if rng.random() >= ROUTED_SHARE:
            continue
        skilled = anyone | (c.levels[t][np.where(anyone, 0, c.order_skill)] >= c.order_level)
        candidates = np.flatnonzero(free & skilled)
        if len(candidates) == 0:
            continue
        minutes, _ = c.travel.legs(
            np.full(len(candidates), c.start_place(t)), c.order_place(candidates)
        )
        nearest = [
            int(o)
            for o in candidates[np.argsort(minutes, kind="stable")][: int(rng.integers(1, 3))]
        ]
        nearest.sort(key=lambda o: (problem.orders[o].windows[0].start, o))
        while nearest and not schedule(c, t, nearest).feasible:
            nearest.pop()
        if nearest:
            free[nearest] = False
            routes[t] = nearest
    return routes
