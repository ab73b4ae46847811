"""A technician's day for a given visit order: when he arrives, starts and ends each visit.

This is the one definition of the day's time rules, shared by every mode:
- he leaves his start at his first shift's start and drives straight to each order in turn;
- a visit starts in one of the order's windows (it may start at the window's end; an early
  arrival waits) and lies wholly inside one shift (a visit that does not fit in the rest of a
  shift waits for the next; the gaps between shifts are unpaid);
- the break, if any, is taken between visits at the first point at or after its earliest start
  (before a visit that would end after its latest start; postponed past a visit it would make
  infeasible), and must start by its latest (else the day is infeasible);
- the day ends back at his end place by the last shift's end;
- service minutes stay within capacity, visits within max jobs, parts within parts capacity.
Lateness (ending after an order's SLA deadline) is reported, never refused.

`relaxed=True` keeps going past a broken rule (a visit whose window has closed starts on
arrival, a late break is taken anyway) so that a plan can still show every stop of a day that
cannot be kept; the first broken rule stays in `violation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.dispatch.compiled import Compiled
from schemas.dispatch import Window


@dataclass
class Visit:
    order: int  # order index
    arrival: int
    start: int
    end: int
    travel_minutes: int
    travel_km: float
    late_minutes: int


@dataclass
class Day:
    technician: int
    visits: list[Visit] = field(default_factory=list)
    leave: int = 0
    back: int = 0
    travel_minutes: int = 0
    travel_km: float = 0.0
    service_minutes: int = 0
    break_start: int | None = None
    violation: str | None = None  # None when feasible

    @property
    def feasible(self) -> bool:
        return self.violation is None


def _start_in(windows: Sequence[Window], at: int) -> int | None:
    """Earliest service start at or after `at` inside one of the windows (none = any time)."""
    if not windows:
        return at
    for w in windows:
        if at <= w.end:
            return max(at, w.start)
    return None


def schedule(c: Compiled, t: int, sequence: Sequence[int], *, relaxed: bool = False) -> Day:
    """Simulate technician t visiting the orders (indices) in this sequence."""
    day = _simulate(c, t, sequence, relaxed, 0)
    if day.feasible or c.technicians[t].break_ is None:
        return day
    # The first point may be the wrong one (the break would close the next visit's window):
    # postpone it past one more visit at a time; the first day that works is the day.
    for hold in range(1, len(sequence) + 1):
        later = _simulate(c, t, sequence, False, hold)
        if later.feasible:
            return later
    return day


def _simulate(c: Compiled, t: int, sequence: Sequence[int], relaxed: bool, hold: int) -> Day:
    """The day with the break taken by the first-point rule, but not before visit `hold`."""
    tech = c.technicians[t]
    shifts = tech.shifts
    day = Day(technician=t, leave=shifts[0].start)
    if not sequence:
        day.back = day.leave
        return day
    places = [c.start_place(t), *(c.order_place(o) for o in sequence), c.end_place(t)]
    minutes, km = c.travel.legs(np.asarray(places[:-1]), np.asarray(places[1:]))
    now, shift = day.leave, 0
    pause = tech.break_
    parts = 0

    def stop(message: str) -> bool:
        """Record a broken rule; True when the simulation must end here (not relaxed)."""
        if day.violation is None:
            day.violation = message
        return not relaxed
    for k, o in enumerate(sequence):
        order = c.orders[o]
        service = c.service_minutes(t, o)
        if pause is not None and day.break_start is None and k >= hold and now >= pause.earliest:
            if now > pause.latest and stop(f"break could not start by minute {pause.latest}"):
                return day
            day.break_start, now = now, now + pause.duration
        arrival = now + int(minutes[k])
        begin = _start_in(order.windows, arrival)
        while begin is not None and shift < len(shifts) and begin + service > shifts[shift].end:
            shift += 1  # does not fit in this shift: wait for the next one
            if shift < len(shifts):
                begin = _start_in(order.windows, max(arrival, shifts[shift].start))
        if begin is None:
            if stop(f"order {order.id} cannot start inside its windows"):
                return day
            begin = arrival
        if shift >= len(shifts):
            if stop(f"order {order.id} does not fit in any shift"):
                return day
            shift = len(shifts) - 1
        due = pause is not None and day.break_start is None and k >= hold
        if due and pause is not None and begin + service > pause.latest:
            # the break cannot follow this visit, so it comes before: take it now, then drive
            take = max(now, pause.earliest)
            if take > pause.latest and stop(f"break could not start by minute {pause.latest}"):
                return day
            day.break_start = take
            arrival = take + pause.duration + int(minutes[k])
            begin = _start_in(order.windows, max(arrival, shifts[shift].start))
            if begin is None or begin + service > shifts[shift].end:
                if stop(f"order {order.id} cannot start inside its windows after the break"):
                    return day
                begin = max(arrival, shifts[shift].start) if begin is None else begin
        end = begin + service
        late = 0 if order.sla_deadline is None else max(0, end - order.sla_deadline)
        day.visits.append(Visit(o, arrival, begin, end, int(minutes[k]), float(km[k]), late))
        day.travel_minutes += int(minutes[k])
        day.travel_km += float(km[k])
        day.service_minutes += service
        parts += order.parts_volume
        now = end
    if pause is not None and day.break_start is None:
        take = max(now, pause.earliest)
        if take > pause.latest and stop(f"break could not start by minute {pause.latest}"):
            return day
        day.break_start, now = take, take + pause.duration
    day.back = now + int(minutes[-1])
    day.travel_minutes += int(minutes[-1])
    day.travel_km += float(km[-1])
    if day.back > shifts[-1].end:
        stop(f"back at minute {day.back}, after the shift ends at {shifts[-1].end}")
    elif day.service_minutes > tech.capacity_minutes:
        stop(f"{day.service_minutes} service minutes exceed capacity {tech.capacity_minutes}")
    elif tech.max_jobs is not None and len(sequence) > tech.max_jobs:
        stop(f"{len(sequence)} visits exceed max jobs {tech.max_jobs}")
    elif tech.parts_capacity is not None and parts > tech.parts_capacity:
        stop(f"parts volume {parts} exceeds capacity {tech.parts_capacity}")
    return day
