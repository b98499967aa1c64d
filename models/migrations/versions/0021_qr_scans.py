"""Follows and scans through parametric QR codes, counted per code

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('qr_scan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scene', sa.String(length=64), nullable=False),
    sa.Column('event', sa.String(length=10), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("event IN ('follow', 'scan')", name=op.f('ck_qr_scan_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qr_scan'))
    )
    with op.batch_alter_table('qr_scan', schema=None) as batch_op:
        batch_op.create_index('ix_qr_scan_scene_event', ['scene', 'event'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('qr_scan', schema=None) as batch_op:
        batch_op.drop_index('ix_qr_scan_scene_event')
    op.drop_table('qr_scan')
