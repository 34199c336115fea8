"""An attempt once started (starting it is ``starting``): its paper, closing it and
having it scored (scoring it once is ``scoring``); saving answers is in ``answers``."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from app.certificate.services import issue_certificates
from app.exam.grants import grace
from app.exam.review import record_reviewed_mistakes
from app.exam.scoring import paper_from, result_values, score_once
from app.extensions import db
from app.jobs.tasks import score_later
from app.models import Attempt, Sitting
from app.models.attempt import IN_PROGRESS, SUBMITTED
from app.refusal import Refused
from question_bank.assembly import Paper
from question_bank.exam import ScoringPolicy
from question_bank.scoring import PaperResult


class AttemptRefused(Refused):
    """The candidate may not do this now; the message says why, in their language."""


class NotRegistered(AttemptRefused):
    """The sitting is not the candidate's (the start page answers 404, as for a missing one)."""


def owned_attempt(attempt_id: int, user_id: int, with_sitting: bool = False) -> Attempt | None:
    """Another candidate's attempt is indistinguishable from a missing one.
    ``with_sitting``: its sitting loaded in the same query (the result page needs it)."""
    statement = _OWNED_WITH_SITTING if with_sitting else _OWNED
    return db.session.scalar(statement, {"attempt_id": attempt_id, "user_id": user_id})


# Built once (every page of an attempt asks): building a statement costs more than running it.
_OWNED = select(Attempt).where(
    Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id")
)
# The exam too: a pass's result page asks which certificates its exam earns.
_OWNED_WITH_SITTING = _OWNED.options(joinedload(Attempt.sitting).joinedload(Sitting.exam))


# The server closes a crowd's papers in one statement just after their grace
# (``app.jobs.deadlines``); a poll closes its own paper only if that close is this late (the
# job workers stopped or far behind). At a 10,000-candidate close the polls that came
# first each closed their own: thousands of writes in the seconds every save waited on.
SERVER_CLOSE_LEEWAY = timedelta(seconds=20)


def paper_of(attempt: Attempt) -> Paper:
    """The paper as given (stored option orders), with the revisions it is scored on."""
    return paper_from(attempt.sitting.exam.code, attempt.seed, attempt.policy, attempt.items)


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
    """``score_once``, and the attempt with what its certificates and notebook read."""
    score_once(attempt_id, by, now)
    return _load(attempt_id)


def scored_attempt(attempt_id: int) -> Attempt:
    """The attempt with what its certificates and notebook read (not its items)."""
    return _load(attempt_id)


def _load(attempt_id: int) -> Attempt:
    return db.session.scalars(_LOAD, {"attempt_id": attempt_id}).first()


# Built once, as ``_OWNED``: a statement's cache key costs more than its query here. A
# scored attempt's items are read again only by a notebook that shows the keys now.
_LOAD = (
    select(Attempt)
    .options(joinedload(Attempt.sitting).joinedload(Sitting.exam), joinedload(Attempt.user))
    .where(Attempt.id == bindparam("attempt_id"))
    .execution_options(populate_existing=True)
)


def store_result(attempt: Attempt, result: PaperResult) -> None:
    fields, verdicts = result_values(result, attempt.items)
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
