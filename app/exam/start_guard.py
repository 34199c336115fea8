"""What guards the start of an attempt: one start at a time per candidate, and the
sitting's access code, throttled per candidate and sitting.

The 4-digit access code has 10,000 values; unthrottled it falls in minutes. Every wrong
code gets the same words; after ``FREE_TRIES`` wrong codes each further one earns a
doubling wait, during which even the right code is refused.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from sqlalchemy import Integer, bindparam, select, text, update

from app.extensions import db
from app.models import AccessCodeFailure, AttemptStartLock, Sitting, User
from app.models.types import UTCDateTime
from app.refusal import Refused
from app.timefmt import localtime

FREE_TRIES = 5
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
WRONG_CODE = "考场口令不正确。"


class CodeRefused(Refused):
    """A wrong access code, or a right one during the wait; the message is for the candidate."""


# Built once: a start runs these under its lock, where statement building would be waste.
_LOCKS = AttemptStartLock.__table__
_GENERATION = select(_LOCKS.c.generation).where(_LOCKS.c.user_id == bindparam("b_user"))
_COUNT_START = (
    update(_LOCKS)
    .where(_LOCKS.c.user_id == bindparam("b_user"))
    .values(generation=_LOCKS.c.generation + 1)
)


# One statement, the same on SQLite and PostgreSQL (and, as text, cached once compiled,
# which the dialects' upsert constructs are not): the first start makes the row, later
# ones update it; a concurrent start by the same candidate waits on the row (PostgreSQL)
# or the write lock (SQLite).
_TAKE_LOCK = (
    text(
        "INSERT INTO attempt_start_lock (user_id, taken_at, generation) VALUES (:b_user, :b_now, 0)"
        " ON CONFLICT (user_id) DO UPDATE SET taken_at = excluded.taken_at RETURNING generation"
    )
    .bindparams(bindparam("b_now", type_=UTCDateTime()))
    .columns(generation=Integer())
)


def start_generation(user_id: int) -> int:
    """How many attempts the candidate has started: read before a start's own reads."""
    return db.session.scalar(_GENERATION, {"b_user": user_id}) or 0


def hold_start_lock(user_id: int, now: datetime) -> int:
    """Write the candidate's lock row; the lock holds until the caller commits or rolls back.
    Returns the lock's generation: as ``start_generation`` read it before, unless another
    attempt was started in between (what was read before may then be out of date).

    A second start by the same candidate waits here for the first to finish.
    """
    return db.session.scalar(_TAKE_LOCK, {"b_user": user_id, "b_now": now})


def count_start(user_id: int) -> None:
    """Under the lock, once the new attempt is written: starts that read before it read again."""
    db.session.execute(_COUNT_START, {"b_user": user_id})


def check_access_code(sitting: Sitting, user: User, code: str | None, now: datetime) -> None:
    """Pass silently for the right code; else count the failure (committed) and raise.

    Run under ``hold_start_lock``, so concurrent guesses by one candidate are counted
    one after another and none slips past the limit.
    """
    if not sitting.access_code:
        return
    key = {"sitting_id": sitting.id, "user_id": user.id}
    record = db.session.get(AccessCodeFailure, key, populate_existing=True)
    if record is not None and record.locked_until is not None and now < record.locked_until:
        raise CodeRefused(_wait_message(record.locked_until, now))
    given = (code or "").strip().encode()
    if hmac.compare_digest(given, sitting.access_code.encode()):
        if record is not None:
            db.session.delete(record)
        return
    if record is None:
        record = AccessCodeFailure(**key, failures=0)
        db.session.add(record)
    record.failures += 1
    message = WRONG_CODE
    if record.failures >= FREE_TRIES:
        wait = min(FIRST_WAIT * 2 ** (record.failures - FREE_TRIES), LONGEST_WAIT)
        record.locked_until = now + wait
        message += _wait_message(record.locked_until, now)
    else:
        message += f"再输错 {FREE_TRIES - record.failures} 次将需等待后才能再试。"
    db.session.commit()
    raise CodeRefused(message)


def _wait_message(until: datetime, now: datetime) -> str:
    seconds = max(1, int((until - now).total_seconds() + 0.999))
    minutes, seconds = divmod(seconds, 60)
    span = f"{minutes} 分 {seconds} 秒" if minutes else f"{seconds} 秒"
    return f"口令输错次数过多，请等待 {span}（{localtime(until, '%H:%M:%S')} 之后）再试。"
