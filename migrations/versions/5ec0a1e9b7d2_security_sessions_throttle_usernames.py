"""security: session versions, login throttle keys, case-insensitive usernames

Revision ID: 5ec0a1e9b7d2
Revises: 9b1e7c4d2a60
Create Date: 2026-11-30 07:30:00.000000

"""

from alembic import op
import sqlalchemy as sa

import app.models.types


# revision identifiers, used by Alembic.
revision = "5ec0a1e9b7d2"
down_revision = "9b1e7c4d2a60"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("locked_until")
    op.create_index("uq_user_username_lower", "user", [sa.text("lower(username)")], unique=True)


def downgrade():
    op.drop_index("uq_user_username_lower", table_name="user")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("locked_until", app.models.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.drop_column("session_version")
    op.drop_table("login_throttle")
