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
    _refuse_case_duplicates()
    op.create_index("uq_user_username_lower", "user", [sa.text("lower(username)")], unique=True)


def _refuse_case_duplicates():
    """Usernames differing only by case cannot both stay; an admin chooses, not this script."""
    clashes = op.get_bind().execute(
        sa.text(
            'SELECT group_concat_names FROM (SELECT lower(username) AS name, COUNT(*) AS n, '
            "MIN(username) || ' / ' || MAX(username) AS group_concat_names "
            'FROM "user" GROUP BY lower(username)) AS counted WHERE n > 1 ORDER BY name'
        )
    ).scalars().all()
    if clashes:
        raise RuntimeError(
            "以下用户名仅大小写不同，升级前请先改名其中一个（flask people 或管理页面）："
            f"{'；'.join(clashes)}. Usernames differing only by case: rename one of each pair."
        )


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
