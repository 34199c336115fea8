"""attempts: the times a candidate left the test page (记录切屏)

Revision ID: e5a1c0f3d2b4
Revises: b7e4c2a9d1f3
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa

from app.models.types import UTCDateTime


revision = 'e5a1c0f3d2b4'
down_revision = 'b7e4c2a9d1f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attempt_focus_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name=op.f('fk_attempt_focus_event_attempt_id_attempt')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_focus_event')),
    )
    with op.batch_alter_table('attempt_focus_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_focus_event_attempt_id'), ['attempt_id'], unique=False)


def downgrade():
    with op.batch_alter_table('attempt_focus_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_focus_event_attempt_id'))
    op.drop_table('attempt_focus_event')
