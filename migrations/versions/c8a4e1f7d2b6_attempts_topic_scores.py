"""attempts: the scores by topic, stored with the score

The result page read and summed the paper's eighty items by topic on every load (a tenth
of the page); they are written once, as the section scores are. Papers scored before keep
none (NULL), and their page sums the items as before.

Revision ID: c8a4e1f7d2b6
Revises: f4c2a8e6b0d3
Create Date: 2026-12-02 14:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c8a4e1f7d2b6"
down_revision = "f4c2a8e6b0d3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topics", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.drop_column("topics")
