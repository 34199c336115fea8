"""Papers drawn ahead of a sitting's open, by the job workers: the start rush then only
claims them (``app.exam.prepared``). The minute sweep enqueues the drawing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.jobs.queue import URGENT, huey, in_app
from app.models import Sitting
from app.models.types import utcnow

# First papers are drawn for sittings opening within this time, and again just after the
# open for candidates registered late (each run draws only the missing ones).
PREPARE_AHEAD = timedelta(minutes=30)
PREPARE_AFTER_OPEN = timedelta(minutes=5)


@huey.task(retries=2, retry_delay=30, priority=URGENT)
@in_app
def prepare_sitting(sitting_id: int) -> None:
    """Draw the sitting's first papers; idempotent: only for candidates with neither a
    prepared paper nor an attempt."""
    from app.exam.prepared import prepare_papers

    prepare_papers(sitting_id, utcnow())


def prepare_soon(now: datetime) -> list[int]:
    """Enqueue the drawing of first papers for the sittings about to open (or just
    opened), and forget those of closed sittings. Returns the sittings enqueued."""
    from app.exam.prepared import forget_closed

    forget_closed(now)
    soon = db.session.scalars(
        select(Sitting.id).where(
            Sitting.opens_at <= now + PREPARE_AHEAD,
            Sitting.opens_at >= now - PREPARE_AFTER_OPEN,
            Sitting.closes_at > now,
        )
    ).all()
    db.session.rollback()
    for sitting_id in soon:
        prepare_sitting(sitting_id)
    return list(soon)
