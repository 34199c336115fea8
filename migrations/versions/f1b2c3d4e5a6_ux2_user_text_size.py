"""people: the reader's text size (大字), remembered per user

Revision ID: f1b2c3d4e5a6
Revises: e5a1c0f3d2b4
Create Date: 2026-11-30 09:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f1b2c3d4e5a6'
down_revision = 'e5a1c0f3d2b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_size', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('text_size')
