"""formats: a bank version keeps the file it was published from; uploads keep the
bank id and title to use when the file's format has none

Revision ID: b5e2c9d4a1f3
Revises: 5ec0a1e9b7d2
Create Date: 2026-11-30 07:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b5e2c9d4a1f3"
down_revision = "5ec0a1e9b7d2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bank_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("source_data", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("bank_upload", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_bank", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("default_title", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("bank_upload", schema=None) as batch_op:
        batch_op.drop_column("default_title")
        batch_op.drop_column("default_bank")
    with op.batch_alter_table("bank_version", schema=None) as batch_op:
        batch_op.drop_column("source_data")
        batch_op.drop_column("source_name")
