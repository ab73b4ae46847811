"""Checks of a dispatch problem beyond its contract's field rules, listing every offender.

A problem the contract accepts can still be wrong as a whole: repeated ids, a skill outside
the catalogue, a technician with no shift, an order pinned to a technician who lacks its skill,
a route naming an unknown order. None of these is dropped silently: each is an error with its
path. (An order nobody can serve is not an error: the plan reports it unassigned, with why.)
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from engine.errors import DomainError, FieldError, from_validation
from schemas.dispatch import Mode, Problem, TravelKind
from schemas.errors import ErrorCode

Path = tuple[str | int, ...]


def parse(data: Any) -> Problem:
    """A checked Problem from JSON-like data, or a DomainError listing every offender."""
    try:
        problem = data if isinstance(data, Problem) else Problem.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc) from None
    check(problem)
    return problem


def check(problem: Problem, mode: Mode | None = None) -> None:
    errors = _problems(problem, mode)
    if errors:
        raise DomainError(errors)


def _problems(p: Problem, mode: Mode | None) -> list[FieldError]:
    errors: list[FieldError] = []

    def add(path: Path, message: str, code: ErrorCode = ErrorCode.INVALID) -> None:
        errors.append(FieldError(path, message, code))

    catalogue = set(p.skills)
    if len(catalogue) != len(p.skills):
        add(("skills",), "the skill catalogue repeats a skill", ErrorCode.DUPLICATE)
    tech_ids: dict[str, int] = {}
    for i, tech in enumerate(p.technicians):
        if tech.id in tech_ids:
            add(("technicians", i, "id"), f"technician {tech.id!r} appears twice", ErrorCode.DUPLICATE)
        tech_ids.setdefault(tech.id, i)
        if not tech.shifts:
            add(("technicians", i, "shifts"), f"technician {tech.id!r} has no shift", ErrorCode.REQUIRED)
        for k, (a, b) in enumerate(zip(tech.shifts, tech.shifts[1:])):
            if b.start < a.end:
                add(("technicians", i, "shifts", k + 1), "shifts must be in order and not overlap")
        for skill in tech.skills:
            if skill not in catalogue:
                add(("technicians", i, "skills", skill), f"unknown skill {skill!r}", ErrorCode.NOT_FOUND)
        if tech.break_ is not None and tech.shifts:
            first, last = tech.shifts[0].start, tech.shifts[-1].end
            if tech.break_.earliest < first or tech.break_.latest + tech.break_.duration > last:
                add(("technicians", i, "break"), "the break does not fit inside the shifts")
    order_ids: dict[str, int] = {}
    for j, order in enumerate(p.orders):
        if order.id in order_ids:
            add(("orders", j, "id"), f"order {order.id!r} appears twice", ErrorCode.DUPLICATE)
        order_ids.setdefault(order.id, j)
        if order.skill is not None and order.skill not in catalogue:
            add(("orders", j, "skill"), f"unknown skill {order.skill!r}", ErrorCode.NOT_FOUND)
        for k, (a, b) in enumerate(zip(order.windows, order.windows[1:])):
            if b.start <= a.end:
                add(("orders", j, "windows", k + 1), "windows must be in order and not overlap")
    for j, order in enumerate(p.orders):
        pin = order.pinned_technician
        if pin is None:
            continue
        if pin not in tech_ids:
            add(("orders", j, "pinned_technician"), f"unknown technician {pin!r}", ErrorCode.NOT_FOUND)
        elif order.skill is not None:
            level = p.technicians[tech_ids[pin]].skills.get(order.skill, 0)
            if level < order.min_level:
                add(
                    ("orders", j, "pinned_technician"),
                    f"technician {pin!r} lacks {order.skill} at level {order.min_level}"
                    f" (has {level or 'none'})",
                )
    on_route: dict[str, str] = {}
    for i, tech in enumerate(p.technicians):
        for k, stop in enumerate(tech.route):
            path: Path = ("technicians", i, "route", k, "order_id")
            if stop.order_id not in order_ids:
                add(path, f"unknown order {stop.order_id!r}", ErrorCode.NOT_FOUND)
            elif stop.order_id in on_route:
                add(path, f"order {stop.order_id!r} is already on {on_route[stop.order_id]!r}'s route",
                    ErrorCode.DUPLICATE)
            else:
                on_route[stop.order_id] = tech.id
                pin = p.orders[order_ids[stop.order_id]].pinned_technician
                if stop.locked and pin is not None and pin != tech.id:
                    add(path, f"order {stop.order_id!r} is locked here but pinned to {pin!r}",
                        ErrorCode.CONFLICT)
    for name, overrides in (("duration", p.duration), ("cost", p.cost)):
        for tech_id, row in (overrides or {}).items():
            if tech_id not in tech_ids:
                add((name, tech_id), f"unknown technician {tech_id!r}", ErrorCode.NOT_FOUND)
            for order_id, value in row.items():
                if order_id not in order_ids:
                    add((name, tech_id, order_id), f"unknown order {order_id!r}", ErrorCode.NOT_FOUND)
                elif name == "duration" and not 1 <= value <= 24 * 60:
                    add((name, tech_id, order_id), "a duration must be 1 to 1440 minutes",
                        ErrorCode.OUT_OF_RANGE)
                elif name == "cost" and abs(value) > 10**9:
                    add((name, tech_id, order_id), "a cost must be within ±10⁹", ErrorCode.OUT_OF_RANGE)
    if p.travel.kind is TravelKind.MATRIX:
        size = len(p.travel.minutes or [])
        places = [("technicians", i, "start", t.start) for i, t in enumerate(p.technicians)]
        places += [("technicians", i, "end", t.end) for i, t in enumerate(p.technicians) if t.end]
        places += [("orders", j, "location", o.location) for j, o in enumerate(p.orders)]
        for kind, index, name, place in places:
            if place.node is None or place.node >= size:
                add((kind, index, name, "node"), f"matrix travel needs a node below {size}",
                    ErrorCode.REQUIRED if place.node is None else ErrorCode.OUT_OF_RANGE)
    if mode is Mode.RECOMMEND or p.recommend_order is not None:
        if p.recommend_order is None:
            add(("recommend_order",), "recommend needs the order to place", ErrorCode.REQUIRED)
        elif p.recommend_order not in order_ids:
            add(("recommend_order",), f"unknown order {p.recommend_order!r}", ErrorCode.NOT_FOUND)
    return errors
