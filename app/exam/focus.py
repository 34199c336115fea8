"""Leaving the test page while answering (记录切屏): each time is recorded for the admins'
drill-down; a cap keeps a looping client from filling the table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, FocusEvent

KINDS = frozenset({"hidden", "blur"})  # another tab or the page left; another window
MAX_EVENTS_PER_ATTEMPT = 500


def departures(attempt_id: int) -> int:
    """How many times the candidate has left the test page during this attempt."""
    return db.session.scalar(
        select(func.count()).select_from(FocusEvent).where(FocusEvent.attempt_id == attempt_id)
    )


def record_focus_event(attempt: Attempt, kind: str, now: datetime) -> bool:
    """Record one departure while the attempt is open; False once it is closed or full."""
    if attempt.closed or now > attempt.deadline:
        return False
    if departures(attempt.id) >= MAX_EVENTS_PER_ATTEMPT:
        return False
    db.session.add(FocusEvent(attempt_id=attempt.id, kind=kind, at=now))
    db.session.commit()
    return True
