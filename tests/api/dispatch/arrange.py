"""Shared arrangements of the dispatch API tests: the small demo data loaded, and readers of the
rows a mutation must (or must not) have changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from engine.demo.sizes import DEFAULT_DEMO_DATE
from engine.store.access import AuditEvent
from engine.store.dispatch import DispatchPlan
from engine.store.service import WorkOrder, WorkOrderEvent

DAY = DEFAULT_DEMO_DATE.isoformat()

PLAN_FIELDS = """
  id date mode status digest timeLimitSeconds seed createdBy appliedAt originAt
  network { id code }
  kpis { assigned unassigned totalTravelKm totalTravelMinutes onTimeShare solverStatus objective bound gap wallSeconds }
  routes { technicianId start end travelMinutes serviceMinutes utilisation
           stops { workOrderId arrival start end travelMinutes lateMinutes locked } }
  assignments { workOrderId technicianId skillLevel distanceKm eta loadMinutes score { total } runnerUpId runnerUpReason locked }
  unassigned { workOrderId reason detail }
"""

CREATE = f"""
mutation Create($input: DispatchPlanCreateInput!) {{
  dispatchPlanCreate(input: $input) {{ errors {{ field message code }} dispatchPlan {{ {PLAN_FIELDS} }} }}
}}
"""

APPLY = f"""
mutation Apply($id: ID!) {{
  dispatchPlanApply(id: $id) {{ errors {{ field message code }} dispatchPlan {{ {PLAN_FIELDS} }} }}
}}
"""


def work_order_state(db: Engine) -> list[tuple[Any, ...]]:
    """Every work order's status, technician and version, and the number of history rows."""
    with db.connect() as c:
        rows = [tuple(r) for r in c.execute(
            select(WorkOrder.id, WorkOrder.status, WorkOrder.technician_id, WorkOrder.version).order_by(WorkOrder.id))]
        events = c.scalar(select(func.count()).select_from(WorkOrderEvent))
    return [*rows, ("events", events)]


def plan_rows(db: Engine) -> list[tuple[Any, ...]]:
    with db.connect() as c:
        return [tuple(r) for r in c.execute(select(DispatchPlan.id, DispatchPlan.status, DispatchPlan.row_version))]


def audit_outcomes(db: Engine, operation: str) -> list[tuple[str, list[str]]]:
    with db.connect() as c:
        return [(r.outcome, r.error_codes) for r in c.execute(
            select(AuditEvent.outcome, AuditEvent.error_codes).where(AuditEvent.operation == operation).order_by(AuditEvent.id))]
