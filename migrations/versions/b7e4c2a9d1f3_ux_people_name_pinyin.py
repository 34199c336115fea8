"""people: names in pinyin for sorting and look-up by initials

Revision ID: b7e4c2a9d1f3
Revises: 0f3e5a7c9b21
Create Date: 2026-11-30 07:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e4c2a9d1f3'
down_revision = '0f3e5a7c9b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_pinyin', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('name_initials', sa.String(length=100), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_user_name_pinyin'), ['name_pinyin'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_name_initials'), ['name_initials'], unique=False)

    from app.pinyin import initials, sort_key

    bind = op.get_bind()
    users = sa.table('user', sa.column('id', sa.Integer), sa.column('name', sa.String),
                     sa.column('name_pinyin', sa.String), sa.column('name_initials', sa.String))
    for user_id, name in bind.execute(sa.select(users.c.id, users.c.name)).all():
        bind.execute(users.update().where(users.c.id == user_id)
                     .values(name_pinyin=sort_key(name), name_initials=initials(name)))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_name_initials'))
        batch_op.drop_index(batch_op.f('ix_user_name_pinyin'))
        batch_op.drop_column('name_initials')
        batch_op.drop_column('name_pinyin')
