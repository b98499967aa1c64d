"""Areas' own answers to service questions (bulky waste, medicine, collection times …)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

TOPICS = ("bulky", "renovation", "appliance", "medicine", "battery", "clothes", "times")


def upgrade() -> None:
    op.create_table('area_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=20), nullable=False),
    sa.Column('topic', sa.String(length=16), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('hours', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('address', sa.String(length=120), nullable=False),
    sa.Column('kept_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("topic IN (" + ", ".join(f"'{topic}'" for topic in TOPICS) + ")",
                       name=op.f('ck_area_service_topic')),
    sa.CheckConstraint("text <> ''", name=op.f('ck_area_service_text_not_empty')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_area_service_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area_service')),
    sa.UniqueConstraint('region_code', 'topic', name='uq_area_service_region_topic')
    )


def downgrade() -> None:
    op.drop_table('area_service')
