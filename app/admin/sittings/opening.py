"""Moving a sitting's open while candidates wait in its room (``app.exam.sealed``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.exam.grants import refresh_deadline
from app.exam.sittings import ExamRefused
from app.extensions import db
from app.models import Attempt, Sitting
from app.models.attempt import OPEN_PAPER


def move_open(sitting: Sitting, opens_at: datetime, now: datetime) -> None:
    """Attempts entered in the waiting room start at the open (each with its offset in
    the open's spread): a later open takes them with it. An earlier one would start them
    before the time their candidates were told, so it is refused while anyone waits."""
    if opens_at == sitting.opens_at:
        return
    waiting = waiting_attempts(sitting, now)
    if waiting and opens_at < sitting.opens_at:
        raise ExamRefused(["已有考生进入考场等候开考，开考时间只能推迟，不能提前"])
    shift, sitting.opens_at = opens_at - sitting.opens_at, opens_at
    for attempt in waiting:
        attempt.started_at += shift
        refresh_deadline(attempt)


def waiting_attempts(sitting: Sitting, now: datetime) -> list[Attempt]:
    """Attempts made in the waiting room whose start has not come (``app.exam.sealed``)."""
    return list(
        db.session.scalars(
            select(Attempt).where(
                Attempt.sitting_id == sitting.id,
                OPEN_PAPER,
                Attempt.started_at > now,
            )
        )
    )
