"""Contracts of the dispatch engine: a problem (technicians, orders, travel, weights, options)
and what comes back (a recommendation or a plan, with explanations and KPIs).

Other services send a problem as JSON as is, so everything here is plain data. Times are whole
minutes from the problem's `origin` (an aware instant; a plan's day starts there), which keeps
the solver in integers and lets planar benchmark data (Solomon, GAP) use the same contract.
Cross-references (skills, pinned technicians, routes) are checked by
`engine.dispatch.validate`, which lists every offender at once.
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.enums import Skill

MAX_TECHNICIANS = 10_000
MAX_ORDERS = 50_000
MAX_MATRIX_NODES = 5_000
HORIZON_MINUTES = 14 * 24 * 60  # a problem spans at most two weeks of minutes from its origin

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:#\-]+$")]
Minute = Annotated[int, Field(ge=0, le=HORIZON_MINUTES, description="minutes from the origin")]
Duration = Annotated[int, Field(ge=1, le=24 * 60, description="minutes, at least 1")]
Level = Annotated[int, Field(ge=1, le=5)]
Priority = Annotated[int, Field(ge=1, le=5, description="1 = most urgent … 5 = least")]
SkillName = Annotated[str, Field(min_length=1, max_length=64)]
Volume = Annotated[int, Field(ge=0, le=1_000_000, description="parts volume in whole units")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


class Location(_Strict):
    """A place. Haversine travel reads x as longitude and y as latitude (degrees); Euclidean
    travel reads them as planar coordinates; matrix travel reads `node`, a row of the matrix."""

    x: float = 0.0
    y: float = 0.0
    node: int | None = Field(default=None, ge=0, lt=MAX_MATRIX_NODES)

    _finite_x = field_validator("x", "y")(_finite)


class Window(_Strict):
    """A time window [start, end] in minutes from the origin; start may equal end."""

    start: Minute
    end: Minute

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"the window ends ({self.end}) before it starts ({self.start})")
        return self


class Break(_Strict):
    """An unpaid break of `duration` minutes that must start within [earliest, latest]."""

    earliest: Minute
    latest: Minute
    duration: Duration

    @model_validator(mode="after")
    def _ordered(self) -> Break:
        if self.latest < self.earliest:
            raise ValueError("the break's latest start is before its earliest start")
        return self


class RouteStop(_Strict):
    """An order already on a technician's route; a locked stop never moves."""

    order_id: Id
    locked: bool = False


class TechnicianIn(_Strict):
    id: Id
    start: Location
    end: Location | None = Field(default=None, description="where the day ends; default: start")
    skills: dict[SkillName, Level] = Field(description="skill -> certified level")
    shifts: list[Window] = Field(
        description="working windows; several are worked as one day with the gaps as breaks"
    )
    break_: Break | None = Field(default=None, alias="break")
    capacity_minutes: int = Field(default=480, ge=0, le=HORIZON_MINUTES, description="service minutes")
    max_jobs: int | None = Field(default=None, ge=0, le=200)
    parts_capacity: Volume | None = None
    max_radius_km: float | None = Field(default=None, gt=0, le=1000)
    fixed_cost: int = Field(default=0, ge=0, le=10**7, description="cost of using him at all")
    route: list[RouteStop] = Field(default_factory=list, description="current route, in order")

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_by_name=True, serialize_by_alias=True
    )


class OrderIn(_Strict):
    id: Id
    location: Location
    skill: SkillName | None = Field(default=None, description="required skill; None = anyone")
    min_level: Level = 1
    duration: Duration
    windows: list[Window] = Field(
        default_factory=list, description="when the visit may start; empty = any time"
    )
    priority: Priority = 3
    sla_deadline: Minute | None = Field(
        default=None, description="the visit should end by then; later is lateness, not refusal"
    )
    parts_volume: Volume = 0
    pinned_technician: Id | None = None


class TravelKind(str, Enum):
    HAVERSINE = "haversine"
    EUCLIDEAN = "euclidean"
    MATRIX = "matrix"


