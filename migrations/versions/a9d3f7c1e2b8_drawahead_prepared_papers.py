"""prepared papers: first papers drawn ahead of a sitting's start rush; start lock generations

Revision ID: a9d3f7c1e2b8
Revises: c3e7a1f5b9d2
Create Date: 2026-11-30 12:50:00

"""
from alembic import op
import sqlalchemy as sa

from app.models.types import UTCDateTime


revision = 'a9d3f7c1e2b8'
down_revision = 'c3e7a1f5b9d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'prepared_paper',
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('exam_id', sa.Integer(), nullable=False),
        sa.Column('exam_updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('bank_version_id', sa.Integer(), nullable=False),
        sa.Column('seed', sa.BigInteger(), nullable=False),
        sa.Column('policy', sa.JSON(), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('prepared_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['exam_session.id'], name=op.f('fk_prepared_paper_session_id_exam_session'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_prepared_paper_user_id_user'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_prepared_paper_exam_id_exam'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['bank_version_id'], ['bank_version.id'], name=op.f('fk_prepared_paper_bank_version_id_bank_version'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_prepared_paper')),
    )
    with op.batch_alter_table('prepared_paper', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prepared_paper_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('attempt_start_lock', schema=None) as batch_op:
        batch_op.add_column(sa.Column('generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('attempt_start_lock', schema=None) as batch_op:
        batch_op.drop_column('generation')
    with op.batch_alter_table('prepared_paper', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prepared_paper_user_id'))
    op.drop_table('prepared_paper')
