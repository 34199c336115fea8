"""perf: failed background jobs, shown to admins

Revision ID: 0f3e5a7c9b21
Revises: b5e2c9d4a1f3
Create Date: 2026-11-30 07:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.models.types


# revision identifiers, used by Alembic.
revision = '0f3e5a7c9b21'
down_revision = "b5e2c9d4a1f3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task', sa.String(length=100), nullable=False),
    sa.Column('arguments', sa.String(length=200), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('retries_left', sa.Integer(), nullable=False),
    sa.Column('failed_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_failure'))
    )
    with op.batch_alter_table('job_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_failure_failed_at'), ['failed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('job_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_failure_failed_at'))
    op.drop_table('job_failure')
