"""certificates: the PDF is stored after the row (numbered first, rendered outside the lock)

Revision ID: d7f2a9c4e1b3
Revises: a9d3f7c1e2b8
Create Date: 2026-11-30 13:20:00

"""
import warnings

import sqlalchemy as sa
from alembic import op

revision = 'd7f2a9c4e1b3'
down_revision = 'a9d3f7c1e2b8'
branch_labels = None
depends_on = None


def upgrade():
    _pdf_nullable(True)


def downgrade():
    # Fails while a certificate still waits for its PDF: let the sweep finish it first.
    _pdf_nullable(False)


def _pdf_nullable(nullable):
    # SQLite rebuilds the table, reflecting the tables it refers to; the user table's
    # lower(username) index cannot be reflected and is not needed here.
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', 'Skipped unsupported reflection', sa.exc.SAWarning)
        with op.batch_alter_table('certificate', schema=None) as batch_op:
            batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=nullable)
