"""integrity: exam-only banks

Revision ID: 9b1e7c4d2a60
Revises: 6acf36eef1c5
Create Date: 2026-11-30 07:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b1e7c4d2a60'
down_revision = '6acf36eef1c5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bank_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('practice', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('bank_version', schema=None) as batch_op:
        batch_op.drop_column('practice')
