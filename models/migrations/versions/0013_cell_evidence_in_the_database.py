"""Cell evidence files live in the database, so every web machine serves them without shared disk

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 06:10:00

Files already uploaded to the old evidence folder (CELL_EVIDENCE_DIR, by default
instance/cell_evidence) are copied in; the folder itself is left alone.
"""
import os
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

INSTANCE_DIR = Path(__file__).resolve().parents[3] / "instance"


def upgrade() -> None:
    with op.batch_alter_table('cell_evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data', sa.LargeBinary(), nullable=True))
    folder = Path(os.environ.get("CELL_EVIDENCE_DIR") or INSTANCE_DIR / "cell_evidence")
    bind = op.get_bind()
    for evidence_id, stored_name in bind.execute(sa.text("SELECT id, stored_name FROM cell_evidence")).all():
        path = folder / stored_name
        if path.is_file():
            bind.execute(sa.text("UPDATE cell_evidence SET data = :data WHERE id = :id"),
                         {"data": path.read_bytes(), "id": evidence_id})
    with op.batch_alter_table('cell_evidence', schema=None) as batch_op:
        batch_op.drop_constraint('uq_cell_evidence_stored_name', type_='unique')
        batch_op.drop_column('stored_name')


def downgrade() -> None:
    # The bytes stay behind only in the database being downgraded; the old code reads a folder.
    with op.batch_alter_table('cell_evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stored_name', sa.String(length=80), nullable=True))
        batch_op.drop_column('data')
    op.execute("UPDATE cell_evidence SET stored_name = 'missing-' || id")
    with op.batch_alter_table('cell_evidence', schema=None) as batch_op:
        batch_op.alter_column('stored_name', existing_type=sa.String(length=80), nullable=False)
        batch_op.create_unique_constraint('uq_cell_evidence_stored_name', ['stored_name'])
