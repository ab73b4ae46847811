"""Why each order went where it did, and why each dropped order was left out.

For an assigned order: its technician's terms (skill level, distance from the previous stop,
ETA, load, score) against the runner-up, the best other technician by cheapest feasible
insertion into *his* final day. For a dropped order: the most specific reason, tested from the
hardest fact down (pinned to someone who cannot take it, nobody skilled, nobody in range, no
window reachable even from an empty day, displaced by orders of higher or equal priority,
every day full, not worth its penalty, the time limit).

Every question is a batch of (order, route) pairs answered by one vectorised pass of
`insertion.RouteSet.insert_pairs`, so a plan of 1,000 orders costs a handful of passes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.dispatch.compiled import NO_SKILL, Compiled
from engine.dispatch.insertion import Insertions, RouteSet
from engine.dispatch.plan import locked_orders
from engine.dispatch.recommend import CODE, PASS, SCREEN, RecommendIndex, terms
from engine.dispatch.timeline import Day
from schemas.dispatch import ExclusionReason, ScoreTerms, Unassigned, UnassignedReason, Why

SELF = -2  # screen code of an order's own technician (not his own runner-up)
PIN, NO_SKILL_CODE, LEVEL, RADIUS = (CODE[r] for r in (
    ExclusionReason.PINNED_ELSEWHERE, ExclusionReason.NO_SKILL, ExclusionReason.LEVEL_TOO_LOW,
    ExclusionReason.OUT_OF_RADIUS))
NO_SHIFT = CODE[ExclusionReason.NO_SHIFT_FITS]

_LABEL = {
    ExclusionReason.OUT_OF_RADIUS: "out of radius",
    ExclusionReason.CAPACITY_FULL: "out of service minutes",
    ExclusionReason.JOBS_FULL: "at max jobs",
    ExclusionReason.PARTS_FULL: "out of parts capacity",
    ExclusionReason.NO_SHIFT_FITS: "with no time left in the shift",
}


def explain(
    c: Compiled, days: Sequence[Day], dropped: Sequence[int], *, timed_out: bool = False
) -> tuple[list[Why], list[Unassigned]]:
    """Explanations of a plan's days (one per technician at most) and its dropped orders."""
    explainer = _Explainer(c, RecommendIndex.build(c, days), timed_out)
    return explainer.whys(days), explainer.unassigned(np.asarray(dropped, dtype=np.int64))


def skill_text(c: Compiled, o: int) -> str:
    order = c.orders[o]
    return "any skill" if order.skill is None else f"{order.skill} at level {order.min_level}"


def best_per(n: int, owner: np.ndarray, keys: tuple[np.ndarray, ...], ok: np.ndarray) -> np.ndarray:
    """[n] for each owner 0..n-1 the index of its pair that sorts first by `keys` (most
    significant last, as np.lexsort) among the pairs where `ok`; -1 when it has none."""
    best = np.full(n, -1, dtype=np.int64)
    order = np.lexsort((*keys, owner))
    order = order[ok[order]]
    if len(order):
        _, first = np.unique(owner[order], return_index=True)
        best[owner[order][first]] = order[first]
    return best


