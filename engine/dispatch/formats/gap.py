"""OR-Library generalized assignment problems (Beasley; Chu & Beasley 1997) as dispatch problems.

A file holds P problems, each `m n`, then m rows of n costs c[i][j], m rows of n resource uses
a[i][j] and m capacities b[i]. In dispatch terms agents are technicians with b[i] minutes, jobs
are orders, a[i][j] is technician i's own time for order j (the `duration` override) and c[i][j]
the pairing's value or cost (the `cost` override). Travel contributes nothing: every place is
one point. gap1–12 maximise the total; gapa/gapb (and the other C/D/E sets) minimise it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from engine.dispatch.validate import parse
from engine.errors import DomainError
from schemas.dispatch import HORIZON_MINUTES, Problem, TravelKind
from schemas.errors import ErrorCode

Sense = Literal["min", "max"]
_MAXIMISED = {f"gap{k}" for k in range(1, 13)}


@dataclass(frozen=True)
class GapInstance:
    """One problem of a GAP file: cost[i][j], use[i][j] (agent i, job j) and capacity[i]."""

    name: str
    cost: list[list[int]]
    use: list[list[int]]
    capacity: list[int]

    @property
    def agents(self) -> int:
        return len(self.capacity)

    @property
    def jobs(self) -> int:
        return len(self.cost[0]) if self.cost else 0


def _numbers(text: str, source: str) -> Iterator[int]:
    for k, token in enumerate(text.split()):
        try:
            yield int(token)
        except ValueError:
            raise DomainError.single(
                (source, k), f"expected an integer, found {token[:20]!r}", ErrorCode.INVALID
            ) from None


def parse_gap(text: str, stem: str = "gap") -> list[GapInstance]:
    """Every problem of an OR-Library GAP file, named `stem#k` (k from 1)."""
    numbers = _numbers(text, stem)

    def take(what: str) -> int:
        value = next(numbers, None)
        if value is None:
            raise DomainError.single(
                (stem,), f"the file ends where {what} was expected", ErrorCode.INVALID
            )
        return value

    count = take("the number of problems")
    instances = []
    for k in range(1, count + 1):
        m, n = take(f"problem {k}'s agent count"), take(f"problem {k}'s job count")
        if m < 1 or n < 1:
            raise DomainError.single(
                (stem, k), f"problem {k} has {m} agents and {n} jobs", ErrorCode.OUT_OF_RANGE
            )
        cost = [[take(f"problem {k}'s costs") for _ in range(n)] for _ in range(m)]
        use = [[take(f"problem {k}'s resource uses") for _ in range(n)] for _ in range(m)]
        capacity = [take(f"problem {k}'s capacities") for _ in range(m)]
        instances.append(GapInstance(f"{stem}#{k}", cost, use, capacity))
    if next(numbers, None) is not None:
        raise DomainError.single(
            (stem,), f"numbers follow the last of {count} problems", ErrorCode.INVALID
        )
    return instances


def read_gap(path: str | Path) -> list[GapInstance]:
    path = Path(path)
    return parse_gap(path.read_text(encoding="ascii"), path.stem)


def sense_of(name: str) -> Sense:
    """gap1–gap12 are maximisation problems; the rest of the OR-Library sets minimise."""
    return "max" if name.split("#")[0] in _MAXIMISED else "min"


def gap_problem(instance: GapInstance, sense: Sense | None = None) -> Problem:
    """The instance as a checked Problem (a DomainError if its numbers break the contract):
    technicians with b[i] minutes over the whole horizon, orders anyone may take, every place
    one point, the uses and costs as per-pair overrides."""
    techs = [f"t{i + 1}" for i in range(instance.agents)]
    orders = [f"o{j + 1}" for j in range(instance.jobs)]
    here = {"x": 0.0, "y": 0.0}
    return parse(
        {
            "name": instance.name,
            "travel": {"kind": TravelKind.EUCLIDEAN.value},
            "technicians": [
                {
                    "id": t,
                    "start": here,
                    "skills": {},
                    "capacity_minutes": b,
                    "shifts": [{"start": 0, "end": HORIZON_MINUTES}],
                }
                for t, b in zip(techs, instance.capacity, strict=True)
            ],
            # The order's own duration is never used (every pair has its override): the shortest.
            "orders": [
                {"id": o, "location": here, "duration": min(row[j] for row in instance.use)}
                for j, o in enumerate(orders)
            ],
            "duration": {
                t: dict(zip(orders, row, strict=True))
                for t, row in zip(techs, instance.use, strict=True)
            },
            "cost": {
                t: dict(zip(orders, row, strict=True))
                for t, row in zip(techs, instance.cost, strict=True)
            },
            "cost_sense": sense or sense_of(instance.name),
        }
    )
