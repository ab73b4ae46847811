"""A dispatch Problem from the demo generator's rows, in memory (no database): a benchmark
helper, not the service's conversion (that is `engine.store`'s, from stored rows).

Technicians (every row, active or not: the benchmark measures the engine, not the roster) start
from home on their one shift with their daily minutes; open work orders become orders with their
window, duration, skill and level, priority and SLA deadline; minutes count from local midnight
of the demo day. Each technician's route is the demo's assigned orders of the day by window
start, keeping each only while the day stays feasible by `timeline.schedule` (the demo assigns
without travel), so that every route is a valid current plan.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from engine.demo.generate import DemoData
from engine.demo.rows import local_instant
from engine.dispatch.compiled import compile_problem
from engine.dispatch.timeline import schedule
from schemas.dispatch import HORIZON_MINUTES, Problem, RouteStop

REPLICA_OFFSET_DEG = 0.004  # ~400 m: replicas of a technician live near but not at his home


def _minute(value: Any, origin: Any) -> int:
    return int((value - origin).total_seconds() // 60)


def demo_problem(data: DemoData, technicians: int | None = None, seed: int = 0) -> Problem:
    """The demo day as a Problem with `technicians` of them (default: every row). Fewer: an
    even sample (every k-th); more: replicas of the rows with small position offsets and empty
    routes. Every open work order is an order."""
    tables = data.tables
    origin = local_instant(data.day, 0)
    rows = tables["technicians"]
    levels: dict[int, dict[str, int]] = defaultdict(dict)
    for s in tables["technician_skills"]:
        levels[s["technician_id"]][s["skill"].value] = s["level"]
    n = len(rows) if technicians is None else technicians
    rng = np.random.default_rng(seed)
    if n <= len(rows):
        picked = [rows[i] for i in np.linspace(0, len(rows) - 1, n).round().astype(int)]
        replica = [0] * n
    else:
        picked = [rows[i % len(rows)] for i in range(n)]
        replica = [i // len(rows) for i in range(n)]
    jitter = rng.uniform(-REPLICA_OFFSET_DEG, REPLICA_OFFSET_DEG, size=(n, 2))
    techs = []
    for i, (row, copy) in enumerate(zip(picked, replica, strict=True)):
        dx, dy = jitter[i] if copy else (0.0, 0.0)
        techs.append({
            "id": row["code"] if not copy else f"{row['code']}-r{copy}",
            "start": {"x": row["home_longitude"] + dx, "y": row["home_latitude"] + dy},
            "skills": levels[row["id"]],
            "shifts": [{"start": row["shift_start"].hour * 60 + row["shift_start"].minute,
                        "end": row["shift_end"].hour * 60 + row["shift_end"].minute}],
            "capacity_minutes": row["daily_capacity_minutes"],
        })
    orders = [
        {
            "id": w["order_no"],
            "location": {"x": w["longitude"], "y": w["latitude"]},
            "skill": w["required_skill"].value,
            "min_level": w["min_skill_level"],
            "duration": w["duration_minutes"],
            "windows": [{"start": _minute(w["window_start"], origin),
                         "end": _minute(w["window_end"], origin)}],
            "priority": w["priority"],
            "sla_deadline": min(_minute(w["sla_deadline"], origin), HORIZON_MINUTES),
        }
        for w in tables["work_orders"]
    ]
    problem = Problem.model_validate({"origin": origin, "technicians": techs, "orders": orders})
    return _with_routes(problem, tables["work_orders"], {
        row["id"]: i for i, (row, copy) in enumerate(zip(picked, replica, strict=True)) if not copy
    })


def _with_routes(problem: Problem, work_orders: list[dict], tech_of_row: dict[int, int]) -> Problem:
    """Each kept technician's assigned orders by window start, while his day stays feasible."""
    c = compile_problem(problem)
    assigned: dict[int, list[int]] = defaultdict(list)
    for j, w in enumerate(work_orders):
        t = tech_of_row.get(w["technician_id"]) if w["technician_id"] is not None else None
        if t is not None:
            assigned[t].append(j)
    techs = list(problem.technicians)
    for t, candidates in assigned.items():
        route: list[int] = []
        for o in sorted(candidates, key=lambda o: (problem.orders[o].windows[0].start, o)):
            if schedule(c, t, [*route, o]).feasible:
                route.append(o)
        techs[t] = techs[t].model_copy(
            update={"route": [RouteStop(order_id=problem.orders[o].id) for o in route]}
        )
    return problem.model_copy(update={"technicians": techs})
