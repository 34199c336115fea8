"""notebook: the latest wrong answer as given (options' order, response, test session)

Revision ID: a9d8c7b6e5f4
Revises: f1b2c3d4e5a6
Create Date: 2026-11-30 09:10:00

"""
import warnings

from alembic import op
import sqlalchemy as sa


revision = 'a9d8c7b6e5f4'
down_revision = 'f1b2c3d4e5a6'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite rebuilds the table to add the foreign key, reflecting the tables it refers to;
    # the user table's lower(username) index cannot be reflected and is not needed here.
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', 'Skipped unsupported reflection', sa.exc.SAWarning)
        _add_columns()


def _add_columns():
    with op.batch_alter_table('notebook_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_response', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('last_option_order', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('last_session_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_notebook_entry_last_session_id_exam_session'), 'exam_session',
            ['last_session_id'], ['id'],
        )


def downgrade():
    with op.batch_alter_table('notebook_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notebook_entry_last_session_id_exam_session'), type_='foreignkey')
        batch_op.drop_column('last_session_id')
        batch_op.drop_column('last_option_order')
        batch_op.drop_column('last_response')
