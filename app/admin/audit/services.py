"""Querying the audit log: filters in the admin's local calendar, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import AuditEntry, User
from app.timefmt import local_midnight


@dataclass(frozen=True)
class Filters:
    action: str = ""
    actor: str = ""
    date_from: date | None = None
    date_to: date | None = None


def actions() -> list[str]:
    """Every action that occurs in the log, for the filter's choices."""
    return list(
        db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    )


def entries(filters: Filters) -> Select:
    """Entries matching the filters; dates are whole local days, both ends included."""
    query = (
        select(AuditEntry)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor:
        needle = filters.actor.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        people = select(User.id).where(
            or_(
                User.username.ilike(f"%{needle}%", escape="\\"),
                User.name.ilike(f"%{needle}%", escape="\\"),
            )
        )
        query = query.where(AuditEntry.actor_id.in_(people))
    if filters.date_from:
        query = query.where(AuditEntry.at >= local_midnight(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.at < local_midnight(filters.date_to + timedelta(days=1)))
    return query
