"""Staff cancel a whole activity: when, by whom, why; the families' cancellation notice claim

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 05:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=100), nullable=True))
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activity_cancel_notified_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_column('activity_cancel_notified_at')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_by')
        batch_op.drop_column('cancelled_at')
