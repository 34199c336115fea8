"""Papers closed by the server at their deadline, in bulk, not one by one as pages ask.

At a session's close thousands of deadlines fall in the same second (the sitting's close
caps them). Past the deadline and the answer grace, the first status poll of each page
closed its paper: thousands of write transactions and thousands of single scoring jobs in
the same seconds, on the web the pages were waiting on; the minute sweep came too late to
spare them. So the sweep also looks ahead: for each second in which open papers' graces
end within ``AHEAD``, it schedules one ``close_due`` job for that second, which closes them
all in one statement and queues their scoring in batches (``tasks.enqueue_owed``). A poll
that comes first still closes its own paper, and the sweep still closes whatever is left.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import distinct, select, update

from app.exam.grants import grace
from app.extensions import db
from app.jobs.queue import URGENT, huey, in_app
from app.models import Attempt
from app.models.attempt import OPEN_PAPER, SUBMITTED
from app.models.types import utcnow

# More than the sweep's minute, so that every grace ending before the next sweep is seen.
AHEAD = timedelta(seconds=90)
# After the grace: a save sent in its last moment is stored before the paper closes.
MARGIN = timedelta(seconds=0.5)


def close_expired(now: datetime) -> list[int]:
    """Close every open paper past its deadline and grace in one statement; their ids."""
    expired = (OPEN_PAPER, Attempt.deadline < now - grace())
    due = db.session.scalar(select(Attempt.id).where(*expired).limit(1))
    db.session.rollback()  # the write, if any, comes first in its transaction
    if due is None:
        return []
    closed = db.session.scalars(
        update(Attempt)
        .where(*expired)  # not a list of ids: a crowd's would pass SQLite's limit of bound values
        .values(status=SUBMITTED, finalized_at=now, finalized_by="deadline")
        .returning(Attempt.id)
    ).all()
    db.session.commit()
    return list(closed)


def schedule_closes(now: datetime) -> int:
    """One ``close_due`` for each second in which open papers' graces end before
    ``now + AHEAD``, unless one is already scheduled for it; returns how many were."""
    deadlines = db.session.scalars(
        select(distinct(Attempt.deadline)).where(
            OPEN_PAPER,
            Attempt.deadline >= now - grace(),
            Attempt.deadline < now - grace() + AHEAD,
        )
    ).all()
    db.session.rollback()
    seconds = {_close_second(deadline) for deadline in deadlines}
    return sum(_schedule_close(second) for second in sorted(seconds))


def schedule_close_if_near(deadlines: Iterable[datetime], now: datetime) -> None:
    """Where deadlines are set that may end before the next sweep looks (a start in a
    capped sitting's last minute, a short test, a sitting closed early): the closes of
    those whose grace ends within ``AHEAD``, now. The sweep may have looked before they
    were set; they would be closed up to a minute late, or by their pages' polls once the
    server is late. A deadline moved later needs nothing: the next sweep sees it."""
    near = {_close_second(d) for d in deadlines if d + grace() - now < AHEAD}
    for second in sorted(near):
        _schedule_close(second)


def _close_second(deadline: datetime) -> int:
    return math.ceil((deadline + grace() + MARGIN).timestamp())


def _schedule_close(second: int) -> bool:
    """One ``close_due`` for that second, unless one is scheduled already."""
    key = f"close-due:{second}"
    if not huey.put_if_empty(key, second):
        return False
    close_due.schedule(args=(key,), eta=datetime.fromtimestamp(second, UTC))
    return True


@huey.task(retries=3, retry_delay=5, priority=URGENT)
@in_app
def close_due(key: str) -> None:
    """Close the papers whose grace has ended and queue their scoring in batches."""
    from app.jobs.tasks import enqueue_owed

    huey.delete(key)
    now = utcnow()
    enqueue_owed(close_expired(now), now)
