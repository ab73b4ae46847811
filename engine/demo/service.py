"""Demo service: networks, technicians with skills and shifts, and one day of open work orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import numpy as np

from engine.demo.geography import (
    DISTRICT_INDEX,
    DISTRICTS,
    TERRITORIES,
    TIME_ZONE,
    population_weights,
    scatter,
    street_addresses,
)
from engine.demo.names import person_names
from engine.demo.rows import Row, Rows, local_instant, stamped
from schemas.enums import Skill, WorkOrderKind, WorkOrderStatus

SKILLS = tuple(Skill)
SKILL_P = {
    Skill.AIR_CONDITIONER: 0.35,
    Skill.WASHER: 0.13,
    Skill.REFRIGERATOR: 0.10,
    Skill.WATER_HEATER: 0.16,
    Skill.RANGE_HOOD: 0.16,
    Skill.TV: 0.10,
}
LEVEL_P = (0.10, 0.25, 0.30, 0.25, 0.10)
SHIFTS = ((time(8), time(17)), (time(9), time(18)), (time(8, 30), time(17, 30)))
SHIFT_P = (0.45, 0.45, 0.10)
COVER_SHIFT = (time(9), time(18))
CAPACITIES = (420, 450, 480, 510, 540)
# Typical minutes on site by kind and skill; a refrigerator needs no installation.
MINUTES = {
    WorkOrderKind.INSTALL: {
        Skill.AIR_CONDITIONER: 120,
        Skill.WASHER: 45,
        Skill.WATER_HEATER: 90,
        Skill.RANGE_HOOD: 90,
        Skill.TV: 60,
        Skill.REFRIGERATOR: 45,
    },
    WorkOrderKind.REPAIR: {
        Skill.AIR_CONDITIONER: 90,
        Skill.WASHER: 60,
        Skill.REFRIGERATOR: 75,
        Skill.WATER_HEATER: 60,
        Skill.RANGE_HOOD: 60,
        Skill.TV: 60,
    },
}
FAULTS = {
    Skill.AIR_CONDITIONER: ("空调不制冷", "室外机噪音大", "显示E1故障码", "漏水"),
    Skill.WASHER: ("不脱水", "进水慢", "滚筒异响", "显示E3故障码"),
    Skill.REFRIGERATOR: ("冷藏室不制冷", "压缩机频繁启动", "结霜严重"),
    Skill.WATER_HEATER: ("不出热水", "漏水", "点火失败"),
    Skill.RANGE_HOOD: ("吸力变小", "噪音大", "按键失灵"),
    Skill.TV: ("开机黑屏", "画面有竖线", "无法连接网络"),
}
PRIORITY_P = (0.05, 0.15, 0.50, 0.20, 0.10)
# Hours from the end of the window to the SLA deadline by priority (1 = most urgent).
SLA_HOURS = (2, 4, 8, 24, 48)
ASSIGNED_SHARE = 0.22
ACCEPTED_SHARE = 0.2


def split(total: int, weights: np.ndarray, floor: int = 0) -> list[int]:
    """`total` split by `weights` (largest remainder), each part at least `floor` when it fits."""
    base = np.full(len(weights), min(floor, total // max(len(weights), 1)))
    share = (total - base.sum()) * weights / weights.sum()
    parts = base + np.floor(share).astype(int)
    for i in np.argsort(-(share - np.floor(share)), kind="stable")[: total - parts.sum()]:
        parts[i] += 1
    return [int(p) for p in parts]


def territory_weights(n_networks: int) -> np.ndarray:
    """Each network's share of the demand: the population of its districts."""
    return np.array(
        [
            sum(DISTRICTS[DISTRICT_INDEX[c]].population_10k for c in t.district_codes)
            for t in TERRITORIES[:n_networks]
        ],
        dtype=float,
    )


