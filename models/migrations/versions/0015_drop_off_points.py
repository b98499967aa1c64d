"""Drop-off points (batteries, medicine, clothes, bulky waste …) with GCJ-02 coordinates

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 12:10:00

Two covering indexes serve the nearest-point search's bounding box: (kind, lat, lng, active, id)
when a kind is asked for, (lat, lng, active, id) over every kind.
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

KINDS = ("hazardous_box", "battery_box", "medicine", "clothes", "appliance", "bulky", "renovation",
         "recycling_station")


def upgrade() -> None:
    op.create_table('drop_off_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('address', sa.String(length=120), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lng', sa.Float(), nullable=False),
    sa.Column('hours', sa.String(length=100), nullable=False),
    sa.Column('region_code', sa.String(length=20), nullable=False),
    sa.Column('kept_by', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN (" + ", ".join(f"'{kind}'" for kind in KINDS) + ")",
                       name=op.f('ck_drop_off_point_kind')),
    sa.CheckConstraint('lat BETWEEN 3.0 AND 54.0 AND lng BETWEEN 73.0 AND 136.0',
                       name=op.f('ck_drop_off_point_within_china')),
    sa.CheckConstraint("name <> ''", name=op.f('ck_drop_off_point_name_not_empty')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'],
                            name=op.f('fk_drop_off_point_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drop_off_point'))
    )
    with op.batch_alter_table('drop_off_point', schema=None) as batch_op:
        batch_op.create_index('ix_drop_off_point_kind_lat_lng', ['kind', 'lat', 'lng', 'active', 'id'],
                              unique=False)
        batch_op.create_index('ix_drop_off_point_lat_lng', ['lat', 'lng', 'active', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drop_off_point_region_code'), ['region_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('drop_off_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drop_off_point_region_code'))
        batch_op.drop_index('ix_drop_off_point_lat_lng')
        batch_op.drop_index('ix_drop_off_point_kind_lat_lng')
    op.drop_table('drop_off_point')
