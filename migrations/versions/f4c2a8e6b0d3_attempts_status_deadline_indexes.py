"""attempts: open papers by deadline, and a sitting's running papers by deadline

The single-column indexes on status and on the sitting are the leading columns of the
new ones (and of the unique sitting-user-number index), so they go.

Revision ID: f4c2a8e6b0d3
Revises: e3b9d5a7c2f4
Create Date: 2026-12-01 19:50:00

"""
from alembic import op

revision = 'f4c2a8e6b0d3'
down_revision = 'e3b9d5a7c2f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_attempt_status_deadline', 'attempt', ['status', 'deadline'], unique=False)
    op.create_index(
        'ix_attempt_session_id_status_deadline', 'attempt',
        ['session_id', 'status', 'deadline'], unique=False,
    )
    op.drop_index('ix_attempt_status', table_name='attempt')
    op.drop_index('ix_attempt_session_id', table_name='attempt')


def downgrade():
    op.create_index('ix_attempt_session_id', 'attempt', ['session_id'], unique=False)
    op.create_index('ix_attempt_status', 'attempt', ['status'], unique=False)
    op.drop_index('ix_attempt_session_id_status_deadline', table_name='attempt')
    op.drop_index('ix_attempt_status_deadline', table_name='attempt')
