"""GraphQL types of dispatch: a stored plan (an ORM row whose plan JSON is the engine's Plan) and
a recommendation, with minutes turned back into instants and problem ids into nodes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

import api.dispatch.enums  # noqa: F401  (registers the enums)
from api.permissions import requires
from api.relay import global_id, node_type
from api.service.types import ServiceNetwork, Technician, WorkOrder
from engine.access.permissions import Permission as P
from engine.store import dispatch as m
from engine.store import service as service_m
from schemas import dispatch as d

_SERVICE = requires(P.SERVICE_READ)
_WORK = requires(P.WORK_ORDER_READ)


def _at(origin: datetime, minutes: int) -> datetime:
    return origin + timedelta(minutes=minutes)


async def _technician(info: Info, problem_id: str) -> Any:
    return await info.context.loaders.by_id(service_m.Technician).load(int(problem_id))


async def _work_order(info: Info, problem_id: str) -> Any:
    return await info.context.loaders.by_id(service_m.WorkOrder).load(int(problem_id))


@strawberry.type(description="The parts of a choice's cost in objective units (lower is better).")
class DispatchScore:
    travel: float
    lateness: float
    balance: float
    disruption: float
    total: float

    @classmethod
    def of(cls, s: d.ScoreTerms) -> DispatchScore:
        return cls(travel=s.travel, lateness=s.lateness, balance=s.balance, disruption=s.disruption, total=s.total)


@strawberry.type(description="One visit of a route.")
class DispatchStop:
    work_order_id: strawberry.ID
    arrival: datetime
    start: datetime = strawberry.field(description="When the service starts (after waiting for the window).")
    end: datetime
    travel_minutes: int = strawberry.field(description="From the previous stop (or home).")
    travel_km: float
    late_minutes: int = strawberry.field(description="After the SLA deadline.")
    locked: bool = strawberry.field(description="In progress: the plan does not move it.")
    _order: strawberry.Private[str]

    @strawberry.field(permission_classes=_WORK, description="Null when outside the rows you may see. Requires `work_order:read`.")
    async def work_order(self, info: Info) -> WorkOrder | None:
        return await _work_order(info, self._order)

    @classmethod
    def of(cls, s: d.Stop, origin: datetime) -> DispatchStop:
        return cls(work_order_id=strawberry.ID(global_id("WorkOrder", int(s.order_id))), arrival=_at(origin, s.arrival),
                   start=_at(origin, s.start), end=_at(origin, s.end), travel_minutes=s.travel_minutes,
                   travel_km=s.travel_km, late_minutes=s.late_minutes, locked=s.locked, _order=s.order_id)


@strawberry.type(description="A technician's day in a plan.")
class DispatchRoute:
    technician_id: strawberry.ID
    stops: list[DispatchStop]
    start: datetime = strawberry.field(description="When he leaves home.")
    end: datetime = strawberry.field(description="When he is back.")
    travel_minutes: int
    travel_km: float
    service_minutes: int
    utilisation: float = strawberry.field(description="Service minutes / capacity minutes.")
    violation: str | None = strawberry.field(
        description="Assign mode: the time rule this visit order breaks (the stops are kept)."
    )
    _technician_key: strawberry.Private[str]

    @strawberry.field(permission_classes=_SERVICE, description="Requires `service:read`.")
    async def technician(self, info: Info) -> Technician | None:
        return await _technician(info, self._technician_key)

    @classmethod
    def of(cls, r: d.Route, origin: datetime) -> DispatchRoute:
        return cls(technician_id=strawberry.ID(global_id("Technician", int(r.technician_id))),
                   stops=[DispatchStop.of(s, origin) for s in r.stops], start=_at(origin, r.start), end=_at(origin, r.end),
                   travel_minutes=r.travel_minutes, travel_km=r.travel_km, service_minutes=r.service_minutes,
                   utilisation=r.utilisation, violation=r.violation, _technician_key=r.technician_id)


@strawberry.type(description="Why this technician got this order, against the runner-up.")
class DispatchAssignment:
    work_order_id: strawberry.ID
    technician_id: strawberry.ID
    skill_level: int
    distance_km: float
    eta: datetime
    load_minutes: int
    score: DispatchScore
    runner_up_id: strawberry.ID | None = strawberry.field(description="The next best technician, if any.")
    runner_up_score: DispatchScore | None
    runner_up_reason: str | None = strawberry.field(description="Why not the runner-up.")
    locked: bool

    @classmethod
    def of(cls, w: d.Why, origin: datetime) -> DispatchAssignment:
        return cls(work_order_id=strawberry.ID(global_id("WorkOrder", int(w.order_id))),
                   technician_id=strawberry.ID(global_id("Technician", int(w.technician_id))),
                   skill_level=w.skill_level, distance_km=w.distance_km, eta=_at(origin, w.eta), load_minutes=w.load_minutes,
                   score=DispatchScore.of(w.score),
                   runner_up_id=None if w.runner_up is None else strawberry.ID(global_id("Technician", int(w.runner_up))),
                   runner_up_score=None if w.runner_up_score is None else DispatchScore.of(w.runner_up_score),
                   runner_up_reason=w.runner_up_reason, locked=w.locked)


@strawberry.type(description="An order the plan leaves unassigned, and why.")
class DispatchUnassigned:
    work_order_id: strawberry.ID
    reason: d.UnassignedReason
    detail: str

    @classmethod
    def of(cls, u: d.Unassigned) -> DispatchUnassigned:
        return cls(work_order_id=strawberry.ID(global_id("WorkOrder", int(u.order_id))), reason=u.reason, detail=u.detail)


@strawberry.type(description="A plan's key figures.")
class DispatchKpis:
    assigned: int
    unassigned: int
    total_travel_km: float
    total_travel_minutes: int
    on_time_share: float = strawberry.field(description="Assigned orders ending by their SLA deadline.")
    solver_status: d.SolverStatus
    objective: float | None
    bound: float | None = strawberry.field(description="The solver's bound on the objective, when it has one.")
    gap: float | None = strawberry.field(description="(objective − bound) / |objective|.")
    wall_seconds: float
    cut_by_clock: bool = strawberry.field(
        description="The search stopped at its wall-clock limit: a rerun may differ, even deterministic."
    )

    @classmethod
    def of(cls, k: d.Kpis) -> DispatchKpis:
        return cls(assigned=k.assigned, unassigned=k.unassigned, total_travel_km=k.total_travel_km,
                   total_travel_minutes=k.total_travel_minutes, on_time_share=k.on_time_share,
                   solver_status=k.solver_status, objective=k.objective, bound=k.bound, gap=k.gap,
                   wall_seconds=k.wall_seconds, cut_by_clock=k.cut_by_clock)


@node_type(m.DispatchPlan)
@strawberry.type(description="A batch plan for one service network's day, stored as a draft until applied.")
class DispatchPlan(relay.Node):
    id: relay.NodeID[int]
    day: date = strawberry.field(name="date", description="The day, in the network's time zone.")
    mode: d.Mode
    status: m.DispatchPlanStatus
    time_limit_seconds: float
    seed: int
    digest: str = strawberry.field(description="SHA-256 of the solved problem's canonical JSON.")
    created_by: str
    applied_at: datetime | None
    applied_by: str | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field(permission_classes=_SERVICE, description="Requires `service:read`.")
    async def network(self, info: Info) -> ServiceNetwork:
        return await info.context.loaders.load_required(service_m.ServiceNetwork, self.network_id)  # type: ignore[attr-defined]

    @strawberry.field(description="Assigned count, travel, on-time share, solver status and gap.")
    def kpis(self) -> DispatchKpis:
        return DispatchKpis.of(d.Kpis.model_validate(self.plan["kpis"]))  # type: ignore[attr-defined]

    @strawberry.field(description="Each technician's day, stops in visit order.")
    def routes(self) -> list[DispatchRoute]:
        return [DispatchRoute.of(d.Route.model_validate(r), self.origin) for r in self.plan["routes"]]  # type: ignore[attr-defined]

    @strawberry.field(description="Why each assigned order went to its technician.")
    def assignments(self) -> list[DispatchAssignment]:
        return [DispatchAssignment.of(d.Why.model_validate(w), self.origin) for w in self.plan["assignments"]]  # type: ignore[attr-defined]

    @strawberry.field(description="Orders left unassigned, with the reason.")
    def unassigned(self) -> list[DispatchUnassigned]:
        return [DispatchUnassigned.of(d.Unassigned.model_validate(u)) for u in self.plan["unassigned"]]  # type: ignore[attr-defined]

    @strawberry.field(description="The engine's plan as JSON (the dispatch contract; times in minutes from `origin`).")
    def plan_json(self) -> JSON:  # type: ignore[valid-type]
        return self.plan  # type: ignore[attr-defined,no-any-return]

    @strawberry.field(description="Minute 0 of the plan's times: the day's midnight in the network's time zone.")
    def origin_at(self) -> datetime:
        return self.origin  # type: ignore[attr-defined,no-any-return]


@strawberry.type(description="A technician who could take the order: where it goes in his route and what it costs.")
class DispatchCandidate:
    technician_id: strawberry.ID
    position: int = strawberry.field(description="Index in his route where the order is inserted.")
    eta: datetime
    start: datetime
    added_travel_minutes: int
    added_km: float
    distance_km: float = strawberry.field(description="From the previous stop.")
    skill_level: int
    load_minutes_after: int
    late_minutes: int
    score: DispatchScore
    _technician_key: strawberry.Private[str]

    @strawberry.field(permission_classes=_SERVICE, description="Requires `service:read`.")
    async def technician(self, info: Info) -> Technician | None:
        return await _technician(info, self._technician_key)

    @classmethod
    def of(cls, c: d.Candidate, origin: datetime) -> DispatchCandidate:
        return cls(technician_id=strawberry.ID(global_id("Technician", int(c.technician_id))), position=c.position,
                   eta=_at(origin, c.eta), start=_at(origin, c.start), added_travel_minutes=c.added_travel_minutes,
                   added_km=c.added_km, distance_km=c.distance_km, skill_level=c.skill_level,
                   load_minutes_after=c.load_minutes_after, late_minutes=c.late_minutes, score=DispatchScore.of(c.score),
                   _technician_key=c.technician_id)


@strawberry.type(description="Technicians who cannot take the order, for one reason.")
class DispatchExclusion:
    reason: d.ExclusionReason
    technician_ids: list[strawberry.ID]


@strawberry.type(description="The best technicians for one work order against the current routes (no solver call).")
class DispatchRecommendation:
    work_order_id: strawberry.ID
    candidates: list[DispatchCandidate] = strawberry.field(description="Best first.")
    excluded: list[DispatchExclusion] = strawberry.field(description="Every other active technician of the network, by reason.")
    considered: int
    elapsed_ms: float
    current_technician_id: strawberry.ID | None = strawberry.field(
        description="The order was on this technician's route: recommended as if taken off it."
    )

    @classmethod
    def of(cls, r: d.Recommendation, origin: datetime) -> DispatchRecommendation:
        return cls(
            work_order_id=strawberry.ID(global_id("WorkOrder", int(r.order_id))),
            candidates=[DispatchCandidate.of(c, origin) for c in r.candidates],
            excluded=[DispatchExclusion(reason=g.reason, technician_ids=[strawberry.ID(global_id("Technician", int(t)))
                                                                         for t in g.technician_ids]) for g in r.excluded],
            considered=r.considered, elapsed_ms=r.elapsed_ms,
            current_technician_id=None if r.current_technician is None
            else strawberry.ID(global_id("Technician", int(r.current_technician))),
        )
