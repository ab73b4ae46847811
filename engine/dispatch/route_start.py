"""The routing search's warm start (the current routes, completed by cheapest insertion), and
the repair that keeps any route to what timeline and the model both accept.

OR-Tools' own first-solution heuristics stall on large days (1,000 orders × 100 technicians
with windows and breaks found nothing in 10 s), and clustered instances want a good start. So
the current routes (kept to what timeline allows) are completed here, most urgent order first,
each at its cheapest feasible position by the vectorised insertion of `insertion.RouteSet` —
whose feasibility is timeline's, so the start is a plan of its own if the search finds nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence

import numpy as np

from engine.dispatch.compiled import Compiled
from engine.dispatch.insertion import RouteSet
from engine.dispatch.timeline import Day, schedule

NO_DEADLINE = 10**9


def _urgency(c: Compiled, o: int) -> tuple[int, int, int]:
    order = c.orders[o]
    closes = order.windows[0].end if order.windows else NO_DEADLINE
    return int(c.priority[o]), min(closes, order.sla_deadline or NO_DEADLINE), o


def complete(c: Compiled, routes: Sequence[Sequence[int]], eligible: np.ndarray,
             orders: Sequence[int], budget_seconds: float,
             accept: Callable[[Day], bool] = lambda day: True) -> list[list[int]]:
    """Insert the `orders` not yet on `routes` (one per technician, order indices) where each
    costs least; `eligible` [T, O] says who may take what. Stops inserting at the budget."""
    began = time.perf_counter()
    placed = {o for seq in routes for o in seq}
    rs = RouteSet(c, [(t, tuple(seq)) for t, seq in enumerate(routes)])
    for o in sorted((o for o in orders if o not in placed), key=lambda o: _urgency(c, o)):
        if time.perf_counter() - began > budget_seconds:
            break
        groups = np.flatnonzero(eligible[:, o])
        if not len(groups):
            continue
        found = rs.insert(o, groups)
        if not found.feasible.any():
            continue
        k = int(np.argmin(found.cost))
        g, position = int(found.groups[k]), int(found.position[k])
        sequence = list(rs.sequences[g])
        sequence.insert(position, o)
        grown = rs.with_route(g, sequence)
        if grown.days[g].feasible and accept(grown.days[g]):
            rs = grown
    return [list(seq) for seq in rs.sequences]


def drives_in_a_gap(c: Compiled, day: Day) -> bool:
    """Whether the day needs driving during a gap between shifts: timeline allows it, the
    model does not (a gap is a break interval there, and breaks take slack, not travel)."""
    tech = c.technicians[day.technician]
    gaps = [(a.end, b.start) for a, b in zip(tech.shifts, tech.shifts[1:]) if b.start > a.end]
    if not gaps or not day.visits:
        return False
    pause = tech.break_

    def rest(left: int, right: int) -> int:  # the break, when timeline takes it in this leg
        taken = day.break_start
        return pause.duration if pause and taken is not None and left <= taken < right else 0

    ends = [day.leave, *(v.end for v in day.visits)]
    for left, v in zip(ends, day.visits):  # each leg must hold its drive, break and gaps
        inside = sum(b - a for a, b in gaps if left <= a and b <= v.start)
        if v.start - left < v.travel_minutes + rest(left, v.start) + inside:
            return True
    # home: a gap he reaches home before is after his day; one his trip runs into is waited
    home = day.travel_minutes - sum(v.travel_minutes for v in day.visits)
    back = ends[-1] + home + rest(ends[-1], tech.shifts[-1].end + 1)
    for a, b in gaps:
        if a >= ends[-1] and back > a:
            back += b - a
    return back > tech.shifts[-1].end


def repair(c: Compiled, v: int, seq: Sequence[int], locked: Collection[int],
           strict: bool = False) -> list[int]:
    """The longest greedy subsequence timeline accepts (`strict`: and the model, which does
    not let him drive in a gap between shifts); locked stops are always kept."""

    def fine(sequence: Sequence[int]) -> bool:
        day = schedule(c, v, sequence)
        return day.feasible and not (strict and drives_in_a_gap(c, day))

    if fine(seq):
        return list(seq)
    keep: list[int] = []
    for k, o in enumerate(seq):
        rest = [r for r in seq[k + 1:] if r in locked]
        if o in locked or fine([*keep, o, *rest]):
            keep.append(o)
    return keep
