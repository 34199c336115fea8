"""When a sitting's review opens at its close, the sweep fills the notebooks in batches:
the entries are exactly those one paper at a time makes (new ones, bumped ones, a second
attempt of the same candidate), and an entry inserted meanwhile by another process
sends the batch back to one paper at a time instead of failing it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from app.exam import opened_reviews
from app.exam.attempts import finalize
from app.exam.review import record_opened_reviews
from app.exam.starting import start_attempt
from app.extensions import db
from app.models import Attempt, NotebookEntry
from app.models.types import utcnow
from app.practice.notebook import SOURCE_PRACTICE, record_wrong_answers
from tests.app.exam_fixtures import close_now, open_sitting
from tests.app.test_exam_notebook import answer_all_but
from tests.factories import make_user

USERS = ("a", "b", "c", "d", "e")


def _close_with_papers() -> tuple[list[Attempt], int]:
    """Five candidates' papers (a and b twice), each with a different number of mistakes;
    b and c already have notebook entries from practice (c's cleared). Returns
    the attempts and the bank's id."""
    users = [make_user(name, name=f"考生{name}") for name in USERS]
    sitting = open_sitting(USERS, when="after_close", max_attempts=2)
    attempts = []
    for round_ in (0, 1):
        for number, user in enumerate(users):
            if round_ and user.username not in ("a", "b"):
                continue
            attempt = start_attempt(user, sitting, None, utcnow())
            answer_all_but(attempt, number + round_ * 2)
            finalize(attempt.id, "candidate", utcnow())
            attempts.append(attempt)
    bank_id = sitting.exam.bank_id
    for attempt in attempts[1:3]:  # b and c practised every question of their first paper
        keys = [(i.revision.question_key, i.question_revision_id) for i in attempt.items]
        record_wrong_answers(attempt.user_id, bank_id, keys, SOURCE_PRACTICE)
    db.session.execute(
        update(NotebookEntry).where(NotebookEntry.user_id == users[2].id).values(
            cleared_at=utcnow(), times_cleared=1)
    )  # fmt: skip
    db.session.commit()
    close_now(sitting)
    return attempts, bank_id


def _notebooks() -> list[tuple]:
    rows = db.session.scalars(select(NotebookEntry).order_by(NotebookEntry.user_id,
                                                             NotebookEntry.question_key))  # fmt: skip
    return [
        (e.user_id, e.bank_id, e.question_key, e.question_revision_id, e.times_wrong,
         e.last_source, e.cleared_at is None, e.times_cleared, e.last_response,
         e.last_option_order, e.last_sitting_id)
        for e in rows
    ]  # fmt: skip


def _recorded() -> int:
    return len(db.session.scalars(
        select(Attempt.id).where(Attempt.notebook_recorded_at.is_not(None))).all())  # fmt: skip


@pytest.fixture
def close(ctx):
    return _close_with_papers()


def _batched_as_one_by_one() -> None:
    """Record the close in batches, then again one paper at a time from the same start:
    the notebooks are the same."""
    saved = [{c.key: getattr(e, c.key) for c in NotebookEntry.__mapper__.column_attrs}
             for e in db.session.scalars(select(NotebookEntry))]  # fmt: skip
    assert record_opened_reviews(utcnow()) == 7 == _recorded()
    batched = _notebooks()

    db.session.execute(delete(NotebookEntry))
    db.session.add_all(NotebookEntry(**row) for row in saved)
    db.session.execute(update(Attempt).values(notebook_recorded_at=None))
    db.session.commit()
    assert opened_reviews._one_by_one(opened_reviews._due(utcnow()), utcnow()) == 7
    assert _notebooks() == batched


def test_a_batch_records_what_one_paper_at_a_time_records(close, monkeypatch):
    monkeypatch.setattr(opened_reviews, "BATCH", 2)  # several batches
    _batched_as_one_by_one()
    assert any(row[4] > 1 for row in _notebooks())  # some entries bumped, not only new


def test_an_entry_inserted_meanwhile_sends_the_batch_to_one_paper_at_a_time(close, monkeypatch):
    monkeypatch.setattr(opened_reviews, "_existing", lambda keys: set())  # read too early
    _batched_as_one_by_one()


@pytest.mark.usefixtures("close")
def test_a_paper_is_recorded_once_and_only_once_its_review_opened():
    assert record_opened_reviews(utcnow() - timedelta(minutes=1)) == 0 == _recorded()
    assert record_opened_reviews(utcnow()) == 7
    first = _notebooks()
    assert record_opened_reviews(utcnow()) == 0
    assert _notebooks() == first
