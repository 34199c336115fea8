"""Per-candidate adjustments of a sitting (extra attempts, extra time) and the deadline
rule they change.

An attempt's deadline is the earlier of its start + time limit + granted minutes and
the sitting's close. Granted minutes marked ``beyond_close`` also move that
candidate's close, so a candidate who lost time to a fault can finish after the
others; plain granted minutes never run past the sitting's close.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, func, select, update

from app.exam.catalog import exam_definition
from app.extensions import db
from app.models import Attempt, Sitting, SittingGrant, User
from app.models.attempt import OPEN_PAPER


def grace() -> timedelta:
    """How long after its deadline an answer is still accepted (network delay)."""
    return timedelta(seconds=current_app.config["ANSWER_GRACE_SECONDS"])


# Built once (asked by every result page): building a statement costs more than running it.
_LATEST_DEADLINE = select(func.max(Attempt.deadline)).where(
    Attempt.sitting_id == bindparam("sitting_id"), OPEN_PAPER
)
_EXTRA_ATTEMPTS = select(func.coalesce(func.sum(SittingGrant.extra_attempts), 0)).where(
    SittingGrant.sitting_id == bindparam("sitting_id"), SittingGrant.user_id == bindparam("user_id")
)


def answerable_until(sitting: Sitting) -> datetime:
    """The last moment any attempt of the sitting can still be answered: its close (no
    attempt starts after it), or the latest deadline of an attempt still running, extra
    time beyond the close included, plus the grace."""
    latest = db.session.scalar(_LATEST_DEADLINE, {"sitting_id": sitting.id})
    return sitting.closes_at if latest is None else max(sitting.closes_at, latest + grace())


def review_open(sitting: Sitting, now: datetime) -> bool:
    """Whether answers and keys of this session may be shown (to candidates, in their
    notebooks, and to admins): only once no attempt of it can still be answered."""
    return now >= answerable_until(sitting)


def attempts_allowed(user: User, sitting: Sitting) -> int:
    """The sitting's limit plus every fresh attempt granted to this candidate."""
    extra = db.session.scalar(_EXTRA_ATTEMPTS, {"sitting_id": sitting.id, "user_id": user.id})
    return sitting.max_attempts + int(extra)


def attempts_left(user_id: int, sitting: Sitting) -> int:
    """``attempts_allowed`` less the attempts taken, in one query (a failed result says it;
    the user's id, not the user: the result's poll at a close loads no user)."""
    taken, extra = db.session.execute(
        _TAKEN_AND_EXTRA, {"sitting_id": sitting.id, "user_id": user_id}
    ).one()
    return max(0, sitting.max_attempts + int(extra) - taken)


_TAKEN_AND_EXTRA = select(
    select(func.count(Attempt.id))
    .where(Attempt.user_id == bindparam("user_id"), Attempt.sitting_id == bindparam("sitting_id"))
    .scalar_subquery(),
    _EXTRA_ATTEMPTS.scalar_subquery(),
)


def time_limit_minutes(attempt: Attempt) -> int:
    """The limit the attempt began with (attempts started before it was kept: the exam's)."""
    kept = attempt.policy.time_limit_minutes
    return kept if kept is not None else exam_definition(attempt.sitting.exam).time_limit_minutes


def deadline(
    started_at: datetime, limit_minutes: int, closes_at: datetime, grants: Iterable[SittingGrant]
) -> datetime:
    grants = list(grants)
    extra = sum(g.extra_minutes for g in grants)
    beyond = sum(g.extra_minutes for g in grants if g.beyond_close)
    return min(
        started_at + timedelta(minutes=limit_minutes + extra),
        closes_at + timedelta(minutes=beyond),
    )


def grants_of(attempt: Attempt) -> list[SittingGrant]:
    return list(
        db.session.scalars(select(SittingGrant).where(SittingGrant.attempt_id == attempt.id))
    )


_PENDING = select(SittingGrant).where(  # built once: asked on every start
    SittingGrant.sitting_id == bindparam("b_sitting"),
    SittingGrant.user_id == bindparam("b_user"),
    SittingGrant.attempt_id.is_(None),
    SittingGrant.extra_minutes > 0,
)


def pending_time_grants(user_id: int, sitting_id: int) -> list[SittingGrant]:
    """Minutes granted for the candidate's next attempt in the sitting, not yet given."""
    return list(db.session.scalars(_PENDING, {"b_sitting": sitting_id, "b_user": user_id}))


def attach_time_grants(grants: list[SittingGrant], attempt_id: int) -> bool:
    """Give a new attempt the pending grants read before its start took the lock; False
    if one of them was given or withdrawn meanwhile (the start then reads again)."""
    if not grants:
        return True
    attached = db.session.execute(
        update(SittingGrant)
        .where(SittingGrant.id.in_([g.id for g in grants]), SittingGrant.attempt_id.is_(None))
        .values(attempt_id=attempt_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    return attached == len(grants)


def refresh_deadline(attempt: Attempt) -> None:
    """Recompute an attempt's deadline after its grants or the sitting's close changed."""
    attempt.deadline = deadline(
        attempt.started_at,
        time_limit_minutes(attempt),
        attempt.sitting.closes_at,
        grants_of(attempt),
    )