def network_rows(rng: np.random.Generator, n: int, day: date) -> Rows:
    """`n` service networks, each over one or two districts, in Shanghai's time zone."""
    territories = TERRITORIES[:n]
    seat = np.array([DISTRICT_INDEX[t.district_codes[0]] for t in territories], dtype=np.int64)
    lat, lon = scatter(rng, seat)
    _, addresses = street_addresses(rng, seat)
    return [
        stamped(
            {
                "id": k + 1,
                "code": f"SN-{t.code}",
                "name": f"华澜{t.name}服务网点",
                "time_zone": TIME_ZONE,
                "region_codes": list(t.district_codes),
                "address": addresses[k],
                "latitude": float(lat[k]),
                "longitude": float(lon[k]),
            },
            local_instant(day - timedelta(days=int(rng.integers(400, 2_000))), 9 * 60),
        )
        for k, t in enumerate(territories)
    ]


def technician_rows(
    rng: np.random.Generator, n: int, day: date, networks: Rows
) -> tuple[Rows, Rows]:
    """`n` technicians living in their network's districts, each with one to three skills.

    The first six of each network cover one skill each, at level 3 or more on the 09:00-18:00
    shift: with windows that leave room for the visit before 18:00 and levels of at most 3,
    every work order has someone in its network who could take it.
    """
    per_network = split(n, territory_weights(len(networks)), floor=len(SKILLS))
    network_of = np.repeat([w["id"] for w in networks], per_network)
    rank_in_network = np.concatenate([np.arange(c) for c in per_network]).astype(int).tolist()
    district_idx = np.array(
        [
            DISTRICT_INDEX[codes[int(rng.choice(len(codes), p=population_weights(codes)))]]
            for codes in (networks[w - 1]["region_codes"] for w in network_of.tolist())
        ],
        dtype=np.int64,
    )
    lat, lon = scatter(rng, district_idx)
    names = person_names(rng, n)
    shifts = rng.choice(len(SHIFTS), size=n, p=SHIFT_P).tolist()
    capacities = rng.choice(CAPACITIES, size=n).tolist()
    ratings = np.round(np.clip(rng.normal(4.6, 0.25, size=n), 3.5, 5.0), 1).tolist()
    active = (rng.random(n) >= 0.04).tolist()
    hired = rng.integers(30, 3_000, size=n).tolist()
    skill_p = np.array(list(SKILL_P.values()))

    technicians: Rows = []
    skills: Rows = []
    for i in range(n):
        technician_id = i + 1
        rank = rank_in_network[i]
        held = (
            [SKILLS[rank]]
            if rank < len(SKILLS)
            else [SKILLS[int(rng.choice(len(SKILLS), p=skill_p))]]
        )
        for _ in range(int(rng.choice(3, p=(0.45, 0.4, 0.15)))):
            others = [k for k, s in enumerate(SKILLS) if s not in held]
            p = skill_p[others] / skill_p[others].sum()
            held.append(SKILLS[others[int(rng.choice(len(others), p=p))]])
        for skill in sorted(held, key=lambda s: s.value):
            level = int(rng.choice(5, p=LEVEL_P)) + 1
            skills.append(
                {
                    "technician_id": technician_id,
                    "skill": skill,
                    "level": _level(level, rank, skill is held[0]),
                }
            )
        start, end = SHIFTS[shifts[i]] if rank >= len(SKILLS) else COVER_SHIFT
        technicians.append(
            stamped(
                {
                    "id": technician_id,
                    "code": f"T{technician_id:05d}",
                    "name": names[i],
                    "network_id": int(network_of[i]),
                    "home_latitude": float(lat[i]),
                    "home_longitude": float(lon[i]),
                    "shift_start": start,
                    "shift_end": end,
                    "daily_capacity_minutes": int(capacities[i]),
                    "rating": float(ratings[i]),
                    "active": bool(active[i] or rank < len(SKILLS)),
                },
                local_instant(day - timedelta(days=hired[i]), 9 * 60),
            )
        )
    return technicians, skills


def _level(drawn: int, rank: int, primary: bool) -> int:
    """A skill's level: as drawn, but 2+ for one's main skill and 3+ for a network's cover."""
    if rank < len(SKILLS) and primary:
        return max(drawn, 3)
    return max(drawn, 2) if primary else drawn


