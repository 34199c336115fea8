"""An attempt's life: start (claim or draw the paper) and finalize (score once); saving answers is in ``answers``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import joinedload

from app.certificate.retake import retake_wait
from app.certificate.services import issue_certificates
from app.exam.catalog import exam_definition, load_questions, question_of
from app.exam.grants import (
    attach_time_grants,
    attempts_allowed,
    deadline,
    grace,
    pending_time_grants,
)
from app.exam.prepared import DrawnPaper, claim, draw_for, prepared_for
from app.exam.review import record_reviewed_mistakes
from app.exam.sittings import attempts_in, may_take
from app.exam.start_guard import (
    CodeRefused,
    check_access_code,
    count_start,
    hold_start_lock,
    start_generation,
)
from app.extensions import db
from app.jobs.tasks import score_later
from app.models import Attempt, AttemptItem, Sitting, User
from app.models.attempt import FINALIZED, IN_PROGRESS, SUBMITTED
from app.models.audit import record
from app.refusal import Refused
from question_bank.assembly import Paper, PaperItem, PaperSection
from question_bank.exam import ScoringPolicy
from question_bank.scoring import PaperResult, as_decimal, score_paper


class AttemptRefused(Refused):
    """The candidate may not do this now; the message says why, in their language."""


class NotRegistered(AttemptRefused):
    """The sitting is not the candidate's (the start page answers 404, as for a missing one)."""


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
    if sitting.state(now) != "open":
        raise AttemptRefused(
            "本场考试尚未开始。" if sitting.state(now) == "upcoming" else "本场考试已结束。"
        )
    # Whoever may not start anyway is told so before any code is tried: no code oracle.
    # Granted attempts matter only once the sitting's own are used.
    if len(previous) >= sitting.max_attempts and len(previous) >= attempts_allowed(user, sitting):
        raise AttemptRefused("您在本场考试的作答次数已用完。")
    if wait := retake_wait(user, sitting.exam.code, now):
        raise AttemptRefused(wait)
    prepared = None if previous else prepared_for(user.id, sitting)
    # Drawn here if none was prepared; a retake avoids the last paper's questions.
    paper = prepared or draw_for(
        sitting, _questions_of_last(previous[-1].id) if previous else frozenset()
    )
    grants = pending_time_grants(user.id, sitting.id)
    limit = exam_definition(sitting.exam).time_limit_minutes
    due = deadline(now, limit, sitting.closes_at, grants)
    if hold_start_lock(user.id, now) != generation:
        raise _Overtaken
    try:
        check_access_code(sitting, user, access_code, now)
    except CodeRefused as refused:
        raise AttemptRefused(str(refused), 400) from None
    attempt_id = _insert(user.id, sitting.id, len(previous) + 1, paper, now, due)
    count_start(user.id)
    if not attach_time_grants(grants, attempt_id):
        raise _Overtaken
    if prepared is not None and not claim(user.id, sitting.id, prepared.seed):
        raise _Overtaken  # made stale and deleted meanwhile
    db.session.commit()
    return attempt_id


# Column names (the attempt's sitting is ``session_id``), built once for the rush.
_NEW_ATTEMPT = insert(Attempt.__table__).returning(Attempt.__table__.c.id)
_NEW_ITEMS = insert(AttemptItem.__table__)


def _insert(
    user_id: int, sitting_id: int, number: int, paper: DrawnPaper, now: datetime, due: datetime
) -> int:
    """The attempt and its items, one insert each (no ORM objects: eighty of them per
    start cost more than the rest of the start together)."""
    attempt_id = db.session.scalar(
        _NEW_ATTEMPT,
        {"session_id": sitting_id, "user_id": user_id, "number": number, "seed": paper.seed,
         "status": IN_PROGRESS, "started_at": now, "deadline": due, "policy": paper.policy},
    )  # fmt: skip
    points = [Decimal(s["points"]) for s in paper.policy["sections"]]
    db.session.execute(
        _NEW_ITEMS,
        [
            {"attempt_id": attempt_id, "position": position, "section": section,
             "points": points[section], "question_revision_id": revision_id,
             "option_order": option_order, "flagged": False}
            for position, (section, revision_id, option_order) in enumerate(paper.items)
        ],
    )  # fmt: skip
    return attempt_id


