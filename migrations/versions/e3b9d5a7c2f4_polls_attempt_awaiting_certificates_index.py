"""attempts: an index for the passes awaiting their certificates (the waiting pages' queue)

Revision ID: e3b9d5a7c2f4
Revises: b4c8e2f6a1d9
Create Date: 2026-11-30 18:40:00

"""
from alembic import op

revision = 'e3b9d5a7c2f4'
down_revision = 'b4c8e2f6a1d9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_attempt_awaiting_certificates', 'attempt',
        ['status', 'passed', 'certificates_checked_at', 'finalized_at'], unique=False,
    )


def downgrade():
    op.drop_index('ix_attempt_awaiting_certificates', table_name='attempt')