@dataclass
class _Crew:
    """A technician as the assignment sees them: where they can go, and their minutes left."""

    id: int
    levels: dict[Skill, int]
    shift: tuple[int, int]
    left: int

    def can_take(self, skill: Skill, level: int, window: tuple[int, int], minutes: int) -> bool:
        arrive = max(window[0], self.shift[0])
        return (
            self.levels.get(skill, 0) >= level
            and arrive <= window[1]
            and arrive + minutes <= self.shift[1]
            and minutes <= self.left
        )


def _minute(t: time) -> int:
    return t.hour * 60 + t.minute


@dataclass(frozen=True)
class _Draws:
    """Every random number one network's work orders need, drawn at once (numpy is fast in bulk)."""

    member: list[int]
    repair: list[bool]
    pick: list[list[int]]
    level: list[int]
    noise: list[int]
    hours: list[int]
    slot: list[float]
    priority: list[int]
    created: list[int]
    assign: list[bool]
    accept: list[bool]
    gaps: list[list[int]]

    @classmethod
    def of(cls, rng: np.random.Generator, count: int, members: int) -> _Draws:
        return cls(
            member=rng.choice(members, size=count, replace=count > members).tolist(),
            repair=(rng.random(count) < 0.45).tolist(),
            pick=rng.integers(0, 1 << 30, size=(count, 3)).tolist(),
            level=rng.random(count).tolist(),
            noise=rng.choice((-15, 0, 0, 15, 30), size=count).tolist(),
            hours=rng.choice((2, 3, 4), size=count, p=(0.4, 0.35, 0.25)).tolist(),
            slot=rng.random(count).tolist(),
            priority=(rng.choice(5, size=count, p=PRIORITY_P) + 1).tolist(),
            created=rng.integers(3 * 60, 3 * 24 * 60, size=count).tolist(),
            assign=(rng.random(count) < ASSIGNED_SHARE).tolist(),
            accept=(rng.random(count) < ACCEPTED_SHARE).tolist(),
            gaps=np.stack(
                [rng.integers(5, 120, size=count), rng.integers(5, 60, size=count)], axis=1
            ).tolist(),
        )


def work_order_rows(
    rng: np.random.Generator,
    n: int,
    day: date,
    networks: Rows,
    technicians: Rows,
    technician_skills: Rows,
    members: Rows,
    registrations: Rows,
    products: Rows,
) -> tuple[Rows, Rows]:
    """`n` open work orders on `day`: most created, some assigned (a few accepted) to a
    technician of the network who holds the skill at the level, whose shift fits the window
    and who still has the minutes."""
    per_network = split(n, territory_weights(len(networks)))
    product_by_id = {p["id"]: p for p in products}
    installable = [p for p in products if p["needs_installation"]]
    repairable: dict[int, Rows] = {}
    for r in registrations:
        if product_by_id[r["product_id"]]["required_skill"] is not None:
            repairable.setdefault(r["member_id"], []).append(r)
    levels: dict[int, dict[Skill, int]] = {}
    for s in technician_skills:
        levels.setdefault(s["technician_id"], {})[s["skill"]] = s["level"]
    crews: dict[tuple[int, Skill], list[_Crew]] = {}
    for t in technicians:
        if t["active"]:
            crew = _Crew(
                t["id"],
                levels.get(t["id"], {}),
                (_minute(t["shift_start"]), _minute(t["shift_end"])),
                t["daily_capacity_minutes"],
            )
            for skill in crew.levels:
                crews.setdefault((t["network_id"], skill), []).append(crew)

    orders: Rows = []
    events: Rows = []
    for network, count in zip(networks, per_network, strict=True):
        regions = set(network["region_codes"])
        local = [m for m in members if m["region_code"] in regions and m["latitude"] is not None]
        draws = _Draws.of(rng, count, len(local))
        for k in range(count):
            member = local[draws.member[k]]
            order, history = _work_order(
                draws,
                k,
                len(orders) + 1,
                day,
                network,
                member,
                repairable.get(member["id"], []),
                installable,
                product_by_id,
                crews,
            )
            orders.append(order)
            for e in history:
                events.append({"id": len(events) + 1, **e})
    return orders, events


