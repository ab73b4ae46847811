"""A visit order for each technician's assigned orders, without a solver (assignment mode).

Locked stops come first, in their route's order; then, from wherever he is, the order he can
start soonest (its window, then the drive decides), nearest first on a tie. When that day
breaks a time rule, orders by window end (earliest deadline first) are tried, then cheapest
feasible insertion in that order; when all do, the day is kept relaxed, every stop shown,
with the broken rule in its route's `violation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from engine.dispatch.compiled import Compiled
from engine.dispatch.timeline import Day, schedule

_OPEN = 10**9  # an order without windows closes never


def _soonest_first(c: Compiled, t: int, head: Sequence[int], rest: Iterable[int]) -> list[int]:
    sequence = list(head)
    rest = list(rest)
    if not rest:
        return sequence
    trial = schedule(c, t, sequence, relaxed=True)
    now = trial.visits[-1].end if trial.visits else c.technicians[t].shifts[0].start
    here = c.order_place(sequence[-1]) if sequence else c.start_place(t)
    while rest:
        places = np.asarray(c.order_place(np.asarray(rest)))
        drive, _ = c.travel.legs(np.full(len(rest), here), places)
        arrival = now + drive
        opens = np.array([_opening(c, o, int(a)) for o, a in zip(rest, arrival, strict=True)])
        k = int(np.lexsort((drive, opens))[0])
        o = rest.pop(k)
        sequence.append(o)
        start = int(opens[k]) if opens[k] < _OPEN else int(arrival[k])  # closed: on arrival
        now = start + c.service_minutes(t, o)
        here = c.order_place(o)
    return sequence


def _opening(c: Compiled, o: int, arrival: int) -> int:
    """When a visit arriving then could start: now, or its next window (late: on arrival)."""
    for w in c.orders[o].windows:
        if arrival <= w.end:
            return max(arrival, w.start)
    return arrival + _OPEN if c.orders[o].windows else arrival


def _closing(c: Compiled, o: int) -> tuple[int, int]:
    order = c.orders[o]
    last = order.windows[-1].end if order.windows else _OPEN
    return last, _OPEN if order.sla_deadline is None else order.sla_deadline


def day_of(c: Compiled, t: int, orders: Iterable[int], locked: Sequence[int]) -> Day:
    """Technician t's day over these orders, locked ones first in the given order."""
    head = list(locked)
    rest = [o for o in orders if o not in set(head)]
    soonest = _soonest_first(c, t, head, rest)
    day = schedule(c, t, soonest)
    if day.feasible or not rest:
        return day if day.feasible else schedule(c, t, soonest, relaxed=True)
    by_deadline = head + sorted(rest, key=lambda o: (_closing(c, o), o))
    day = schedule(c, t, by_deadline)
    if day.feasible:
        return day
    inserted = _by_insertion(c, t, head, by_deadline[len(head) :])
    day = schedule(c, t, inserted)
    return day if day.feasible else schedule(c, t, inserted, relaxed=True)


def _by_insertion(c: Compiled, t: int, head: list[int], rest: list[int]) -> list[int]:
    """Orders inserted one by one (most urgent first) where the day stays feasible at the
    least drive; those that fit nowhere follow at the end, soonest first."""
    sequence, left = list(head), []
    for o in rest:
        best: tuple[int, int] | None = None
        for k in range(len(head), len(sequence) + 1):
            day = schedule(c, t, [*sequence[:k], o, *sequence[k:]])
            if day.feasible and (best is None or day.travel_minutes < best[0]):
                best = (day.travel_minutes, k)
        if best is None:
            left.append(o)
        else:
            sequence.insert(best[1], o)
    return _soonest_first(c, t, sequence, left) if left else sequence


def build_days(c: Compiled, chosen: dict[int, int], locked: set[int]) -> list[Day]:
    """Every technician's day (an empty one when he has nothing) for an assignment."""
    mine: list[list[int]] = [[] for _ in range(c.n_tech)]
    for o in sorted(chosen):
        mine[chosen[o]].append(o)
    days = []
    for t, tech in enumerate(c.technicians):
        route_locked = [
            c.order_index[s.order_id]
            for s in tech.route
            if s.locked
            and c.order_index[s.order_id] in locked
            and chosen.get(c.order_index[s.order_id]) == t
        ]
        days.append(day_of(c, t, mine[t], route_locked))
    return days
