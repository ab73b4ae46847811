"""What each (technician, order) pair can and would cost on its own, as [T, O] arrays for the
batch assignment: eligibility beyond skill, the round trip, the earliest lateness, the limits.

A pair is eligible when the technician has the skill at the level (and the pin allows him),
the order is within his radius and alone fits his minutes, jobs and parts, and some window of
the order meets one of his shifts with the drive from his start and back to his end. Locked
stops are eligible where they are locked, whatever else holds: they never move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.dispatch.compiled import Compiled
from schemas.dispatch import HORIZON_MINUTES

_NEVER = np.iinfo(np.int64).max // 4
MAX_APPROACH_ORDERS = 5_000  # above this, the drive in is estimated from his start only


@dataclass
class PairFacts:
    eligible: np.ndarray  # [T, O] bool
    minutes: np.ndarray  # [T, O] service minutes (overrides applied)
    jobs: np.ndarray  # [O] ones: each order is one job
    parts: np.ndarray  # [O] parts volume
    round_trip: np.ndarray  # [T, O] minutes start -> order -> end
    late: np.ndarray  # [T, O] minutes past the SLA deadline at the earliest possible end
    day_minutes: (
        np.ndarray
    )  # [T, O] service plus the shortest drive in: what a visit takes of a day
    day_length: np.ndarray  # [T] minutes of his shifts, the break taken out
    capacity: np.ndarray  # [T] service minutes he can give (≥ his locked stops')
    max_jobs: np.ndarray  # [T]
    parts_capacity: np.ndarray  # [T]
    locked_on: dict[int, int]  # locked order -> its technician

    def limits(self) -> np.ndarray:
        """[4, T] what each technician can hold: minutes, jobs, parts, minutes of the day."""
        return np.stack([self.capacity, self.max_jobs, self.parts_capacity, self.day_length])

    def needs(self, t: int | np.ndarray, o: int | np.ndarray) -> np.ndarray:
        """[4, ...] what pairs take of those limits (broadcasting t against o)."""
        t, o = np.broadcast_arrays(t, o)
        return np.stack([self.minutes[t, o], self.jobs[o], self.parts[o], self.day_minutes[t, o]])

    def fits(self, chosen: dict[int, int]) -> bool:
        """Does this assignment (order -> technician) respect eligibility, locks and limits?"""
        used = np.zeros((4, len(self.capacity)), dtype=np.int64)
        for o, t in chosen.items():
            if not self.eligible[t, o]:
                return False
            used[:, t] += self.needs(t, o)
        return bool((used <= self.limits()).all()) and all(
            chosen.get(o) == t for o, t in self.locked_on.items()
        )


def _padded(rows: list[list[tuple[int, int]]], empty: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """Starts and ends of per-row interval lists, padded with an impossible interval."""
    width = max((len(r) for r in rows), default=0) or 1
    starts = np.full((len(rows), width), _NEVER, dtype=np.int64)
    ends = np.full((len(rows), width), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        for k, (a, b) in enumerate(row or [empty]):
            starts[i, k], ends[i, k] = a, b
    return starts, ends


def pair_facts(c: Compiled) -> PairFacts:
    techs, orders = c.technicians, c.orders
    n_t, n_o = c.n_tech, c.n_orders
    t_idx, o_idx = np.arange(n_t), np.arange(n_o)
    starts = np.asarray(c.start_place(t_idx))[:, None]
    ends = np.asarray(c.end_place(t_idx))[:, None]
    places = np.asarray(c.order_place(o_idx))[None, :]
    out_min, out_km = c.travel.legs(starts, places)
    back_min, _ = c.travel.legs(places, ends)
    out_min, back_min = np.broadcast_to(out_min, (n_t, n_o)), np.broadcast_to(back_min, (n_t, n_o))
    minutes = c.durations.astype(np.int64)
    parts = np.array([o.parts_volume for o in orders], dtype=np.int64)

    # What a day can hold: service minutes within capacity and within the shifts' own length.
    shift_minutes = np.array(
        [
            sum(w.end - w.start for w in t.shifts) - (t.break_.duration if t.break_ else 0)
            for t in techs
        ],
        dtype=np.int64,
    )
    capacity = np.minimum([t.capacity_minutes for t in techs], shift_minutes).astype(np.int64)
    max_jobs = np.array([n_o if t.max_jobs is None else t.max_jobs for t in techs], dtype=np.int64)
    parts_cap = np.array(
        [parts.sum() if t.parts_capacity is None else t.parts_capacity for t in techs],
        dtype=np.int64,
    )

    eligible = c.eligible.copy()
    eligible &= minutes <= capacity[:, None]
    eligible &= max_jobs[:, None] >= 1
    eligible &= parts[None, :] <= parts_cap[:, None]
    radius = np.array([np.inf if t.max_radius_km is None else t.max_radius_km for t in techs])
    eligible &= np.broadcast_to(out_km, (n_t, n_o)) <= radius[:, None]

    # Time: the earliest end of a visit in some window and some shift, reachable from the
    # start at the first shift's start and leaving the drive home before the last shift ends.
    s_start, s_end = _padded([[(w.start, w.end) for w in t.shifts] for t in techs], (0, -1))
    w_start, w_end = _padded(
        [[(w.start, w.end) for w in o.windows] for o in orders], (0, HORIZON_MINUTES)
    )
    first_arrival = s_start[:, :1] + out_min
    last_end = s_end.max(axis=1)[:, None]
    earliest_end = np.full((n_t, n_o), _NEVER, dtype=np.int64)
    for k in range(s_start.shape[1]):
        for w in range(w_start.shape[1]):
            begin = np.maximum(
                np.maximum(first_arrival, s_start[:, k : k + 1]), w_start[None, :, w]
            )
            end = begin + minutes
            fits = (begin <= w_end[None, :, w]) & (end <= s_end[:, k : k + 1])
            fits &= end + back_min <= last_end
            earliest_end = np.where(fits, np.minimum(earliest_end, end), earliest_end)
    eligible &= earliest_end < _NEVER
    deadline = np.array(
        [_NEVER if o.sla_deadline is None else o.sla_deadline for o in orders], dtype=np.int64
    )
    late = np.where(eligible, np.maximum(0, earliest_end - deadline[None, :]), 0)

    # Each visit needs a drive in, at least from the nearest other place he could come from.
    approach = out_min.copy()
    if 1 < n_o <= MAX_APPROACH_ORDERS:
        between = c.travel.legs(places.T, places)[0].astype(np.int64)
        np.fill_diagonal(between, _NEVER)
        approach = np.minimum(approach, between.min(axis=0)[None, :])
    elif n_o > 1:
        approach = np.zeros_like(out_min)

    day_minutes = (minutes + approach).astype(np.int64)
    day_length = shift_minutes.copy()

    # Locked stops stay: eligible where they are, and their load widens his limits if needed.
    locked_on: dict[int, int] = {}
    for t, tech in enumerate(techs):
        for stop in tech.route:
            if stop.locked:
                locked_on[c.order_index[stop.order_id]] = t
    for o, t in locked_on.items():
        eligible[t, o] = True
    for t in set(locked_on.values()):
        mine = [o for o, owner in locked_on.items() if owner == t]
        capacity[t] = max(capacity[t], int(minutes[t, mine].sum()))
        max_jobs[t] = max(max_jobs[t], len(mine))
        parts_cap[t] = max(parts_cap[t], int(parts[mine].sum()))
        day_length[t] = max(day_length[t], int(day_minutes[t, mine].sum()))

    return PairFacts(
        eligible=eligible,
        minutes=minutes,
        jobs=np.ones(n_o, dtype=np.int64),
        parts=parts,
        round_trip=(out_min + back_min).astype(np.int64),
        late=late.astype(np.int64),
        day_minutes=day_minutes,
        day_length=day_length,
        capacity=capacity,
        max_jobs=max_jobs,
        parts_capacity=parts_cap,
        locked_on=locked_on,
    )
