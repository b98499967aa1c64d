"""regions, residents' area, consents, volunteers and service records

Revision ID: 0004
Revises: 0005
Create Date: 2026-11-29 02:48:14.680321

Numbered for issue 4; it follows 0005 (the staff console), which was merged first.
Additive only: old code keeps working during a rolling deploy.
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('region',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('parent_code', sa.String(length=20), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("source IN ('official', 'staff')", name=op.f('ck_region_source')),
    sa.CheckConstraint('level BETWEEN 1 AND 4', name=op.f('ck_region_level')),
    sa.ForeignKeyConstraint(['parent_code'], ['region.code'], name=op.f('fk_region_parent_code_region'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_region'))
    )
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_parent_code'), ['parent_code'], unique=False)

    op.create_table('consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('version', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("purpose IN ('area', 'volunteer')", name=op.f('ck_consent_purpose')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_consent_resident_id_resident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent')),
    sa.UniqueConstraint('resident_id', 'purpose', name=op.f('uq_consent_resident_id'))
    )
    op.create_table('volunteer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('region_code', sa.String(length=20), nullable=False),
    sa.Column('skills', sa.String(length=200), nullable=False),
    sa.Column('availability', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by', sa.String(length=64), nullable=True),
    sa.CheckConstraint("name <> ''", name=op.f('ck_volunteer_name_not_empty')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f('ck_volunteer_status')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_volunteer_region_code_region')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_volunteer_resident_id_resident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer')),
    sa.UniqueConstraint('resident_id', name=op.f('uq_volunteer_resident_id'))
    )
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_status'), ['status'], unique=False)

    op.create_table('service_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('region_code', sa.String(length=20), nullable=False),
    sa.Column('activity', sa.String(length=200), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.Column('organiser', sa.String(length=100), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('hours > 0 AND hours <= 24', name=op.f('ck_service_record_hours')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_service_record_region_code_region')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_service_record_volunteer_id_volunteer'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_record'))
    )
    with op.batch_alter_table('service_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_record_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_record_volunteer_id'), ['volunteer_id'], unique=False)

    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('area_bound_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_resident_region_code'), ['region_code'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_resident_region_code_region'), 'region', ['region_code'], ['code'])



def downgrade() -> None:
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_resident_region_code_region'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_resident_region_code'))
        batch_op.drop_column('area_bound_at')
        batch_op.drop_column('region_code')

    with op.batch_alter_table('service_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_record_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_service_record_region_code'))

    op.drop_table('service_record')
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_status'))
        batch_op.drop_index(batch_op.f('ix_volunteer_region_code'))

    op.drop_table('volunteer')
    op.drop_table('consent')
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_region_parent_code'))

    op.drop_table('region')
