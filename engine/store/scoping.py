"""Row scope applied where data is loaded: every ORM statement of a session bound to a
principal gets that principal's criteria (with_loader_criteria, the SQLAlchemy recipe)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

PRINCIPAL = "principal"
# Execution option for the few statements that must see every row whatever the caller's scope:
# uniqueness checks (a code or mobile number taken outside the scope is still taken).
UNSCOPED = "crm_unscoped"


@event.listens_for(Session, "do_orm_execute")
def _apply_row_scope(state: ORMExecuteState) -> None:
    principal: Any = state.session.info.get(PRINCIPAL)
    if principal is None or state.execution_options.get(UNSCOPED):
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    # Relationship and column loads inherit the criteria from the statement that loaded the
    # parent (propagate_to_loaders), so they are not wrapped twice.
    if state.is_column_load or state.is_relationship_load:
        return
    options = [with_loader_criteria(model, condition, include_aliases=True) for model, condition in principal.row_criteria]
    if options:
        state.statement = state.statement.options(*options)
