"""Background jobs that failed, kept for admins to see (the queue itself keeps no history)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class JobFailure(db.Model):
    """One failed run of a job; ``retries_left`` 0 means the queue gave up on it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(100))
    arguments: Mapped[str] = mapped_column(String(200))
    error: Mapped[str] = mapped_column(Text)
    retries_left: Mapped[int]
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
