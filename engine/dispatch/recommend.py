"""Instant recommendation: the best technicians for one order against the current routes.

No solver: a vectorised screen (pin, skill, level, radius, minutes, jobs, parts left) over every
technician, then each survivor's cheapest feasible insertion (`insertion.RouteSet`). The index
is built once per problem and answers many orders; an order already on a route is placed as if
taken off it first, so its current technician competes on equal terms.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.dispatch.compiled import NO_SKILL, Compiled
from engine.dispatch.insertion import Insertions, RouteSet, build
from engine.dispatch.timeline import Day, schedule
from engine.errors import DomainError
from schemas.dispatch import (
    Candidate,
    ExclusionGroup,
    ExclusionReason,
    Recommendation,
    ScoreTerms,
)
from schemas.errors import ErrorCode

PASS = -1
# Screen codes, in the order they are tested: a technician gets the first that applies.
SCREEN = [
    ExclusionReason.PINNED_ELSEWHERE,
    ExclusionReason.NO_SKILL,
    ExclusionReason.LEVEL_TOO_LOW,
    ExclusionReason.OUT_OF_RADIUS,
    ExclusionReason.CAPACITY_FULL,
    ExclusionReason.JOBS_FULL,
    ExclusionReason.PARTS_FULL,
    ExclusionReason.NO_SHIFT_FITS,  # set after insertion: nothing fits his day's times
]
CODE = {reason: k for k, reason in enumerate(SCREEN)}
ROOM = CODE[ExclusionReason.CAPACITY_FULL]  # the first of the three codes about his day's room


@dataclass
class Scored:
    """One technician's best insertion of an order, with its score terms."""

    tech: int
    group: int  # the route in its RouteSet
    position: int
    arrival: int
    start: int
    added_minutes: int
    added_km: float
    distance_km: float
    late: int
    load_after: int
    pushes_late: bool
    score: ScoreTerms


def terms(travel: float, lateness: float, balance: float, disruption: float) -> ScoreTerms:
    parts = (float(travel), float(lateness), round(float(balance), 3), float(disruption))
    return ScoreTerms(travel=parts[0], lateness=parts[1], balance=parts[2], disruption=parts[3],
                      total=round(sum(parts), 3))


