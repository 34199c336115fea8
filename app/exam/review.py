"""After a test: the questions got wrong go into the candidate's notebook (错题本), once,
when the review policy lets them see the keys — at finalization, or when the review
opens after the sitting closes (the first time the result page is shown then)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from sqlalchemy import update

from app.exam.catalog import question_of
from app.exam.display import review_level
from app.extensions import db
from app.models import Attempt
from app.practice.notebook import SOURCE_EXAM, record_wrong_answers
from question_bank.types import Verdict


def record_reviewed_mistakes(attempt: Attempt, now: datetime) -> None:
    """Never raises, like certificate issuance: a notebook problem must not hide a result.

    Earlier, the notebook would show keys the candidate may not yet see; the claim on
    ``notebook_recorded_at`` makes two page loads at once record the mistakes only once.
    The mistakes are read first and written in one short transaction, as a batch of one
    (``app.exam.opened_reviews``): at a close the job workers record a crowd's notebooks
    while every save waits for SQLite's one write lock, which a statement per mistake
    and the paper's reading held for 10-300 ms a paper (bench/bench_close_writes.py).
    """
    from app.exam.opened_reviews import record_attempt

    _record_if_opened(attempt, now, record_attempt)


def record_mistakes_one_by_one(attempt: Attempt, now: datetime) -> None:
    """``record_reviewed_mistakes`` with one statement per mistake: the fallback of a batch
    that failed, so that one bad paper does not hold up the others' notebooks."""
    _record_if_opened(attempt, now, _record_each)


def _record_if_opened(
    attempt: Attempt, now: datetime, record: Callable[[Attempt, datetime], object]
) -> None:
    if attempt.notebook_recorded_at is not None or now < attempt.sitting.closes_at:
        return  # no review opens before the close: no query while the sitting runs
    if review_level(attempt, now) != "keys":
        return
    try:
        record(attempt, now)
    except Exception:
        db.session.rollback()
        current_app.logger.exception("notebook update failed for attempt %s", attempt.id)


def _record_each(attempt: Attempt, now: datetime) -> None:
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.notebook_recorded_at.is_(None))
        .values(notebook_recorded_at=now)
    ).rowcount
    if claimed:
        missed = [item for item in attempt.items if item.verdict != Verdict.CORRECT]
        keys = {item.position: question_of(item.scoring_revision_id).id for item in missed}
        record_wrong_answers(
            attempt.user_id, attempt.sitting.exam.bank_id,
            [(keys[item.position], item.scoring_revision_id) for item in missed], SOURCE_EXAM,
            given={keys[item.position]: (item.response, item.option_order) for item in missed},
            sitting_id=attempt.sitting_id,
        )  # fmt: skip
    db.session.commit()


def record_opened_reviews(now: datetime) -> int:
    """For the scheduler: notebook entries for every finalized attempt whose review has
    opened since (the sitting closed), so candidates who never look still get them.
    In batches (``app.exam.opened_reviews``): a whole sitting's review opens at once."""
    from app.exam.opened_reviews import record_in_batches

    return record_in_batches(now)