class Travel(_Strict):
    """How long and how far between two places."""

    kind: TravelKind = TravelKind.HAVERSINE
    road_factor: float = Field(default=1.3, ge=1.0, le=3.0, description="haversine only")
    speed_kmh: float = Field(default=30.0, gt=0, le=200, description="haversine only")
    # Euclidean: distance units and minutes are the same scale unless told otherwise (Solomon).
    units_per_minute: float = Field(default=1.0, gt=0, le=1000, description="euclidean only")
    minutes: list[list[int]] | None = Field(default=None, description="matrix only, minutes")
    km: list[list[float]] | None = Field(default=None, description="matrix only, optional")

    @model_validator(mode="after")
    def _matrix(self) -> Travel:
        if self.kind is TravelKind.MATRIX:
            if self.minutes is None:
                raise ValueError("matrix travel needs `minutes`")
            size = len(self.minutes)
            if size > MAX_MATRIX_NODES:
                raise ValueError(f"a matrix has at most {MAX_MATRIX_NODES} nodes")
            for name, matrix in (("minutes", self.minutes), ("km", self.km)):
                if matrix is None:
                    continue
                if len(matrix) != size or any(len(row) != size for row in matrix):
                    raise ValueError(f"`{name}` must be a square matrix of {size} × {size}")
                if any(not math.isfinite(v) or v < 0 for row in matrix for v in row):
                    raise ValueError(f"`{name}` holds a negative or non-finite value")
        return self


class Weights(_Strict):
    """The objective's terms. Dropping an order always costs more than any travel it saves:
    the engine raises each order's penalty above the longest detour it could avoid."""

    travel_per_minute: int = Field(default=1, ge=0, le=1000)
    lateness_per_minute: int = Field(default=5, ge=0, le=1000)
    unassigned_by_priority: dict[Priority, int] = Field(
        default_factory=lambda: {1: 100_000, 2: 50_000, 3: 20_000, 4: 10_000, 5: 5_000},
        description="penalty of leaving an order of that priority unassigned",
    )
    balance: int = Field(default=0, ge=0, le=1000, description="per minute above the mean load")
    disruption: int = Field(default=0, ge=0, le=100_000, description="per order moved away")


class Mode(str, Enum):
    RECOMMEND = "recommend"
    ASSIGN = "assign"
    ROUTE = "route"


class Options(_Strict):
    time_limit_seconds: float = Field(default=10.0, gt=0, le=600)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    deterministic: bool = Field(
        default=True, description="one worker and a work limit: same input and seed, same plan"
    )
    workers: int = Field(default=1, ge=1, le=16, description="CP-SAT workers when not deterministic")
    top: int = Field(default=5, ge=1, le=50, description="recommend: candidates returned")


class Problem(_Strict):
    """One territory's day (or an imported benchmark instance)."""

    origin: AwareDatetime | None = Field(
        default=None, description="the instant minute 0 stands for; None for abstract instances"
    )
    technicians: list[TechnicianIn] = Field(max_length=MAX_TECHNICIANS)
    orders: list[OrderIn] = Field(max_length=MAX_ORDERS)
    travel: Travel = Field(default_factory=Travel)
    weights: Weights = Field(default_factory=Weights)
    options: Options = Field(default_factory=Options)
    skills: list[SkillName] = Field(
        default_factory=lambda: [s.value for s in Skill],
        description="the skill catalogue; a skill outside it is an error",
    )
    # Per-pair overrides, technician id -> order id -> value: a technician's own service time
    # for an order (proficiency), and the cost of that pairing (with `cost_sense`).
    duration: dict[Id, dict[Id, int]] | None = None
    cost: dict[Id, dict[Id, int]] | None = None
    cost_sense: Literal["min", "max"] = Field(
        default="min", description="max: `cost` holds values to maximise (GAP gap1–12)"
    )
    recommend_order: Id | None = Field(default=None, description="recommend: the order to place")
    name: str | None = Field(default=None, max_length=200)


# --- what comes back -----------------------------------------------------------------------


class ExclusionReason(str, Enum):
    """Why a technician cannot take an order (recommend, and unassigned explanations)."""

    NO_SKILL = "no_skill"
    LEVEL_TOO_LOW = "level_too_low"
    OUT_OF_RADIUS = "out_of_radius"
    CAPACITY_FULL = "capacity_full"  # minutes of service left are fewer than the order needs
    JOBS_FULL = "jobs_full"
    PARTS_FULL = "parts_full"
    NO_SHIFT_FITS = "no_shift_fits"  # no insertion reaches the order inside a window and shift
    PINNED_ELSEWHERE = "pinned_elsewhere"


