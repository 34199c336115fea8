"""How many test pages reach their timer's zero together with a given paper's: the crowd
whose first asks for their scores a page spreads (``app.exam.waits.first_ask_spread``).

A test page is rendered at the start, while its crowd may still be starting, so it is
sized for everyone registered: the most that may be at one zero. Each save then sizes it
by the crowd around the paper's own deadline, counted: the papers running with a deadline
within a minute or two of it and, if it ends within a minute of the sitting's close (the
papers of a scheduled session all end then, cut short by it), everyone registered who
has not started yet. Sized by the registered alone, the few candidates of a sitting open
for a week to a large unit's tree waited up to two minutes past the grace for a score
ready in seconds; a unit starting together in such a window is still spread.

Each web process counts a deadline's crowd at most once a minute (one indexed count of
the sitting's running papers): thousands of saves are answered while it hardly moves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, select

from app.database import request_connection
from app.exam.prepared import registered_count
from app.exam.recounted import Recounted
from app.models import Attempt, Sitting
from app.models.attempt import OPEN_PAPER

_BUCKET = 60  # seconds: deadlines are grouped by the minute they fall in
_CROWDS = Recounted()  # (sitting id, deadline's minute) -> the crowd ending then

# The papers running with a deadline in the minute before, the minute of and the minute
# after the paper's own (ix_attempt_open_session_deadline), the sitting's close, and how
# many have ever started it.
_AROUND = select(
    select(func.count())
    .where(
        Attempt.sitting_id == bindparam("sitting_id"),
        OPEN_PAPER,
        Attempt.deadline >= bindparam("earliest"),
        Attempt.deadline < bindparam("latest"),
    )
    .scalar_subquery(),
    select(Sitting.closes_at).where(Sitting.id == bindparam("sitting_id")).scalar_subquery(),
    select(func.count(Attempt.user_id.distinct()))
    .where(Attempt.sitting_id == bindparam("sitting_id"))
    .scalar_subquery(),
)


def crowd_at(sitting_id: int, deadline: datetime) -> int:
    """How many papers of the sitting are likely at their timer's zero with one ending at
    ``deadline``, itself included."""
    minute = int(deadline.timestamp() // _BUCKET)
    return _CROWDS.get((sitting_id, minute), lambda: max(1, _count(sitting_id, minute, deadline)))


def _count(sitting_id: int, minute: int, deadline: datetime) -> int:
    start_of_minute = datetime.fromtimestamp(minute * _BUCKET, UTC)
    around = {
        "sitting_id": sitting_id,
        "earliest": start_of_minute - timedelta(seconds=_BUCKET),
        "latest": start_of_minute + timedelta(seconds=2 * _BUCKET),
    }
    running, closes_at, started = request_connection().execute(_AROUND, around).one()
    if closes_at is None or abs((deadline - closes_at).total_seconds()) > _BUCKET:
        return running  # the papers yet to start end later (or, given more time, earlier)
    return running + max(0, registered_count(sitting_id) - started)
