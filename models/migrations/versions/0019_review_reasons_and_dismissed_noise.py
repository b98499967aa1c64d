"""A reason with a volunteer's rejection; messages staff dismissed as noise in the unrecognised lists

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_reason', sa.String(length=200), nullable=True))
    op.create_table('dismissed_noise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('dismissed_by', sa.String(length=64), nullable=False),
    sa.Column('dismissed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("list IN ('query', 'message')", name=op.f('ck_dismissed_noise_list')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dismissed_noise')),
    sa.UniqueConstraint('list', 'key', name=op.f('uq_dismissed_noise_list'))
    )


def downgrade() -> None:
    op.drop_table('dismissed_noise')
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.drop_column('review_reason')
