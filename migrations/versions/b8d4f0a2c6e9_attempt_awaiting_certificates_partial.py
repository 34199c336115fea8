"""attempts: the passes awaiting their certificates indexed alone, in their queue's order

The certificate jobs take the longest waiting passes first, by when they were scored and
then by id (the order the waiting pages are told). A close scores thousands in the same
second, and the index on (status, passed, certificates_checked_at, finalized_at) could
not give that order (PostgreSQL does not count ``IS NULL`` as fixing a column): every
batch of twenty sorted every waiting pass. The index now holds the waiting passes only,
by (finalized_at, id); a pass leaves it when its certificates are issued.

Revision ID: b8d4f0a2c6e9
Revises: a7c3e9f1b5d8
Create Date: 2026-12-03 17:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b8d4f0a2c6e9"
down_revision = "a7c3e9f1b5d8"
branch_labels = None
depends_on = None

AWAITING = "status = 'finalized' AND passed {} AND certificates_checked_at IS NULL"


def upgrade():
    op.drop_index("ix_attempt_awaiting_certificates", table_name="attempt")
    op.create_index(
        "ix_attempt_awaiting_certificates", "attempt", ["finalized_at", "id"],
        postgresql_where=sa.text(AWAITING.format("= true")),
        sqlite_where=sa.text(AWAITING.format("= 1")),
    )  # fmt: skip


def downgrade():
    op.drop_index("ix_attempt_awaiting_certificates", table_name="attempt")
    op.create_index(
        "ix_attempt_awaiting_certificates", "attempt",
        ["status", "passed", "certificates_checked_at", "finalized_at"],
    )  # fmt: skip
