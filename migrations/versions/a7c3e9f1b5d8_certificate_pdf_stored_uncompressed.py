"""certificates: the PDF is stored without compression on PostgreSQL

A signed PDF (~40 KB) is compressed already (its streams and font subsets): PostgreSQL's
own compression found nothing to gain and gave up only after most of the file, every time
a PDF was stored (about half the server's CPU for the write; ten thousand at a close).
SQLite does not compress.

Revision ID: a7c3e9f1b5d8
Revises: d2f6b8a0c4e7
Create Date: 2026-12-03 10:40:00

"""

from alembic import op

revision = "a7c3e9f1b5d8"
down_revision = "d2f6b8a0c4e7"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE certificate ALTER COLUMN pdf SET STORAGE EXTERNAL")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE certificate ALTER COLUMN pdf SET STORAGE EXTENDED")