def _questions_of_last(attempt_id: int) -> frozenset[str]:
    """The question ids of the candidate's last paper (a retake avoids them): one query."""
    revisions = db.session.scalars(
        select(AttemptItem.question_revision_id).where(AttemptItem.attempt_id == attempt_id)
    ).all()
    load_questions(revisions)
    return frozenset(question_of(revision).id for revision in revisions)


def owned_attempt(attempt_id: int, user: User, with_sitting: bool = False) -> Attempt | None:
    """Another candidate's attempt is indistinguishable from a missing one.
    ``with_sitting``: its sitting loaded in the same query (the result page needs it)."""
    statement = _OWNED_WITH_SITTING if with_sitting else _OWNED
    return db.session.scalar(statement, {"attempt_id": attempt_id, "user_id": user.id})


# Built once (every page of an attempt asks): building a statement costs more than running it.
_OWNED = select(Attempt).where(
    Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id")
)
_OWNED_WITH_SITTING = _OWNED.options(joinedload(Attempt.sitting))


_STATE = select(Attempt.status, Attempt.deadline).where(
    Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id")
)


def attempt_state(attempt_id: int, user_id: int, now: datetime) -> tuple[str, datetime] | None:
    """The status and deadline of the user's attempt (None if it is not theirs), for the
    result page's poll: one read by primary key and no ORM object, since every page of a
    session polls in the same minutes. Past its deadline and grace an open attempt is
    closed first, as any of its pages does (``finalize_if_expired``)."""
    ids = {"attempt_id": attempt_id, "user_id": user_id}
    row = db.session.execute(_STATE, ids).first()
    if row is not None and row.status == IN_PROGRESS and now > row.deadline + grace():
        close_attempt(attempt_id, "deadline", now)
        row = db.session.execute(_STATE, ids).first()
    return None if row is None else (row.status, row.deadline)


def paper_of(attempt: Attempt) -> Paper:
    """The paper as given (stored option orders), with the revisions it is scored on."""
    sections = attempt.policy.sections
    grouped: list[list[PaperItem]] = [[] for _ in sections]
    for item in attempt.items:
        grouped[item.section].append(
            PaperItem(question_of(item.scoring_revision_id), tuple(item.option_order))
        )
    return Paper(
        attempt.sitting.exam.code,
        attempt.seed,
        tuple(
            PaperSection(s.title, s.type, s.points, tuple(items))
            for s, items in zip(sections, grouped, strict=True)
        ),
    )


def scoring_policy(attempt: Attempt) -> ScoringPolicy:
    return attempt.policy.scoring


def finalize(attempt_id: int, by: str, now: datetime) -> Attempt:
    """Close (if still open) and score now, then certificates and notebook: for the CLI
    and tests; requests close the attempt and leave the scoring to a worker."""
    attempt = score_closed(attempt_id, by, now)
    issue_certificates(attempt)  # after the commit, and never raises: the score is kept
    record_reviewed_mistakes(attempt, now)
    return attempt


