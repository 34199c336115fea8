"""Failed sign-ins counted per key (account and address, or address alone)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class LoginThrottle(db.Model):
    """A key's failures so far and, once past the limit, when it may try again."""

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the latest try was counted: a quiet key is forgotten (see ``prune``).
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
