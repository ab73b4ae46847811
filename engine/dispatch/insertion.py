"""Cheapest feasible insertion of one order into technicians' routes, vectorised with numpy.

Every (technician, position) pair is a *slot*: the leg from a previous place to a next place
that the order would split. Per slot we precompute once, from `timeline.schedule`, the minute
he leaves the previous place and the latest minute he may reach the next one with the rest of
his day still feasible (a backward pass over windows and shifts). A position's feasibility is
then O(1): arrive, take the earliest start that lies in a window and wholly inside a shift,
serve, drive on, and be at the next place by its latest arrival.

This is exact for days without a break. The break ("at the first point at or after its
earliest start", postponed when that breaks the day) moves with every insertion, so for a
technician with a break the same test runs on his break-free day, a relaxation (dropping the
break only makes a day earlier), and his relaxed-feasible positions are confirmed with
`schedule()` itself, cheapest first (at once, or on demand: `confirm=False`). Either way an
insertion called feasible is feasible by `schedule()`, and its added travel is `schedule()`'s.

Legs are symmetric for haversine and Euclidean travel, so one leg from each route node to the
order gives both legs of every slot; a matrix is read both ways.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.dispatch.compiled import Compiled
from engine.dispatch.timeline import Day, schedule
from schemas.dispatch import TravelKind

INF = 10**9  # "never" in minutes; far above any horizon, far below int64 overflow


@dataclass(frozen=True)
class Insertions:
    """The cheapest feasible insertion of an order into a route, per (order, route) pair."""

    orders: np.ndarray  # order indices
    groups: np.ndarray  # route indices into the RouteSet
    techs: np.ndarray  # their technicians
    feasible: np.ndarray  # bool
    position: np.ndarray  # index in his route; -1 when infeasible
    added_minutes: np.ndarray
    added_km: np.ndarray
    arrival: np.ndarray
    start: np.ndarray
    end: np.ndarray
    late: np.ndarray  # minutes after the SLA deadline
    cost: np.ndarray  # travel and lateness weights applied; inf when infeasible
    distance_km: np.ndarray  # from the previous stop
    pushes_late: np.ndarray  # bool: it may make later visits late (`late` is only its own)
    # pairs whose break-free day takes the order but schedule() was not asked yet
    # (`insert_pairs(..., confirm=False)`): row -> (order, route, positions, relaxed costs)
    pending: dict[int, tuple[int, int, np.ndarray, np.ndarray]] = field(default_factory=dict)

    @property
    def order(self) -> int:
        """The order, when every pair is about the same one (`RouteSet.insert`)."""
        return int(self.orders[0])


def latest_begin(
    windows: Sequence[tuple[int, int]], shifts: Sequence[tuple[int, int]], service: int, by: int
) -> int:
    """The latest start at or before `by` in a window with the visit wholly inside a shift."""
    best = -INF
    for ws, we in windows:
        for ss, se in shifts:
            b = min(we, se - service, by)
            if b >= max(ws, ss):
                best = max(best, b)
    return best


def earliest_begin(
    windows: Sequence[tuple[int, int]], shifts: Sequence[tuple[int, int]], service: int, at: int
) -> int:
    """The earliest start at or after `at` in a window with the visit wholly inside a shift
    (schedule()'s rule without a break), INF when there is none."""
    return min(
        (max(at, ws, ss) for ws, we in windows for ss, se in shifts
         if max(at, ws, ss) <= we and max(at, ws, ss) + service <= se),
        default=INF,
    )


def order_windows(c: Compiled, o: int) -> list[tuple[int, int]]:
    windows = c.orders[o].windows
    return [(w.start, w.end) for w in windows] if windows else [(0, INF)]


_RESULTS = ("feasible", "position", "added_minutes", "added_km", "arrival", "start", "end",
            "late", "cost", "distance_km", "pushes_late")
_STATIC = ("_exact", "_capacity", "_max_jobs", "_parts_capacity", "_shift_start", "_shift_end",
           "_volume", "_sla", "_duration", "_override_keys", "_override_minutes", "_lazy",
           "_order_place")


class RouteSet:
    """Slots of a list of routes, built once and reused for many orders.

    A route is (technician, visit sequence). Usually there is one per technician, in index
    order (`build`), but the same technician may appear with several variants of his day
    (e.g. each with one order taken off) and all are answered in one vectorised pass.
    """

    def __init__(
        self, c: Compiled, routes: Sequence[tuple[int, Sequence[int]]], like: RouteSet | None = None
    ) -> None:
        """`like`: another RouteSet of the same problem whose per-technician arrays to share."""
        self.c = c
        self.tech = np.array([t for t, _ in routes], dtype=np.int64).reshape(-1)
        self.sequences = [tuple(s) for _, s in routes]
        self.days: list[Day] = [schedule(c, int(t), s) for t, s in zip(self.tech, self.sequences)]
        if like is not None:
            for name in _STATIC:
                setattr(self, name, getattr(like, name))
        else:
            self._static()
        self._summarise()
        table = [self._route_slots(g) for g in range(len(self.sequences))]
        self._set_slots(table)

    def _static(self) -> None:
        c, techs = self.c, self.c.technicians
        self._exact = np.array([t.break_ is None for t in techs], dtype=bool)
        self._capacity = np.array([t.capacity_minutes for t in techs], dtype=np.int64)
        self._max_jobs = np.array([INF if t.max_jobs is None else t.max_jobs for t in techs])
        self._parts_capacity = np.array(
            [INF if t.parts_capacity is None else t.parts_capacity for t in techs], dtype=np.int64
        )
        k = max((len(t.shifts) for t in techs), default=1)
        self._shift_start = np.full((c.n_tech, k), INF, dtype=np.int64)
        self._shift_end = np.full((c.n_tech, k), -INF, dtype=np.int64)
        for i, tech in enumerate(techs):
            for j, w in enumerate(tech.shifts):
                self._shift_start[i, j], self._shift_end[i, j] = w.start, w.end
        self._volume = np.array([o.parts_volume for o in c.orders], dtype=np.int64)
        self._sla = np.array(
            [INF if o.sla_deadline is None else o.sla_deadline for o in c.orders], dtype=np.int64
        )
        self._duration = c.duration.astype(np.int64)
        # per-pair service minutes (proficiency) as sorted keys t·O + o, for a vectorised lookup
        pairs = sorted((t * c.n_orders + o, m) for (t, o), m in c._duration_override.items())
        self._override_keys = np.array([k for k, _ in pairs], dtype=np.int64)
        self._override_minutes = np.array([m for _, m in pairs], dtype=np.int64)
        self._lazy: dict[str, np.ndarray] = {}  # built on first use, shared with `like` sets
        self._order_place = c.order_place(np.arange(c.n_orders))

    def _windows(self) -> tuple[np.ndarray, np.ndarray]:
        """[O, W] every order's window starts and ends (padded with never-fitting windows), for
        passes over many orders; one order's windows are read as scalars."""
        if "start" not in self._lazy:
            c = self.c
            width = max((len(o.windows) for o in c.orders), default=1) or 1
            start = np.full((c.n_orders, width), INF, dtype=np.int64)
            end = np.full((c.n_orders, width), -INF, dtype=np.int64)
            for j in range(c.n_orders):
                for k, (ws, we) in enumerate(order_windows(c, j)):
                    start[j, k], end[j, k] = ws, we
            self._lazy.update(start=start, end=end)
        return self._lazy["start"], self._lazy["end"]

    def _summarise(self) -> None:
        self.ok = np.array([d.feasible for d in self.days], dtype=bool)
        self.service = np.array([d.service_minutes for d in self.days], dtype=np.int64)
        self.jobs = np.array([len(s) for s in self.sequences], dtype=np.int64)
        self.parts = np.array([int(self._volume[list(s)].sum()) for s in self.sequences],
                              dtype=np.int64)

    def _route_slots(self, g: int) -> np.ndarray:
        """[7, n+1] rows position, prev place, next place, depart, latest arrival at next, leg
        minutes, latest on-time arrival at next, of route g (no slots when his day is already infeasible)."""
        c, day, seq, t = self.c, self.days[g], self.sequences[g], int(self.tech[g])
        if not day.feasible:
            return np.zeros((7, 0), dtype=np.int64)
        shifts = [(w.start, w.end) for w in c.technicians[t].shifts]
        places = [c.start_place(t), *(c.order_place(o) for o in seq), c.end_place(t)]
        legs = c.travel.legs(np.asarray(places[:-1]), np.asarray(places[1:]))[0].tolist()
        latest = [0] * (len(seq) + 1)
        latest[-1] = shifts[-1][1]
        for k in range(len(seq) - 1, -1, -1):
            service = c.service_minutes(t, seq[k])
            by = latest[k + 1] - legs[k + 1] - service
            latest[k] = latest_begin(order_windows(c, seq[k]), shifts, service, by)
        departs = [day.leave, *(v.end for v in day.visits)]
        if not self._exact[t]:  # with a break: the break-free day's times bound his from below
            departs = [day.leave]
            for k, o in enumerate(seq):
                service = c.service_minutes(t, o)
                begin = earliest_begin(order_windows(c, o), shifts, service, departs[-1] + legs[k])
                departs.append(begin + service)
        if not seq:
            legs = [0]  # an empty day travels nowhere: the whole trip is the order's
        # The latest arrival at the visit at p that leaves it and every visit after it no later
        # past its SLA than now: backwards, as `latest`, with each deadline as a bound. A delay
        # is not simply absorbed by slack: it can push a visit out of its window or shift into
        # the next one, much later.
        ontime = [INF] * (len(seq) + 1)
        for k in range(len(seq) - 1, -1, -1):
            o = seq[k]
            service = c.service_minutes(t, o)
            by = ontime[k + 1] - legs[k + 1] - service
            sla = c.orders[o].sla_deadline
            if sla is not None:
                by = min(by, max(sla, day.visits[k].end) - service)
            ontime[k] = latest_begin(order_windows(c, o), shifts, service, by)
        n = len(seq) + 1
        return np.array([list(range(n)), places[:-1], places[1:], departs, latest, legs, ontime],
                        dtype=np.int64).reshape(7, n)

    def _set_slots(self, table: list[np.ndarray]) -> None:
        self._tables = table
        counts = np.array([t.shape[1] for t in table], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        merged = np.concatenate(table, axis=1) if table else np.zeros((7, 0), dtype=np.int64)
        (self.slot_pos, self.slot_prev, self.slot_next, self.slot_depart, self.slot_latest,
         self.slot_minutes, self.slot_ontime) = merged
        self.slot_group = np.repeat(np.arange(len(table)), counts)
        # what the hot path reads per slot, stacked for one gather: depart, latest, old leg
        # minutes, and his first shift's start and end
        first_shift = self._shift_start[self.tech[self.slot_group], 0], self._shift_end[
            self.tech[self.slot_group], 0]
        self._slot_times = np.stack([self.slot_depart, self.slot_latest, self.slot_minutes,
                                     *first_shift])
        _, km = self.c.travel.legs(self.slot_prev, self.slot_next)
        self.slot_km = np.where(np.repeat(counts == 1, counts), 0.0, km)  # empty days
        # each route's places in visit order (start, orders, end): a slot p runs from node p
        # to node p + 1, so one leg per node to the order answers both of a slot's legs
        nodes = [np.append(t[1], t[2][-1:]) for t in table]
        self.node_place = np.concatenate(nodes) if nodes else np.zeros(0, dtype=np.int64)
        sizes = np.array([len(x) for x in nodes], dtype=np.int64)
        self.node_offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    def with_route(self, g: int, sequence: Sequence[int]) -> RouteSet:
        """A copy with route g replaced (e.g. an order taken off it)."""
        other = RouteSet.__new__(RouteSet)
        other.__dict__.update(self.__dict__)
        other.sequences = list(self.sequences)
        other.sequences[g] = tuple(sequence)
        other.days = list(self.days)
        other.days[g] = schedule(self.c, int(self.tech[g]), other.sequences[g])
        other._summarise()
        table = list(self._tables)
        table[g] = other._route_slots(g)
        other._set_slots(table)
        return other

    def service_of(self, o: int | np.ndarray, techs: np.ndarray) -> np.ndarray:
        """Service minutes of order(s) o by each technician (overrides applied)."""
        shape = np.broadcast_shapes(np.shape(o), np.shape(techs))
        minutes = np.broadcast_to(self._duration[o], shape).copy()
        if len(self._override_keys):
            keys = np.asarray(techs) * self.c.n_orders + o
            at = np.searchsorted(self._override_keys, keys)
            at = np.minimum(at, len(self._override_keys) - 1)
            hit = self._override_keys[at] == keys
            minutes[hit] = self._override_minutes[at[hit]]
        return minutes

    def room(self, o: int | np.ndarray, groups: np.ndarray | None = None,
             service: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
        """Bools per route: minutes, jobs and parts left for order(s) o on top of its day."""
        g = np.arange(len(self.sequences)) if groups is None else np.asarray(groups)
        t = self.tech[g]
        service = self.service_of(o, t) if service is None else service
        return (
            self.service[g] + service <= self._capacity[t],
            self.jobs[g] + 1 <= self._max_jobs[t],
            self.parts[g] + self._volume[o] <= self._parts_capacity[t],
        )

    def insert(self, o: int, groups: np.ndarray | None = None) -> Insertions:
        """Each route's (default: every route's) cheapest feasible insertion of order o."""
        asked = np.arange(len(self.sequences)) if groups is None else np.asarray(groups)
        return self.insert_pairs(np.full(len(asked), o, dtype=np.int64), asked)

    def insert_pairs(self, orders: np.ndarray, groups: np.ndarray, *, confirm: bool = True
                     ) -> Insertions:
        """The cheapest feasible insertion of orders[i] into route groups[i], for every i: many
        orders in one vectorised pass (explanations ask about every order of a plan).

        confirm=False leaves the pairs of technicians with a break that need `schedule()` in
        `pending` (not feasible yet): for callers that need only the first one that holds."""
        c = self.c
        orders, asked = np.asarray(orders, dtype=np.int64), np.asarray(groups, dtype=np.int64)
        n = len(asked)
        out = {
            "feasible": np.zeros(n, dtype=bool), "position": np.full(n, -1, dtype=np.int64),
            "added_minutes": np.zeros(n, dtype=np.int64), "added_km": np.zeros(n),
            "arrival": np.zeros(n, dtype=np.int64), "start": np.zeros(n, dtype=np.int64),
            "end": np.zeros(n, dtype=np.int64), "late": np.zeros(n, dtype=np.int64),
            "cost": np.full(n, np.inf), "distance_km": np.zeros(n),
            "pushes_late": np.zeros(n, dtype=bool),
        }
        result = Insertions(orders=orders, groups=asked, techs=self.tech[asked], **out)
        service_all = self.service_of(orders, self.tech[asked])
        minutes, jobs, parts = self.room(orders, asked, service_all)
        keep = np.flatnonzero(self.ok[asked] & minutes & jobs & parts)  # the rest cannot take it
        groups, pair_orders = asked[keep], orders[keep]
        counts = np.diff(self.offsets)[groups]
        total = int(counts.sum())
        if not total:
            return result
        first = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        row = np.repeat(np.arange(len(groups)), counts)
        slot = np.repeat(self.offsets[groups] - first, counts) + np.arange(total)
        techs = self.tech[groups]
        m1, km1, m2, km2 = self._legs(pair_orders, groups, counts, row, slot)
        service = service_all[keep][row]
        depart, latest, old_minutes, ss, se = self._slot_times[:, slot]
        arrival = depart + m1
        begin = np.full(total, INF, dtype=np.int64)
        one = int(orders[0]) if (orders == orders[0]).all() else None
        if one is not None:  # one order (recommend): its windows and deadline are scalars
            windows = [(ws, we) for ws, we in order_windows(c, one)]
            sla: np.ndarray | int = int(self._sla[one])
        else:
            o = pair_orders[row]
            wstart, wend = self._windows()
            wstart, wend = wstart[o], wend[o]
            windows = [(wstart[:, k], wend[:, k]) for k in range(wstart.shape[1])]
            sla = self._sla[o]
        if self._shift_start.shape[1] == 1:  # one shift each: no second axis
            for ws, we in windows:  # windows in order: the first that fits is the earliest
                b = np.maximum(np.maximum(arrival, ws), ss)
                begin = np.where((b <= we) & (b + service <= se) & (b < begin), b, begin)
        else:
            ss, se = self._shift_start[techs][row], self._shift_end[techs][row]
            for ws, we in windows:
                b = np.maximum(np.maximum(arrival, ws)[:, None], ss)
                fits = (b <= np.asarray(we)[..., None]) & (b + service[:, None] <= se)
                begin = np.minimum(begin, np.where(fits, b, INF).min(axis=1))
        end = begin + service
        feasible = (begin < INF) & (end + m2 <= latest)
        added = m1 + m2 - old_minutes
        late = np.maximum(0, end - sla)
        w = c.problem.weights
        cost = w.travel_per_minute * added + w.lateness_per_minute * late
        cost = np.where(feasible, cost, np.inf)
        best = np.minimum.reduceat(cost, first)
        tied = np.where(feasible & (cost == best[row]), np.arange(total), total)
        pick = np.minimum.reduceat(tied, first)
        found = np.flatnonzero(pick < total)
        exact = self._exact[techs[found]]
        local, s = found[exact], pick[found[exact]]
        rows = keep[local]
        out["feasible"][rows] = True
        out["position"][rows] = self.slot_pos[slot[s]]
        out["added_minutes"][rows] = added[s]
        out["added_km"][rows] = km1[s] + km2[s] - self.slot_km[slot[s]]
        out["arrival"][rows], out["start"][rows], out["end"][rows] = arrival[s], begin[s], end[s]
        out["late"][rows], out["cost"][rows], out["distance_km"][rows] = late[s], cost[s], km1[s]
        out["pushes_late"][rows] = end[s] + m2[s] > self.slot_ontime[slot[s]]
        if (~exact).any():  # a break: its relaxed positions, cheapest first, for schedule()
            mine = np.flatnonzero(np.isfinite(cost) & ~self._exact[techs][row])
            mine = mine[np.lexsort((cost[mine], row[mine]))]
            for chunk in np.split(mine, np.flatnonzero(np.diff(row[mine])) + 1):
                r = int(row[chunk[0]])
                pending = (int(pair_orders[r]), int(groups[r]), self.slot_pos[slot[chunk]],
                           cost[chunk])
                if confirm:
                    self._confirm(*pending, int(keep[r]), out)
                else:
                    result.pending[int(keep[r])] = pending
        return result

    def confirm(self, ins: Insertions, r: int) -> bool:
        """Settle a pending pair of `insert_pairs(..., confirm=False)` with `schedule()`."""
        if r in ins.pending:
            out = {name: getattr(ins, name) for name in _RESULTS}
            self._confirm(*ins.pending.pop(r), r, out)
        return bool(ins.feasible[r])

    def _legs(self, orders: np.ndarray, groups: np.ndarray, counts: np.ndarray, row: np.ndarray,
              slot: np.ndarray) -> tuple[np.ndarray, ...]:
        """Minutes and km of each slot's legs: previous place → order, order → next place."""
        c = self.c
        place = self._order_place[orders]
        if c.problem.travel.kind is TravelKind.MATRIX:  # a matrix need not be symmetric
            m1, km1 = c.travel.legs(self.slot_prev[slot], place[row])
            m2, km2 = c.travel.legs(place[row], self.slot_next[slot])
            return m1, km1, m2, km2
        # haversine and Euclidean legs are symmetric to the bit: one leg per route node
        nodes = counts + 1
        first = np.concatenate([[0], np.cumsum(nodes)[:-1]])
        index = np.repeat(self.node_offsets[groups] - first, nodes) + np.arange(int(nodes.sum()))
        target = place[0] if (place == place[0]).all() else np.repeat(place, nodes)
        minutes, km = c.travel.legs(self.node_place[index], target)
        prev = first[row] + self.slot_pos[slot]
        return minutes[prev], km[prev], minutes[prev + 1], km[prev + 1]

    def _confirm(self, o: int, g: int, positions: np.ndarray, relaxed: np.ndarray, r: int,
                 out: dict) -> None:
        """The cheapest of the relaxed-feasible positions (in relaxed cost order) that holds
        by schedule(). A break only delays, so a position's cost is at least its relaxed cost:
        once the next relaxed cost reaches the best found, nothing later can beat it."""
        c, t, base = self.c, int(self.tech[g]), self.days[g]
        w = c.problem.weights
        best: tuple[float, int, Day] | None = None
        for p, bound in zip(positions.tolist(), relaxed.tolist()):
            if best is not None and bound >= best[0]:
                break
            seq = list(self.sequences[g])
            seq.insert(p, o)
            day = schedule(c, t, seq)
            if day.feasible:
                added = day.travel_minutes - base.travel_minutes
                late = day.visits[p].late_minutes
                score = w.travel_per_minute * added + w.lateness_per_minute * late
                if best is None or score < best[0]:
                    best = (score, p, day)
        if best is None:
            return
        score, p, day = best
        v = day.visits[p]
        out["feasible"][r], out["position"][r] = True, p
        out["added_minutes"][r] = day.travel_minutes - base.travel_minutes
        out["added_km"][r] = day.travel_km - base.travel_km
        out["arrival"][r], out["start"][r], out["end"][r] = v.arrival, v.start, v.end
        out["late"][r], out["distance_km"][r], out["cost"][r] = v.late_minutes, v.travel_km, score
        out["pushes_late"][r] = True  # the break moves too: let schedule() say


def build(c: Compiled, days: Sequence[Day] | None = None, only: np.ndarray | None = None
          ) -> RouteSet:
    """One route per technician, in index order: the given days (default: the current routes).
    `only`: technicians whose routes matter; the others get an empty day (no need to lay out
    the routes of technicians who cannot take the order anyway)."""
    sequences: list[list[int]] = [[] for _ in range(c.n_tech)]
    if days is None:
        wanted = range(c.n_tech) if only is None else np.unique(only).tolist()
        for t in wanted:
            sequences[t] = [c.order_index[s.order_id] for s in c.technicians[t].route]
    else:
        for d in days:
            sequences[d.technician] = [v.order for v in d.visits]
    return RouteSet(c, list(enumerate(sequences)))
