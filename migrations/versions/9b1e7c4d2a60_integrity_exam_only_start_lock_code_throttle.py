"""integrity: exam-only banks, per-candidate start lock, access code throttle

Revision ID: 9b1e7c4d2a60
Revises: 6acf36eef1c5
Create Date: 2026-11-30 07:20:00

"""
from alembic import op
import sqlalchemy as sa

import app.models.types


# revision identifiers, used by Alembic.
revision = '9b1e7c4d2a60'
down_revision = '6acf36eef1c5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bank_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('practice', sa.Boolean(), server_default=sa.true(), nullable=False))

    op.create_table('attempt_start_lock',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_attempt_start_lock_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_attempt_start_lock'))
    )
    op.create_table('access_code_failure',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['exam_session.id'], name=op.f('fk_access_code_failure_session_id_exam_session')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_access_code_failure_user_id_user')),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_access_code_failure'))
    )


def downgrade():
    op.drop_table('access_code_failure')
    op.drop_table('attempt_start_lock')
    with op.batch_alter_table('bank_version', schema=None) as batch_op:
        batch_op.drop_column('practice')