class RecommendIndex:
    """Per-technician route arrays of one problem (or of a plan's days), built once."""

    def __init__(self, c: Compiled, routes: RouteSet, mean_load: float | None = None) -> None:
        """`mean_load`: the technicians' mean service minutes (default: of `routes`), the
        reference of the balance term."""
        self.c, self.routes = c, routes
        techs = c.technicians
        self.radius = np.array(
            [np.inf if t.max_radius_km is None else t.max_radius_km for t in techs], dtype=float
        )
        self.tech_ids = np.array([t.id for t in techs], dtype=object)
        if mean_load is None:
            mean_load = float(routes.service.mean()) if c.n_tech else 0.0
        self.mean_load = mean_load
        self.route_of = {o: g for g, seq in enumerate(routes.sequences) for o in seq}

    @classmethod
    def build(cls, c: Compiled, days: Sequence[Day] | None = None) -> RecommendIndex:
        """Index the current routes (or the given days, one per technician at most)."""
        return cls(c, build(c, days))

    def distance_from_start(self, o: int | np.ndarray) -> np.ndarray:
        """[T] (or [A, T] for an array of orders) km from each technician's start to the
        order: the radius measure."""
        c = self.c
        places = c.order_place(np.asarray(o))
        return c.travel.legs(np.arange(c.n_tech), np.asarray(places)[..., None])[1]

    def screen(self, o: int, routes: RouteSet | None = None) -> np.ndarray:
        """[T] the first exclusion code that applies to each technician, PASS if none."""
        return self.screen_many(np.array([o]), routes)[0]

    def screen_many(self, orders: np.ndarray, routes: RouteSet | None = None) -> np.ndarray:
        """[A, T] the first exclusion code for each order and technician, PASS if none (the
        routes are one per technician, in index order)."""
        c, routes = self.c, routes or self.routes
        o = np.asarray(orders, dtype=np.int64)[:, None]
        shape = (len(orders), c.n_tech)
        every = np.arange(c.n_tech)[None, :]
        pin = c.pinned[o]
        skill = c.order_skill[o]
        level = np.where(skill == NO_SKILL, 5, c.levels.T[np.maximum(skill, 0), every])
        tests = [
            (pin >= 0) & (every != pin),
            (skill != NO_SKILL) & (level == 0),
            level < c.order_level[o],
            self.distance_from_start(o[:, 0]) > self.radius if np.isfinite(self.radius).any()
            else np.zeros(shape, dtype=bool),
            *(~room for room in routes.room(o, every[0])),
        ]
        code = np.full(shape, PASS, dtype=np.int64)
        for k in range(len(tests) - 1, -1, -1):  # the first test that applies wins
            code[np.broadcast_to(tests[k], shape)] = k
        return code

    def totals(self, routes: RouteSet, ins: Insertions, disruption: np.ndarray | float = 0.0,
               rows: np.ndarray | None = None) -> np.ndarray:
        """Each insertion's (or those at `rows`') total score, inf where infeasible; lateness
        here is the order's own (`refine` adds the visits it pushes late)."""
        w = self.c.problem.weights
        r = slice(None) if rows is None else rows
        extra = disruption if np.ndim(disruption) == 0 else np.asarray(disruption)[r]
        load = routes.service[ins.groups[r]] + routes.service_of(ins.orders[r], ins.techs[r])
        total = (w.travel_per_minute * ins.added_minutes[r] + w.lateness_per_minute * ins.late[r]
                 + w.balance * np.maximum(0.0, load - self.mean_load) + extra)
        return np.where(ins.feasible[r], total, np.inf)

    def scored(self, routes: RouteSet, ins: Insertions, r: int, disruption: float = 0.0) -> Scored:
        """The insertion at row r of `ins` (made in `routes`) with its score terms."""
        c, w = self.c, self.c.problem.weights
        t, g = int(ins.techs[r]), int(ins.groups[r])
        load = int(routes.service[g]) + c.service_minutes(t, int(ins.orders[r]))
        late = int(ins.late[r])
        return Scored(
            tech=t, group=g, position=int(ins.position[r]), arrival=int(ins.arrival[r]),
            start=int(ins.start[r]), added_minutes=int(ins.added_minutes[r]),
            added_km=float(ins.added_km[r]), distance_km=float(ins.distance_km[r]),
            late=late, load_after=load, pushes_late=bool(ins.pushes_late[r]),
            score=terms(w.travel_per_minute * int(ins.added_minutes[r]),
                        w.lateness_per_minute * late,
                        w.balance * max(0.0, load - self.mean_load), disruption),
        )

    def refine(self, routes: RouteSet, o: int, s: Scored) -> Scored:
        """When the insertion may push later visits past their SLA, choose his position again
        with the whole day's lateness, by schedule() (the vectorised pass counts only the
        order's own)."""
        c, w = self.c, self.c.problem.weights
        if not w.lateness_per_minute or not s.pushes_late:
            return s
        base = routes.days[s.group]
        late_before = sum(v.late_minutes for v in base.visits)
        best: tuple[float, int, Day] | None = None
        for p in range(len(routes.sequences[s.group]) + 1):
            seq = list(routes.sequences[s.group])
            seq.insert(p, o)
            day = schedule(c, s.tech, seq)
            if day.feasible:
                late = sum(v.late_minutes for v in day.visits) - late_before
                added = day.travel_minutes - base.travel_minutes
                cost = w.travel_per_minute * added + w.lateness_per_minute * late
                if best is None or cost < best[0]:
                    best = (cost, p, day)
        assert best is not None  # the vectorised pass found a feasible position
        _, p, day = best
        v = day.visits[p]
        s.position, s.arrival, s.start, s.late = p, v.arrival, v.start, v.late_minutes
        s.added_minutes = day.travel_minutes - base.travel_minutes
        s.added_km, s.distance_km = day.travel_km - base.travel_km, v.travel_km
        late = sum(x.late_minutes for x in day.visits) - late_before
        old = s.score
        s.score = terms(w.travel_per_minute * s.added_minutes, w.lateness_per_minute * late,
                        old.balance, old.disruption)
        return s

    def place(self, o: int) -> tuple[np.ndarray, list[tuple[RouteSet, Insertions]]]:
        """Screen codes [T] and insertions of order o. An order on a route is placed as if
        taken off it: its technician is answered from a one-route set of his day without it."""
        c, routes = self.c, self.routes
        code = self.screen(o)
        g = self.route_of.get(o)
        mine: RouteSet | None = None
        if g is not None:
            t = int(routes.tech[g])
            mine = RouteSet(c, [(t, [x for x in routes.sequences[g] if x != o])], like=routes)
            if code[t] >= ROOM:  # his minutes, jobs and parts as they are without it
                code[t] = PASS
                for k, room in zip(range(ROOM, ROOM + 3), mine.room(o)):
                    if not room[0]:
                        code[t] = k
                        break
            passing = np.flatnonzero(code == PASS)
            parts = [(routes, routes.insert(o, passing[passing != t]))]
            if code[t] == PASS:
                parts.append((mine, mine.insert(o)))
        else:
            parts = [(routes, routes.insert(o, np.flatnonzero(code == PASS)))]
        for _, ins in parts:
            code[ins.techs[~ins.feasible]] = CODE[ExclusionReason.NO_SHIFT_FITS]
        return code, parts

    def _best(self, o: int, parts: list[tuple[RouteSet, Insertions]], which: np.ndarray,
              rows: np.ndarray, total: np.ndarray, techs: np.ndarray, top: int) -> list[Scored]:
        """The `top` best by the whole day's score. `refine` only ever raises a score (whole-day
        lateness is at least the order's own), so candidates are refined in vectorised order
        until the next one's vectorised score cannot beat the `top`-th refined one."""
        best: list[Scored] = []
        for i in np.lexsort((techs, total)).tolist():
            if not np.isfinite(total[i]):
                break
            key = (float(total[i]), int(techs[i]))
            if len(best) >= top and key >= (best[top - 1].score.total, best[top - 1].tech):
                break
            routes, ins = parts[which[i]]
            best.append(self.refine(routes, o, self.scored(routes, ins, int(rows[i]))))
            best.sort(key=lambda s: (s.score.total, s.tech))
        return best[:top]

    def recommend(self, o: int, top: int | None = None) -> Recommendation:
        began = time.perf_counter()
        c = self.c
        top = c.problem.options.top if top is None else top
        code, parts = self.place(o)
        totals = [self.totals(routes, ins) for routes, ins in parts]
        which = np.concatenate([np.full(len(t), k) for k, t in enumerate(totals)])
        rows = np.concatenate([np.arange(len(t)) for t in totals])
        total, techs = np.concatenate(totals), np.concatenate([ins.techs for _, ins in parts])
        best = self._best(o, parts, which, rows, total, techs, top)
        level = lambda t: 0 if c.order_skill[o] == NO_SKILL else int(c.levels[t, c.order_skill[o]])
        candidates = [
            Candidate(
                technician_id=c.technicians[s.tech].id, position=s.position, eta=s.arrival,
                start=s.start, added_travel_minutes=s.added_minutes, added_km=round(s.added_km, 3),
                distance_km=round(s.distance_km, 3), skill_level=level(s.tech),
                load_minutes_after=s.load_after, late_minutes=s.late, score=s.score,
            )
            for s in best
        ]
        # ids straight from the index: thousands of known strings need no validation
        by_code = np.argsort(code, kind="stable")
        cuts = np.searchsorted(code[by_code], np.arange(len(SCREEN) + 1))
        excluded = [
            ExclusionGroup.model_construct(
                reason=reason, technician_ids=self.tech_ids[by_code[cuts[k]:cuts[k + 1]]].tolist())
            for k, reason in enumerate(SCREEN)
            if cuts[k + 1] > cuts[k]
        ]
        g = self.route_of.get(o)
        return Recommendation(
            order_id=c.orders[o].id,
            candidates=candidates,
            excluded=excluded,
            considered=c.n_tech,
            elapsed_ms=round((time.perf_counter() - began) * 1000, 3),
            current_technician=None if g is None else c.technicians[int(self.routes.tech[g])].id,
        )