def _work_order(
    draws: _Draws,
    k: int,
    order_id: int,
    day: date,
    network: Row,
    member: Row,
    owned: Rows,
    installable: Rows,
    product_by_id: dict[int, Row],
    crews: dict[tuple[int, Skill], list[_Crew]],
) -> tuple[Row, Rows]:
    """The k-th work order of its network's draws, for `member` (a repair of a unit they own, or a
    new unit's installation), and the events that brought it to its status."""
    pick = draws.pick[k]
    registration: Row | None = None
    if owned and draws.repair[k]:
        kind = WorkOrderKind.REPAIR
        registration = owned[pick[0] % len(owned)]
        product = product_by_id[registration["product_id"]]
        skill_level = 1 if draws.level[k] < 0.5 else 2 if draws.level[k] < 0.8 else 3
    else:
        kind = WorkOrderKind.INSTALL
        product = installable[pick[0] % len(installable)]
        skill_level = 1 if draws.level[k] < 0.7 else 2
    skill: Skill = product["required_skill"]
    if kind is WorkOrderKind.REPAIR:
        description = (
            f"故障报修：{FAULTS[skill][pick[1] % len(FAULTS[skill])]}（{product['name']}）"
        )
    else:
        description = f"新机安装：{product['name']}"
    minutes = max(30, MINUTES[kind][skill] + draws.noise[k])
    hours = draws.hours[k]
    # Windows start on the half hour from 08:00; window and visit both end by 18:00.
    latest = min(18 * 60 - hours * 60, 18 * 60 - minutes)
    start = 8 * 60 + 30 * int(draws.slot[k] * ((latest - 8 * 60) // 30 + 1))
    window = (start, start + hours * 60)
    priority = draws.priority[k]
    created = local_instant(day, -draws.created[k])

    history: Rows = [
        {
            "work_order_id": order_id,
            "from_status": None,
            "to_status": WorkOrderStatus.CREATED,
            "technician_id": None,
            "at": created,
            "note": None,
        }
    ]
    technician_id: int | None = None
    if draws.assign[k]:
        able = [
            c
            for c in crews.get((network["id"], skill), [])
            if c.can_take(skill, skill_level, window, minutes)
        ]
        if able:
            crew = able[pick[2] % len(able)]
            crew.left -= minutes
            technician_id = crew.id
            at = created + timedelta(minutes=draws.gaps[k][0])
            history.append(
                {
                    "work_order_id": order_id,
                    "from_status": WorkOrderStatus.CREATED,
                    "to_status": WorkOrderStatus.ASSIGNED,
                    "technician_id": crew.id,
                    "at": at,
                    "note": None,
                }
            )
            if draws.accept[k]:
                at += timedelta(minutes=draws.gaps[k][1])
                history.append(
                    {
                        "work_order_id": order_id,
                        "from_status": WorkOrderStatus.ASSIGNED,
                        "to_status": WorkOrderStatus.ACCEPTED,
                        "technician_id": crew.id,
                        "at": at,
                        "note": None,
                    }
                )
    window_end = local_instant(day, window[1])
    order = {
        "id": order_id,
        "order_no": f"WO{day:%Y%m%d}{order_id:06d}",
        "kind": kind,
        "status": history[-1]["to_status"],
        "network_id": network["id"],
        "member_id": member["id"],
        "registration_id": registration["id"] if registration else None,
        "product_id": product["id"],
        "region_code": member["region_code"],
        "address": member["address"],
        "latitude": member["latitude"],
        "longitude": member["longitude"],
        "required_skill": skill,
        "min_skill_level": skill_level,
        "duration_minutes": minutes,
        "window_start": local_instant(day, window[0]),
        "window_end": window_end,
        "priority": priority,
        "sla_deadline": window_end + timedelta(hours=SLA_HOURS[priority - 1]),
        "technician_id": technician_id,
        "description": description,
        "rating": None,
        "cancel_reason": None,
        "version": len(history),
        "created_at": created,
        "updated_at": history[-1]["at"],
    }
    return order, history
