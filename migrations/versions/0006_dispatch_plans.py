"""Dispatch plans: a network's stored day plans with the problem they solved (and its digest),
the versions of the work orders and technicians they read, and whether they were applied.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 05:50:06.546222

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import engine.store.base


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('dispatch_plans',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('origin', engine.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('mode', sa.Enum('recommend', 'assign', 'route', name='mode', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('draft', 'applied', name='dispatchplanstatus', native_enum=False, length=16), nullable=False),
    sa.Column('time_limit_seconds', sa.Float(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('problem', sa.JSON(), nullable=False),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('versions', sa.JSON(), nullable=False),
    sa.Column('solver_status', sa.Enum('optimal', 'feasible', 'infeasible', 'no_solution', 'not_solved', name='solverstatus', native_enum=False, length=16), nullable=False),
    sa.Column('assigned_count', sa.Integer(), nullable=False),
    sa.Column('unassigned_count', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('applied_at', engine.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('applied_by', sa.String(length=100), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('created_at', engine.store.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', engine.store.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['service_networks.id'], name=op.f('fk_dispatch_plans_network_id_service_networks'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_plans'))
    )
    with op.batch_alter_table('dispatch_plans', schema=None) as batch_op:
        batch_op.create_index('ix_dispatch_plans_network_day', ['network_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispatch_plans_status'), ['status'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('dispatch_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispatch_plans_status'))
        batch_op.drop_index('ix_dispatch_plans_network_day')

    op.drop_table('dispatch_plans')
