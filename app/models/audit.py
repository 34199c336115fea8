"""The audit log: who did what, when, with what before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.people import User
from app.models.types import UTCDateTime, utcnow


class AuditEntry(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


def record(actor: User | None, action: str, target: str, **details: Any) -> AuditEntry:
    """Add an entry to the current transaction, so it commits or rolls back with the change."""
    entry = AuditEntry(actor=actor, action=action, target=target, details=details)
    db.session.add(entry)
    return entry


def record_by_id(actor_id: int | None, action: str, target: str, **details: Any) -> AuditEntry:
    """As ``record``, for a job that knows the actor's id but has no user loaded."""
    entry = AuditEntry(actor_id=actor_id, action=action, target=target, details=details)
    db.session.add(entry)
    return entry
