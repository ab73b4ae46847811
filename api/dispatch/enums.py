"""The dispatch enums, registered with GraphQL names once, before any type uses them."""

import strawberry

from engine.store.dispatch import DispatchPlanStatus
from schemas import dispatch as d

strawberry.enum(d.Mode, name="DispatchMode", description="RECOMMEND one order, ASSIGN (CP-SAT) or ROUTE (VRPTW).")
strawberry.enum(DispatchPlanStatus, description="DRAFT until applied; APPLIED once its work orders were assigned.")
strawberry.enum(d.SolverStatus, name="DispatchSolverStatus", description="What the solver proved.")
strawberry.enum(d.UnassignedReason, name="DispatchUnassignedReason", description="Why an order was left unassigned.")
strawberry.enum(d.ExclusionReason, name="DispatchExclusionReason", description="Why a technician cannot take the order.")
