"""A validated problem as arrays, built once and shared by the three modes.

Places are laid out as technician starts [0, T), technician ends [T, 2T), then orders
[2T, 2T + O), so one TravelModel answers every leg. Eligibility is by skill and level (and a
pin); the per-order column is cheap (recommend), the full matrix is for batch modes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from engine.dispatch.travel import Places, TravelModel
from schemas.dispatch import OrderIn, Problem, TechnicianIn

NO_SKILL = -1


@dataclass
class Compiled:
    problem: Problem
    technicians: list[TechnicianIn]
    orders: list[OrderIn]
    tech_index: dict[str, int]
    order_index: dict[str, int]
    skill_index: dict[str, int]
    levels: np.ndarray  # [T, S] certified level, 0 = not certified
    order_skill: np.ndarray  # [O] skill index, NO_SKILL = anyone
    order_level: np.ndarray  # [O]
    duration: np.ndarray  # [O] default service minutes
    priority: np.ndarray  # [O]
    pinned: np.ndarray  # [O] technician index, -1 = none
    travel: TravelModel
    _duration_override: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def n_tech(self) -> int:
        return len(self.technicians)

    @property
    def n_orders(self) -> int:
        return len(self.orders)

    def start_place(self, t: int | np.ndarray) -> int | np.ndarray:
        return t

    def end_place(self, t: int | np.ndarray) -> int | np.ndarray:
        return self.n_tech + t

    def order_place(self, o: int | np.ndarray) -> int | np.ndarray:
        return 2 * self.n_tech + o

    def skilled_for(self, o: int) -> np.ndarray:
        """[T] bool: technicians certified for order o at its level (pins not applied)."""
        skill = self.order_skill[o]
        if skill == NO_SKILL:
            return np.ones(self.n_tech, dtype=bool)
        return self.levels[:, skill] >= self.order_level[o]

    def eligible_for(self, o: int) -> np.ndarray:
        """[T] bool: skilled, and the pinned technician only when the order is pinned."""
        mask = self.skilled_for(o)
        if self.pinned[o] >= 0:
            only = np.zeros(self.n_tech, dtype=bool)
            only[self.pinned[o]] = mask[self.pinned[o]]
            return only
        return mask

    @cached_property
    def eligible(self) -> np.ndarray:
        """[T, O] bool for batch modes."""
        if self.n_orders == 0:
            return np.zeros((self.n_tech, 0), dtype=bool)
        return np.stack([self.eligible_for(o) for o in range(self.n_orders)], axis=1)

    def service_minutes(self, t: int, o: int) -> int:
        """Technician t's own time for order o (the override), else the order's duration."""
        return self._duration_override.get((t, o), int(self.duration[o]))

    @cached_property
    def durations(self) -> np.ndarray:
        """[T, O] service minutes with the overrides applied."""
        matrix = np.broadcast_to(self.duration, (self.n_tech, self.n_orders)).copy()
        for (t, o), minutes in self._duration_override.items():
            matrix[t, o] = minutes
        return matrix

    @cached_property
    def costs(self) -> np.ndarray | None:
        """[T, O] pairing costs (the `cost` override), or None when the problem has none."""
        if self.problem.cost is None:
            return None
        matrix = np.zeros((self.n_tech, self.n_orders), dtype=np.int64)
        for tech_id, row in self.problem.cost.items():
            t = self.tech_index[tech_id]
            for order_id, value in row.items():
                matrix[t, self.order_index[order_id]] = value
        return matrix


def compile_problem(problem: Problem) -> Compiled:
    """Arrays of a problem that `engine.dispatch.validate.check` has accepted."""
    techs, orders = problem.technicians, problem.orders
    tech_index = {t.id: i for i, t in enumerate(techs)}
    order_index = {o.id: i for i, o in enumerate(orders)}
    skill_index = {s: i for i, s in enumerate(problem.skills)}
    # At least one column, so that vectorised lookups of "no skill needed" orders (clipped to
    # column 0 and then ignored) work with an empty catalogue too.
    levels = np.zeros((len(techs), max(1, len(skill_index))), dtype=np.int8)
    for i, tech in enumerate(techs):
        for skill, level in tech.skills.items():
            levels[i, skill_index[skill]] = level
    places = Places.of(
        [t.start for t in techs] + [t.end or t.start for t in techs] + [o.location for o in orders]
    )
    overrides = {
        (tech_index[tech_id], order_index[order_id]): minutes
        for tech_id, row in (problem.duration or {}).items()
        for order_id, minutes in row.items()
    }
    return Compiled(
        problem=problem,
        technicians=techs,
        orders=orders,
        tech_index=tech_index,
        order_index=order_index,
        skill_index=skill_index,
        levels=levels,
        order_skill=np.array(
            [NO_SKILL if o.skill is None else skill_index[o.skill] for o in orders], dtype=np.int64
        ),
        order_level=np.array([o.min_level for o in orders], dtype=np.int64),
        duration=np.array([o.duration for o in orders], dtype=np.int64),
        priority=np.array([o.priority for o in orders], dtype=np.int64),
        pinned=np.array(
            [-1 if o.pinned_technician is None else tech_index[o.pinned_technician] for o in orders],
            dtype=np.int64,
        ),
        travel=TravelModel(problem.travel, places),
        _duration_override=overrides,
    )
