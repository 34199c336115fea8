"""A fixed-window rate limit kept in the database, so every worker and host shares it.

Flask-Limiter's default storage is per process (N workers would allow N times the limit)
and its shared storages need Redis or Memcached, which this deployment does not have;
the database is already shared. One upsert per look-up: ``INSERT ... ON CONFLICT DO
UPDATE SET hits = hits + 1 RETURNING hits`` is atomic on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import time

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models import RateCounter

WINDOW_SECONDS = 60


def allow(key: str, limit: int, now: float | None = None) -> bool:
    """Count one hit for ``key`` in the current minute; False once over ``limit``."""
    window = int((time.time() if now is None else now) // WINDOW_SECONDS)
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    upsert = (
        insert(RateCounter)
        .values(key=key[:100], window=window, hits=1)
        .on_conflict_do_update(
            index_elements=["key", "window"], set_={"hits": RateCounter.hits + 1}
        )
        .returning(RateCounter.hits)
    )
    hits = db.session.scalar(upsert)
    db.session.execute(delete(RateCounter).where(RateCounter.window < window - 1))
    db.session.commit()
    return hits <= limit
