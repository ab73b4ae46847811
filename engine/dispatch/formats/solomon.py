"""Solomon VRPTW instances (and their `.sol` best-known routes) as dispatch problems.

A file has a name line, a `VEHICLE` block (`NUMBER CAPACITY`) and a `CUSTOMER` table
(`CUST NO. XCOORD. YCOORD. DEMAND READY TIME DUE DATE SERVICE TIME`) whose node 0 is the depot.
Travel time is the Euclidean distance. We scale time by ten (ten minutes a distance unit,
`units_per_minute=0.1`) so integer minutes are distances truncated to one decimal: the
convention of the `.sol` costs, made exact. Every vehicle is a technician at the depot with
the instance's capacity as parts capacity; a customer's demand is its parts volume; a visit
must start in [ready, due] and the vehicle be back by the depot's due date. No skills.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from engine.dispatch.compiled import Compiled
from engine.dispatch.timeline import Day, schedule
from engine.dispatch.validate import parse
from engine.errors import DomainError
from schemas.dispatch import HORIZON_MINUTES, Problem, TravelKind
from schemas.errors import ErrorCode

SCALE = 10  # minutes per distance unit


@dataclass(frozen=True)
class Customer:
    number: int
    x: float
    y: float
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class SolomonInstance:
    name: str
    vehicles: int
    capacity: int
    depot: Customer
    customers: list[Customer]


@dataclass(frozen=True)
class SolomonSolution:
    routes: list[list[int]]  # customer numbers per route
    cost: float | None


def _fail(where: tuple[str | int, ...], message: str) -> DomainError:
    return DomainError.single(where, message, ErrorCode.INVALID)


def parse_solomon(text: str, name: str = "solomon") -> SolomonInstance:
    lines = [line.strip() for line in text.splitlines()]
    upper = [line.upper() for line in lines]
    try:
        at = upper.index("VEHICLE")
        table = upper.index("CUSTOMER")
    except ValueError:
        raise _fail((name,), "a Solomon file needs a VEHICLE and a CUSTOMER section") from None
    header = [line for line in lines[at + 1:table] if re.fullmatch(r"\d+\s+\d+", line)]
    if len(header) != 1:
        raise _fail((name, "VEHICLE"), "expected one `NUMBER CAPACITY` line")
    vehicles, capacity = (int(v) for v in header[0].split())
    rows = []
    for k, line in enumerate(lines[table + 1:], start=table + 2):
        if not line or not line[0].isdigit():
            continue
        fields = line.split()
        try:
            number, x, y, demand, ready, due, service = (float(v) for v in fields)
        except ValueError:
            raise _fail((name, k), f"line {k}: expected 7 numbers, found {line[:60]!r}") from None
        if any(v != int(v) for v in (number, demand, ready, due, service)):
            raise _fail((name, k), f"line {k}: demand and times must be whole numbers")
        rows.append(Customer(int(number), x, y, int(demand), int(ready), int(due), int(service)))
    if not rows or rows[0].number != 0:
        raise _fail((name, "CUSTOMER"), "the customer table must start with the depot, node 0")
    numbers = [r.number for r in rows]
    if numbers != list(range(len(rows))):
        raise _fail((name, "CUSTOMER"), "customers must be numbered 0, 1, 2, … in order")
    if vehicles < 1:
        raise _fail((name, "VEHICLE"), "at least one vehicle is needed")
    return SolomonInstance(lines[0] or name, vehicles, capacity, rows[0], rows[1:])


def read_solomon(path: str | Path) -> SolomonInstance:
    path = Path(path)
    return parse_solomon(path.read_text(encoding="ascii"), path.stem)


def parse_solution(text: str) -> SolomonSolution:
    routes, cost = [], None
    for line in text.splitlines():
        head, _, rest = line.partition(":")
        if head.strip().lower().startswith("route"):
            routes.append([int(v) for v in rest.split()])
        elif head.strip().lower().startswith("cost"):
            cost = float(rest or head.split()[-1])
        elif line.lower().startswith("cost"):
            cost = float(line.split()[-1])
    return SolomonSolution(routes, cost)


def read_solution(path: str | Path) -> SolomonSolution:
    return parse_solution(Path(path).read_text(encoding="ascii"))


def order_id(number: int) -> str:
    return f"c{number}"


def solomon_problem(instance: SolomonInstance, vehicles: int | None = None) -> Problem:
    """The instance as a checked Problem, with `vehicles` technicians (default: the header's)."""
    depot = instance.depot
    count = instance.vehicles if vehicles is None else vehicles
    horizon = depot.due * SCALE
    if horizon > HORIZON_MINUTES:
        raise _fail((instance.name, "CUSTOMER", 0), f"the depot's due date {depot.due} is over"
                    f" the horizon of {HORIZON_MINUTES // SCALE} units")
    here = {"x": depot.x, "y": depot.y}
    return parse({
        "name": instance.name,
        "travel": {"kind": TravelKind.EUCLIDEAN.value, "units_per_minute": 1 / SCALE},
        "weights": {"travel_per_minute": 1, "lateness_per_minute": 0},
        "technicians": [
            {"id": f"v{k + 1}", "start": here, "skills": {},
             "shifts": [{"start": depot.ready * SCALE, "end": horizon}],
             "capacity_minutes": HORIZON_MINUTES, "parts_capacity": instance.capacity}
            for k in range(count)
        ],
        "orders": [
            {"id": order_id(c.number), "location": {"x": c.x, "y": c.y},
             # a zero service time is still a visit: the contract's minimum is one minute
             "duration": max(1, c.service * SCALE), "parts_volume": c.demand,
             "windows": [{"start": c.ready * SCALE, "end": c.due * SCALE}]}
            for c in instance.customers
        ],
    })


def solution_days(c: Compiled, solution: SolomonSolution) -> list[Day]:
    """A `.sol` file's routes as days of the imported problem (route k on technician k), timed by
    timeline: a check of the import, since every best-known route must be feasible here too."""
    days = []
    for k, numbers in enumerate(solution.routes):
        days.append(schedule(c, k, [c.order_index[order_id(n)] for n in numbers]))
    return days
