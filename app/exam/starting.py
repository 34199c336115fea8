"""Starting an attempt: resume the one in progress, or claim the paper drawn ahead (or
draw one) and write it, with everything read before the candidate's start lock."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Integer, insert, select

from app.certificate.retake import retake_wait
from app.database import commit_then_read_in_autocommit
from app.exam.attempts import AttemptRefused, NotRegistered, finalize_if_expired
from app.exam.catalog import exam_definition, load_questions, question_of
from app.exam.grants import attach_time_grants, attempts_allowed, deadline, pending_time_grants
from app.exam.item_updates import item_insert
from app.exam.prepared import DrawnPaper, claim, draw_for, prepared_for
from app.exam.sealed import start_offset
from app.exam.sittings import attempts_in, in_waiting_room, may_take
from app.exam.start_guard import (
    CodeRefused,
    check_access_code,
    count_start,
    hold_start_lock,
    start_generation,
)
from app.extensions import db
from app.jobs.deadlines import schedule_close_if_near
from app.models import Attempt, AttemptItem, Sitting, User
from app.models.attempt import IN_PROGRESS


class _Overtaken(Exception):
    """Another start of the candidate (or an admin) changed what this one read before
    taking the lock: read again."""


_TRIES = 5


def start_attempt(user: User, sitting: Sitting, access_code: str | None, now: datetime) -> Attempt:
    """Resume the attempt in progress, or start a new one if the rules allow it."""
    return db.session.get(Attempt, begin_attempt(user, sitting, access_code, now))


def begin_attempt(user: User, sitting: Sitting, access_code: str | None, now: datetime) -> int:
    """``start_attempt`` without loading the attempt again: its id.

    Everything the start depends on is read, and the paper drawn (or the one prepared
    ahead taken), before the candidate's start lock; under the lock (on SQLite, the
    database's one write lock) the start only checks that no other start came between,
    checks the access code and writes. Two starts at once (in one sitting or in two
    sittings of one exam) cannot both pass the retake rules: the later one reads again.
    """
    if not may_take(user, sitting):
        raise NotRegistered("您未被安排参加本场考试。", 403)
    for _ in range(_TRIES):
        try:
            return _resume_or_start(user, sitting, access_code, now)
        except _Overtaken:
            db.session.rollback()
        except AttemptRefused:
            db.session.rollback()  # frees the lock; a wrong code's count is committed already
            raise
    raise AttemptRefused("开始考试的请求较多，请稍后再试。", 503)


def _resume_or_start(user: User, sitting: Sitting, access_code: str | None, now: datetime) -> int:
    generation = start_generation(user.id)  # first: a start committed after it shows here
    previous = attempts_in(user, sitting)
    current = next((a for a in previous if a.status == IN_PROGRESS), None)
    if current is not None:
        return finalize_if_expired(current, now).id
    if sitting.state(now) == "closed":
        raise AttemptRefused("本场考试已结束。")
    if sitting.state(now) == "upcoming" and not in_waiting_room(sitting, now):
        raise AttemptRefused("本场考试尚未开始。")
    # Entering the waiting room makes the attempt now; it starts at the open (sealed.py).
    begins = sitting.opens_at + start_offset(sitting) if now < sitting.opens_at else now
    # Whoever may not start anyway is told so before any code is tried: no code oracle.
    # Granted attempts matter only once the sitting's own are used.
    if len(previous) >= sitting.max_attempts and len(previous) >= attempts_allowed(user, sitting):
        raise AttemptRefused("您在本场考试的作答次数已用完。")
    if wait := retake_wait(user.id, sitting.exam.code, begins):
        raise AttemptRefused(wait)
    prepared = None if previous else prepared_for(user.id, sitting)
    # Drawn here if none was prepared; a retake avoids the last paper's questions.
    paper = prepared or draw_for(
        sitting, _questions_of_last(previous[-1].id) if previous else frozenset()
    )
    grants = pending_time_grants(user.id, sitting.id)
    limit = exam_definition(sitting.exam).time_limit_minutes
    due = deadline(begins, limit, sitting.closes_at, grants)
    if hold_start_lock(user.id, now) != generation:
        raise _Overtaken
    try:
        check_access_code(sitting, user, access_code, now)
    except CodeRefused as refused:
        raise AttemptRefused(str(refused), 400) from None
    attempt_id = _insert(user.id, sitting.id, len(previous) + 1, paper, begins, due)
    count_start(user.id)
    if not attach_time_grants(grants, attempt_id):
        raise _Overtaken
    if prepared is not None and not claim(user.id, sitting.id, prepared.seed):
        raise _Overtaken  # made stale and deleted meanwhile
    commit_then_read_in_autocommit()
    schedule_close_if_near([due], now)
    return attempt_id


# Column names (the attempt's sitting is ``session_id``), built once for the rush.
_NEW_ATTEMPT = insert(Attempt.__table__).returning(Attempt.__table__.c.id)
NEW_ITEMS = item_insert(
    {"section": Integer(), "points": AttemptItem.points.type,
     "question_revision_id": Integer(), "option_order": AttemptItem.option_order.type},
    {"flagged": False},
)  # fmt: skip


def _insert(
    user_id: int, sitting_id: int, number: int, paper: DrawnPaper, now: datetime, due: datetime
) -> int:
    """The attempt and its items, one insert each (no ORM objects: eighty of them per
    start cost more than the rest of the start together; the items in one statement on
    PostgreSQL, ``item_updates.item_insert``)."""
    attempt_id = db.session.scalar(
        _NEW_ATTEMPT,
        {"session_id": sitting_id, "user_id": user_id, "number": number, "seed": paper.seed,
         "status": IN_PROGRESS, "started_at": now, "deadline": due, "policy": paper.policy},
    )  # fmt: skip
    points = [Decimal(s["points"]) for s in paper.policy["sections"]]
    NEW_ITEMS.run(
        db.session.connection(),
        attempt_id,
        [
            (position, section, points[section], revision_id, option_order)
            for position, (section, revision_id, option_order) in enumerate(paper.items)
        ],
    )
    return attempt_id


def _questions_of_last(attempt_id: int) -> frozenset[str]:
    """The question ids of the candidate's last paper (a retake avoids them): one query."""
    revisions = db.session.scalars(
        select(AttemptItem.question_revision_id).where(AttemptItem.attempt_id == attempt_id)
    ).all()
    load_questions(revisions)
    return frozenset(question_of(revision).id for revision in revisions)
