"""attempts: the indexes on open papers hold open papers only

At a close every paper of a sitting leaves the open state within a minute, while the
statistics PostgreSQL plans by were taken when most of them were open. With an index on
every paper's deadline, it read a sitting's latest open deadline (asked by every result
page and every batch of scores) by scanning all of the sitting's papers backwards for one
still open: 1,500 rows a question at a 1,500-candidate close. Partial indexes over open
papers hold nothing else, whatever the statistics say. The index on the deadline alone
goes: every query by deadline asks for open papers.

Revision ID: d2f6b8a0c4e7
Revises: c8a4e1f7d2b6
Create Date: 2026-12-03 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d2f6b8a0c4e7"
down_revision = "c8a4e1f7d2b6"
branch_labels = None
depends_on = None

OPEN_ONLY = {
    "postgresql_where": sa.text("status = 'in_progress'"),
    "sqlite_where": sa.text("status = 'in_progress'"),
}


def upgrade():
    op.create_index("ix_attempt_open_deadline", "attempt", ["deadline", "id"], **OPEN_ONLY)
    op.create_index(
        "ix_attempt_open_session_deadline", "attempt", ["session_id", "deadline"], **OPEN_ONLY
    )
    op.drop_index("ix_attempt_session_id_status_deadline", table_name="attempt")
    op.drop_index("ix_attempt_status_deadline", table_name="attempt")
    op.drop_index("ix_attempt_deadline", table_name="attempt")


def downgrade():
    op.create_index("ix_attempt_deadline", "attempt", ["deadline"])
    op.create_index("ix_attempt_status_deadline", "attempt", ["status", "deadline"])
    op.create_index(
        "ix_attempt_session_id_status_deadline", "attempt", ["session_id", "status", "deadline"]
    )
    op.drop_index("ix_attempt_open_session_deadline", table_name="attempt")
    op.drop_index("ix_attempt_open_deadline", table_name="attempt")