def recommend(c: Compiled, order_id: str) -> Recommendation:
    """Top candidates for one order against the problem's current routes."""
    if order_id not in c.order_index:
        raise DomainError.single(("recommend_order",), f"unknown order {order_id!r}",
                                 ErrorCode.NOT_FOUND)
    o = c.order_index[order_id]
    # one order: lay out only the routes of those who could take it (and of its current
    # technician); the rest are excluded by pin, skill, level or radius before their day counts
    able = np.flatnonzero(c.eligible_for(o))
    radius = np.array([np.inf if c.technicians[t].max_radius_km is None
                       else c.technicians[t].max_radius_km for t in able.tolist()])
    if np.isfinite(radius).any():
        km = c.travel.legs(able, np.full(len(able), c.order_place(o)))[1]
        able = able[km <= radius]
    holder = [t for t, tech in enumerate(c.technicians)
              if any(s.order_id == order_id for s in tech.route)]
    routes = build(c, only=np.concatenate([able, holder]).astype(np.int64))
    loads = [sum(c.service_minutes(t, c.order_index[s.order_id]) for s in tech.route)
             for t, tech in enumerate(c.technicians)]
    return RecommendIndex(c, routes, mean_load=float(np.mean(loads)) if loads else 0.0
                          ).recommend(o)