class UnassignedReason(str, Enum):
    NO_SKILLED_TECHNICIAN = "no_skilled_technician"  # nobody has the skill at the level
    OUT_OF_RANGE = "out_of_range"  # skilled technicians exist, none within radius
    CAPACITY_FULL = "capacity_full"  # every skilled technician's minutes or jobs are used up
    WINDOW_UNREACHABLE = "window_unreachable"  # no skilled technician can arrive in a window
    LOST_TO_HIGHER_PRIORITY = "lost_to_higher_priority"  # feasible alone, displaced by others
    NOT_WORTH_IT = "not_worth_it"  # feasible, but its penalty is below its cost
    PINNED_UNAVAILABLE = "pinned_unavailable"  # pinned to a technician who cannot take it
    TIME_LIMIT = "time_limit"  # the solver found no place for it before its time limit


class ScoreTerms(_Strict):
    """The parts of a choice's cost, in objective units (lower is better)."""

    travel: float
    lateness: float
    balance: float
    disruption: float
    total: float


class Candidate(_Strict):
    technician_id: str
    position: int = Field(description="index in the route where the order is inserted")
    eta: int = Field(description="minute the technician arrives")
    start: int = Field(description="minute the service starts (waiting for the window)")
    added_travel_minutes: int
    added_km: float
    distance_km: float = Field(description="straight from the previous stop")
    skill_level: int
    load_minutes_after: int
    late_minutes: int
    score: ScoreTerms


class ExclusionGroup(_Strict):
    reason: ExclusionReason
    technician_ids: list[str]


class Recommendation(_Strict):
    order_id: str
    candidates: list[Candidate] = Field(description="best first")
    excluded: list[ExclusionGroup] = Field(description="every other technician, by reason")
    considered: int
    elapsed_ms: float
    current_technician: str | None = Field(
        default=None,
        description="the order was on this technician's route: recommended as if taken off it",
    )


class Stop(_Strict):
    order_id: str
    arrival: int
    start: int
    end: int
    travel_minutes: int = Field(description="from the previous stop (or the start)")
    travel_km: float
    late_minutes: int = Field(description="after the SLA deadline")
    locked: bool = False


class Route(_Strict):
    technician_id: str
    stops: list[Stop]
    start: int = Field(description="minute he leaves the start")
    end: int = Field(description="minute he reaches the end")
    travel_minutes: int
    travel_km: float
    service_minutes: int
    utilisation: float = Field(description="service minutes / capacity minutes")
    violation: str | None = Field(
        default=None,
        description="assign mode: the time rule this visit order breaks (stops kept, not dropped)",
    )


class Why(_Strict):
    """Why this technician got this order, against the runner-up."""

    order_id: str
    technician_id: str
    skill_level: int
    distance_km: float
    eta: int
    load_minutes: int
    score: ScoreTerms
    runner_up: str | None = None
    runner_up_score: ScoreTerms | None = None
    runner_up_reason: str | None = Field(default=None, description="why not the runner-up")
    locked: bool = False


class Unassigned(_Strict):
    order_id: str
    reason: UnassignedReason
    detail: str


class SolverStatus(str, Enum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no_solution"  # time limit reached with nothing found
    NOT_SOLVED = "not_solved"  # recommend: no solver call


class Kpis(_Strict):
    assigned: int
    unassigned: int
    total_travel_km: float
    total_travel_minutes: int
    on_time_share: float = Field(description="assigned orders ending by their SLA deadline")
    utilisation: dict[str, float] = Field(description="technician id -> service / capacity")
    solver_status: SolverStatus
    objective: float | None = None
    bound: float | None = None
    gap: float | None = Field(default=None, description="(objective − bound) / |objective|")
    wall_seconds: float
    cut_by_clock: bool = Field(
        default=False,
        description="the search stopped at its wall-clock limit, not its own end or work limit: "
        "even in deterministic mode a rerun may then differ",
    )


class Plan(_Strict):
    mode: Mode
    routes: list[Route] = Field(description="assign mode: stops in the solver-free visit order")
    assignments: list[Why]
    unassigned: list[Unassigned]
    kpis: Kpis
    seed: int
    objective_value: float | None = Field(
        default=None, description="sum of `cost` over assignments, in the problem's cost_sense"
    )
    total_distance: float | None = Field(
        default=None,
        description="Euclidean problems: distance with each leg truncated to one decimal (Solomon)",
    )
