"""certificates: a PDF that failed to render is retried after growing waits

Revision ID: b4c8e2f6a1d9
Revises: d7f2a9c4e1b3
Create Date: 2026-11-30 13:50:00

"""
import warnings

import sqlalchemy as sa
from alembic import op

import app.models.types

revision = 'b4c8e2f6a1d9'
down_revision = 'd7f2a9c4e1b3'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('certificate', sa.Column('pdf_failures', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('certificate', sa.Column('pdf_retry_at', app.models.types.UTCDateTime(timezone=True), nullable=True))
    op.add_column('certificate', sa.Column('pdf_error', sa.String(length=500), nullable=True))


def downgrade():
    # SQLite rebuilds the table, reflecting the tables it refers to; the user table's
    # lower(username) index cannot be reflected and is not needed here.
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', 'Skipped unsupported reflection', sa.exc.SAWarning)
        with op.batch_alter_table('certificate', schema=None) as batch_op:
            batch_op.drop_column('pdf_error')
            batch_op.drop_column('pdf_retry_at')
            batch_op.drop_column('pdf_failures')