class _Explainer:
    def __init__(self, c: Compiled, index: RecommendIndex, timed_out: bool) -> None:
        self.c, self.index, self.routes, self.timed_out = c, index, index.routes, timed_out
        self.locked = locked_orders(c)
        self.current = np.full(c.n_orders, -1, dtype=np.int64)  # technician of the input route
        for t, tech in enumerate(c.technicians):
            for s in tech.route:
                self.current[c.order_index[s.order_id]] = t

    def disruption(self, orders: np.ndarray, techs: np.ndarray) -> np.ndarray:
        was = self.current[orders]
        moved = (was >= 0) & (was != techs)
        return np.where(moved, float(self.c.problem.weights.disruption), 0.0)

    def level(self, t: int, o: int) -> int:
        skill = self.c.order_skill[o]
        return 0 if skill == NO_SKILL else int(self.c.levels[t, skill])

    # --- assigned orders ------------------------------------------------------------------

    def _margins(self, days: Sequence[Day]) -> tuple[list[tuple[Day, int]], np.ndarray]:
        """(day, visit) of every assigned order, and the travel minutes it costs its route
        (previous → it → next, minus previous → next)."""
        c: Compiled = self.c
        visits: list[tuple[Day, int]] = []
        margins = []
        for day in days:
            if not day.visits:
                continue
            t = day.technician
            places = np.array([c.start_place(t), *(c.order_place(v.order) for v in day.visits),
                               c.end_place(t)])
            legs = c.travel.legs(places[:-1], places[1:])[0]
            skip = c.travel.legs(places[:-2], places[2:])[0]
            visits += [(day, k) for k in range(len(day.visits))]
            margins.append(legs[:-1] + legs[1:] - skip)
        return visits, np.concatenate(margins) if margins else np.zeros(0, dtype=np.int64)

    def whys(self, days: Sequence[Day]) -> list[Why]:
        """Every visit of the days, in their order (a day that breaks a rule is explained as
        given; it takes no runner-up's order either)."""
        c, w, routes = self.c, self.c.problem.weights, self.routes
        visits, margins = self._margins(days)
        if not visits:
            return []
        owner = np.array([d.technician for d, _ in visits], dtype=np.int64)
        orders = np.array([d.visits[k].order for d, k in visits], dtype=np.int64)
        code = self.index.screen_many(orders)
        code[np.arange(len(orders)), owner] = SELF
        pa, pt = np.nonzero(code == PASS)
        ins = routes.insert_pairs(orders[pa], pt, confirm=False)
        disruption = self.disruption(orders[pa], pt)
        best = self._runner_ups(len(orders), pa, pt, ins, disruption)
        code[pa[~ins.feasible], pt[~ins.feasible]] = NO_SHIFT
        own_disruption = self.disruption(orders, owner)
        out = []
        for a, (day, k) in enumerate(visits):
            t, o = day.technician, int(orders[a])
            v = day.visits[k]
            score = terms(w.travel_per_minute * int(margins[a]),
                          w.lateness_per_minute * v.late_minutes,
                          w.balance * max(0.0, day.service_minutes - self.index.mean_load),
                          float(own_disruption[a]))
            r = int(best[a])
            runner, runner_score, reason = self._runner_up(
                o, code[a], ins, r, float(disruption[r]) if r >= 0 else 0.0, score)
            out.append(Why(
                order_id=c.orders[o].id, technician_id=c.technicians[t].id,
                skill_level=self.level(t, o), distance_km=round(v.travel_km, 3), eta=v.arrival,
                load_minutes=day.service_minutes, score=score, runner_up=runner,
                runner_up_score=runner_score, runner_up_reason=reason, locked=o in self.locked,
            ))
        return out

    def _runner_ups(self, n: int, pa: np.ndarray, pt: np.ndarray, ins: Insertions,
                    disruption: np.ndarray) -> np.ndarray:
        """[n] the pair of each order's runner-up (-1: none). Pairs of technicians with a
        break are pending: their break-free total is a lower bound, so each order's pairs are
        settled by schedule() in bound order only until the best settled one beats the next
        bound."""
        total = self.index.totals(self.routes, ins, disruption)
        bound = total.copy()
        if ins.pending:
            w = self.c.problem.weights
            rows = np.fromiter(ins.pending, dtype=np.int64)
            relaxed = np.array([ins.pending[r][3][0] for r in rows])
            load = self.routes.service[pt[rows]] + self.routes.service_of(ins.orders[rows],
                                                                          pt[rows])
            bound[rows] = (relaxed + w.balance * np.maximum(0.0, load - self.index.mean_load)
                           + disruption[rows])
        best = np.full(n, -1, dtype=np.int64)
        best_total = np.full(n, np.inf)
        for r in np.lexsort((pt, bound, pa)).tolist():
            a = pa[r]
            if not np.isfinite(bound[r]) or bound[r] >= best_total[a]:
                continue  # this order is settled: nothing after it can beat its best
            if r in ins.pending and self.routes.confirm(ins, r):
                total[r] = self.index.totals(self.routes, ins, disruption, rows=np.array([r]))[0]
            if ins.feasible[r] and (total[r], pt[r]) < (best_total[a], pt[best[a]] if best[a] >= 0
                                                        else np.inf):
                best[a], best_total[a] = r, total[r]
        return best

    def _runner_up(self, o: int, codes: np.ndarray, ins: Insertions, r: int, disruption: float,
                   score: ScoreTerms) -> tuple[str | None, ScoreTerms | None, str]:
        c = self.c
        if r >= 0:
            best = self.index.scored(self.routes, ins, r, disruption)
            name = c.technicians[best.tech].id
            lower = best.score.total < score.total
            return name, best.score, (
                f"{name} would add {best.added_minutes} travel minutes (score"
                f" {best.score.total:g} against {score.total:g}"
                f"{', lower, but not the better plan as a whole' if lower else ''})")
        if c.pinned[o] >= 0:
            return None, None, f"pinned to {c.technicians[int(c.pinned[o])].id}"
        others = codes[codes >= RADIUS]  # skilled technicians other than himself
        if not len(others):
            if c.orders[o].skill is None:
                return None, None, "no other technician"
            return None, None, f"no other technician has {skill_text(c, o)}"
        counts = np.bincount(others, minlength=len(SCREEN))
        parts = ", ".join(f"{n} {_LABEL[SCREEN[k]]}" for k, n in enumerate(counts) if n)
        return None, None, f"no other day has room ({parts})"

    # --- dropped orders -------------------------------------------------------------------

    def unassigned(self, dropped: np.ndarray) -> list[Unassigned]:
        if not len(dropped):
            return []
        c, routes = self.c, self.routes
        n = len(dropped)
        code = self.index.screen_many(dropped)
        km = self.index.distance_from_start(dropped)
        skilled = (code == PASS) | (code >= RADIUS)
        in_range = (code == PASS) | (code > RADIUS)
        # each technician in range with an empty day, then with his final day
        alone = _Alone(RouteSet(c, [(t, ()) for t in range(c.n_tech)], like=routes),
                       dropped, in_range)
        db, tb = np.nonzero(alone.maybe)
        final = routes.insert_pairs(dropped[db], tb)
        fits = best_per(n, db, (tb, final.cost), final.feasible)
        blocked = alone.maybe & ~self._fits_matrix(n, db, tb, final)
        displaced = self._displaced(dropped, blocked, km)
        out = []
        for i, o in enumerate(dropped.tolist()):
            reason, detail = self._reason(i, o, code[i], km[i], skilled[i], in_range[i], alone,
                                          final, int(fits[i]), displaced[i])
            out.append(Unassigned(order_id=c.orders[o].id, reason=reason, detail=detail))
        return out

    def _fits_matrix(self, n: int, db: np.ndarray, tb: np.ndarray, final: Insertions) -> np.ndarray:
        fits = np.zeros((n, self.c.n_tech), dtype=bool)
        fits[db[final.feasible], tb[final.feasible]] = True
        return fits

    def _removals(self) -> tuple[RouteSet, np.ndarray]:
        """Every final day with one of its unlocked orders taken off (the same variants answer
        every dropped order), and the order each variant took off."""
        routes = self.routes
        pairs = [(t, r) for t, seq in enumerate(routes.sequences) for r in seq
                 if r not in self.locked]
        variants = [(t, [x for x in routes.sequences[t] if x != r]) for t, r in pairs]
        return (RouteSet(self.c, variants, like=routes),
                np.array([r for _, r in pairs], dtype=np.int64).reshape(-1))

    def _displaced(self, dropped: np.ndarray, blocked: np.ndarray, km: np.ndarray
                   ) -> list[tuple[int, int] | None]:
        """Per dropped order, a (technician, order) whose removal lets it into that day: orders
        of higher or equal priority first, then the nearest technician; locked orders never
        move. `blocked`: [D, T] technicians able to serve it whose final day has no room."""
        c, n = self.c, len(dropped)
        if not blocked.any():
            return [None] * n
        variants, removed = self._removals()
        if not len(removed):
            return [None] * n
        # pairs (dropped order, variant) for the variants of its blocked technicians
        hits = blocked[:, variants.tech]
        dv, gv = np.nonzero(hits)
        # only the first pair that holds per order is needed: a technician with a break is
        # confirmed by schedule() when his turn comes, not all at once
        trial = variants.insert_pairs(dropped[dv], gv, confirm=False)
        techs = variants.tech[gv]
        lower = c.priority[removed[gv]] > c.priority[dropped[dv]]
        maybe = trial.feasible.copy()
        waits = np.zeros(len(gv), dtype=bool)
        waits[list(trial.pending)] = True
        maybe |= waits
        # within a priority tier, a settled pair before one schedule() must still settle
        order = np.lexsort((gv, km[dv, techs], waits, lower, dv))
        out: list[tuple[int, int] | None] = [None] * n
        for r in order[maybe[order]].tolist():
            if out[dv[r]] is None and variants.confirm(trial, r):
                out[dv[r]] = (int(techs[r]), int(removed[gv[r]]))
        return out

    def _reason(self, i: int, o: int, code: np.ndarray, km: np.ndarray, skilled: np.ndarray,
                in_range: np.ndarray, alone: _Alone, final: Insertions, fit: int,
                displaced: tuple[int, int] | None) -> tuple[UnassignedReason, str]:
        c, order = self.c, self.c.orders[o]
        pin = int(c.pinned[o])
        if pin >= 0 and not alone.able(i, pin):
            why = (f"{km[pin]:.1f} km from his start, beyond his {self.index.radius[pin]:g} km"
                   " radius" if not in_range[pin] else self._never_fits(o, np.array([pin]))[1])
            return UnassignedReason.PINNED_UNAVAILABLE, (
                f"pinned to {c.technicians[pin].id}, who cannot take it: {why}")
        if not c.n_tech:
            return UnassignedReason.NO_SKILLED_TECHNICIAN, "there are no technicians"
        if not skilled.any():
            best = 0 if order.skill is None else int(c.levels[:, c.order_skill[o]].max(initial=0))
            return UnassignedReason.NO_SKILLED_TECHNICIAN, (
                f"no technician has {skill_text(c, o)}"
                + (f" (the highest held is level {best})" if best else " (nobody holds it)"))
        if not in_range.any():
            who = np.flatnonzero(skilled)
            k = int(who[np.argmin(km[who])])
            return UnassignedReason.OUT_OF_RANGE, (
                f"{len(who)} technician(s) have {skill_text(c, o)}, none within radius: the"
                f" nearest, {c.technicians[k].id}, is {km[k]:.1f} km away and works within"
                f" {self.index.radius[k]:g} km")
        if not alone.any(i):
            return self._never_fits(o, np.flatnonzero(in_range))
        if fit >= 0:
            t = int(final.techs[fit])
            penalty = c.problem.weights.unassigned_by_priority.get(int(c.priority[o]), 0)
            where = (f"{c.technicians[t].id} could still take it at position"
                     f" {final.position[fit]} (+{final.added_minutes[fit]} travel minutes, cost"
                     f" {final.cost[fit]:g}; leaving it out costs {penalty})")
            if self.timed_out:
                return UnassignedReason.TIME_LIMIT, f"the solver stopped at its time limit; {where}"
            if final.cost[fit] >= penalty:
                return UnassignedReason.NOT_WORTH_IT, f"its cost outweighs its penalty: {where}"
            # cheaper than its penalty by this insertion alone: the plan's other terms (or its
            # mode's own model of the day) kept it out
            return UnassignedReason.NOT_WORTH_IT, f"the plan as a whole left it out: {where}"
        if displaced is not None:
            t, r = displaced
            if c.priority[r] <= c.priority[o]:
                return UnassignedReason.LOST_TO_HIGHER_PRIORITY, (
                    f"it would fit into {c.technicians[t].id}'s day only by removing order"
                    f" {c.orders[r].id} (priority {c.priority[r]}; this one {c.priority[o]})")
            if self.timed_out:
                return UnassignedReason.TIME_LIMIT, (
                    f"the solver stopped at its time limit; {c.technicians[t].id} could take it"
                    f" instead of order {c.orders[r].id} (priority {c.priority[r]})")
        who = np.flatnonzero(alone.row(i))
        minutes, jobs, parts = self.routes.room(o, who)
        left = self.routes._capacity[who] - self.routes.service[who]
        return UnassignedReason.CAPACITY_FULL, (
            f"every day that could take it is full: of {len(who)} technician(s),"
            f" {int((~minutes).sum())} have fewer than {c.duration[o]} service minutes left"
            f" (most left: {int(left.max())}), {int((minutes & ~jobs).sum())} are at max jobs,"
            f" {int((minutes & jobs & ~parts).sum())} lack parts capacity,"
            f" {int((minutes & jobs & parts).sum())} have no time left in the shift")

    def _never_fits(self, o: int, techs: np.ndarray) -> tuple[UnassignedReason, str]:
        """Why none of these technicians can take o even with an empty day."""
        c, order, routes = self.c, self.c.orders[o], self.routes
        service = routes.service_of(o, techs)
        fits = ((service <= routes._capacity[techs]) & (routes._max_jobs[techs] >= 1)
                & (order.parts_volume <= routes._parts_capacity[techs]))
        if not fits.any():
            return UnassignedReason.CAPACITY_FULL, (
                f"it needs {c.duration[o]} service minutes and {order.parts_volume} parts;"
                f" no skilled technician's whole day has room"
                f" (most minutes: {int(routes._capacity[techs].max())})")
        places = np.full(len(techs), c.order_place(o))
        arrive = routes._shift_start[techs, 0] + c.travel.legs(techs, places)[0]
        k = int(np.argmin(arrive))
        windows = ", ".join(f"{w.start}–{w.end}" for w in order.windows) or "any time"
        return UnassignedReason.WINDOW_UNREACHABLE, (
            f"no skilled technician in range can serve it inside its windows ({windows}) and"
            f" shift even with an empty day; the earliest arrival is minute {int(arrive[k])}"
            f" ({c.technicians[techs[k]].id})")