def score_closed(attempt_id: int, by: str, now: datetime) -> Attempt:
    """Score once: the first to claim the closed paper stores its result; everyone else
    gets that result.

    The paper is closed first (its answers frozen; one closed by a submit keeps when and
    how it ended), scored outside any write transaction, and then written in one short
    one whose first statement is the claim, so SQLite's write lock is never held while
    Python scores.
    """
    close = update(Attempt).where(Attempt.id == attempt_id, Attempt.status == IN_PROGRESS)
    db.session.rollback()
    db.session.execute(close.values(status=SUBMITTED, finalized_at=now, finalized_by=by))
    db.session.commit()
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    if attempt.status != SUBMITTED:
        return attempt
    load_questions(i.scoring_revision_id for i in attempt.items)
    result = score_paper(paper_of(attempt), _responses(attempt), scoring_policy(attempt))
    fields, verdicts = result_values(attempt, result)
    db.session.rollback()
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.status == SUBMITTED)
        .values(status=FINALIZED, **fields)
    ).rowcount
    if claimed:
        db.session.connection().execute(
            _ITEM_VERDICT,
            [{"b_attempt_id": attempt_id, "b_position": position, "new_awarded": awarded,
              "new_verdict": verdict} for position, awarded, verdict in verdicts],
        )  # fmt: skip
        attempt = db.session.get(Attempt, attempt_id)
        record(
            attempt.user, "attempt.finalize", f"attempt {attempt_id}",
            by=attempt.finalized_by, score=str(fields["score"]), passed=result.passed,
        )  # fmt: skip
    db.session.commit()
    return db.session.get(Attempt, attempt_id, populate_existing=True)


_ITEM_VERDICT = (
    update(AttemptItem.__table__)
    .where(
        AttemptItem.attempt_id == bindparam("b_attempt_id"),
        AttemptItem.position == bindparam("b_position"),
    )
    .values(awarded=bindparam("new_awarded"), verdict=bindparam("new_verdict"))
)


def _responses(attempt: Attempt) -> dict[str, object]:
    return {
        question_of(i.question_revision_id).id: i.response
        for i in attempt.items
        if i.response is not None
    }


def result_values(
    attempt: Attempt, result: PaperResult
) -> tuple[dict[str, Any], list[tuple[int, Decimal, str]]]:
    """The attempt's score columns and each item's (position, awarded, verdict)."""
    verdicts = {r.question_id: r for s in result.sections for r in s.items}
    items = []
    for item in attempt.items:
        scored = verdicts[question_of(item.scoring_revision_id).id]
        items.append((item.position, as_decimal(scored.awarded), scored.verdict.value))
    fields = {
        "score": as_decimal(result.total),
        "score_exact": str(result.total),
        "possible": as_decimal(result.possible),
        "passed": result.passed,
        "sections": [
            {"title": s.title, "awarded": str(as_decimal(s.awarded)), "possible": str(as_decimal(s.possible))}
            for s in result.sections
        ],
    }  # fmt: skip
    return fields, items


def store_result(attempt: Attempt, result: PaperResult) -> None:
    fields, verdicts = result_values(attempt, result)
    for item, (_position, awarded, verdict) in zip(attempt.items, verdicts, strict=True):
        item.awarded, item.verdict = awarded, verdict
    for name, value in fields.items():
        setattr(attempt, name, value)


def finalize_if_expired(attempt: Attempt, now: datetime) -> Attempt:
    """Past its deadline (and the network's grace), an open attempt is closed with what
    was saved and scored by a worker."""
    if attempt.status == IN_PROGRESS and now > attempt.deadline + grace():
        close_attempt(attempt.id, "deadline", now)
        db.session.refresh(attempt)
    return attempt


def close_attempt(attempt_id: int, by: str, now: datetime) -> bool:
    """One short write (answers frozen), then the scoring job; False if already closed."""
    db.session.rollback()  # the write comes first in its transaction: no lock upgrade
    closed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.status == IN_PROGRESS)
        .values(status=SUBMITTED, finalized_at=now, finalized_by=by)
    ).rowcount
    db.session.commit()
    if closed:
        score_later(attempt_id)
    return bool(closed)


def finalize_expired(now: datetime) -> int:
    """For manual use: finalize every attempt past its deadline with what was saved, and
    score any closed attempt a worker has not scored yet."""
    due = db.session.scalars(
        select(Attempt.id).where(
            (Attempt.status == SUBMITTED)
            | ((Attempt.status == IN_PROGRESS) & (Attempt.deadline < now - grace()))
        )
    ).all()
    return sum(
        1 for attempt_id in due if finalize(attempt_id, "deadline", now).finalized_by == "deadline"
    )
