"""A certificate's PDF is compressed already: PostgreSQL stores it as it is, rather than
trying its own compression on every PDF and giving up after most of the file (about half
the server's CPU for storing one, ten thousand at a close: bench/bench_pdf_storage.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.extensions import db


def test_the_pdf_column_is_stored_without_compression_on_postgresql(ctx, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite does not compress what it stores")
    storage = db.session.scalar(
        text(
            "SELECT attstorage FROM pg_attribute"
            " WHERE attrelid = 'certificate'::regclass AND attname = 'pdf'"
        )
    )
    assert storage == "e"  # external: out of line, not compressed