class _Alone:
    """Which technicians could serve each dropped order with an empty day. Technicians with a
    break are settled by schedule() only when a reason depends on them: `maybe` is the
    break-free answer (a superset), `able`, `any` and `row` are exact."""

    def __init__(self, empty: RouteSet, dropped: np.ndarray, in_range: np.ndarray) -> None:
        self.empty = empty
        self.rows, self.techs = np.nonzero(in_range)
        self.ins = empty.insert_pairs(dropped[self.rows], self.techs, confirm=False)
        self.pair = np.full(in_range.shape, -1, dtype=np.int64)
        self.pair[self.rows, self.techs] = np.arange(len(self.rows))
        self.maybe = np.zeros(in_range.shape, dtype=bool)
        self.maybe[self.rows[self.ins.feasible], self.techs[self.ins.feasible]] = True
        for r in self.ins.pending:
            self.maybe[self.rows[r], self.techs[r]] = True

    def able(self, i: int, t: int) -> bool:
        r = int(self.pair[i, t])
        return r >= 0 and self.empty.confirm(self.ins, r)

    def any(self, i: int) -> bool:
        return any(self.able(i, int(t)) for t in np.flatnonzero(self.maybe[i]))

    def row(self, i: int) -> np.ndarray:
        return np.array([self.able(i, t) for t in range(self.maybe.shape[1])], dtype=bool)
