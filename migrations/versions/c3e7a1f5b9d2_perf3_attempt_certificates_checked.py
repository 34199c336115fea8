"""attempts: when the certificates an attempt earns were issued (or found to be none)

Revision ID: c3e7a1f5b9d2
Revises: c4e8a2f6b1d9
Create Date: 2026-11-30 10:10:00

"""
import sqlalchemy as sa
from alembic import op

import app.models.types

revision = 'c3e7a1f5b9d2'
down_revision = 'c4e8a2f6b1d9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificates_checked_at', app.models.types.UTCDateTime(timezone=True), nullable=True))
    # Papers scored before this column were issued their certificates then (or listed for
    # admins as failed): the sweep owes them nothing.
    op.execute(
        "UPDATE attempt SET certificates_checked_at = finalized_at WHERE status = 'finalized'"
    )


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('certificates_checked_at')
