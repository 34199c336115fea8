"""login throttle: when a key's latest try was counted, so quiet keys can be deleted

Revision ID: c4e8a2f6b1d9
Revises: a9d8c7b6e5f4
Create Date: 2026-11-30 10:00:00

"""

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision = "c4e8a2f6b1d9"
down_revision = "a9d8c7b6e5f4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_failure_at", UTCDateTime(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_login_throttle_last_failure_at"), ["last_failure_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttle_last_failure_at"))
        batch_op.drop_column("last_failure_at")
