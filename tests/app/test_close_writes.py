"""At a close the job workers write a crowd's scores, notebooks and certificates while
every candidate's save waits for SQLite's one write lock: each of their write
transactions holds it only for its writes (nothing read, nothing computed, in between)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.exam.attempts import score_closed, scored_attempt
from app.exam.review import record_reviewed_mistakes
from app.exam.starting import start_attempt
from app.extensions import db
from app.models.types import utcnow
from tests.app.exam_fixtures import close_now, open_sitting
from tests.app.test_exam_notebook import answer_all_but, entries
from tests.factories import make_user

WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "RELEASE")


@contextmanager
def write_transactions() -> Iterator[list[list[str]]]:
    """The statements of each transaction from its first write to its commit."""
    found: list[list[str]] = []
    open_: list[str] = []

    def executed(_conn, _cursor, statement, *_args) -> None:
        if open_ or statement.lstrip().upper().startswith(WRITES):
            open_.append(statement.split()[0].upper())

    def ended(_conn) -> None:
        if open_:
            found.append(open_[:])
            open_.clear()

    engine = db.engine
    event.listen(engine, "before_cursor_execute", executed)
    event.listen(engine, "commit", ended)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", executed)
        event.remove(engine, "commit", ended)


@pytest.fixture
def scored(ctx):
    """A closed sitting's paper with four mistakes, scored (notebook not yet recorded)."""
    candidate = make_user("candidate", name="张晓明")
    sitting = open_sitting()
    attempt = start_attempt(candidate, sitting, None, utcnow())
    missed = answer_all_but(attempt, 4)
    close_now(sitting)
    score_closed(attempt.id, "deadline", utcnow())
    return attempt.id, candidate.id, missed


def test_a_papers_notebook_is_written_in_one_short_transaction(scored):
    attempt_id, user_id, missed = scored
    attempt = scored_attempt(attempt_id)
    with write_transactions() as transactions:
        record_reviewed_mistakes(attempt, utcnow())
    assert entries(user_id) == dict.fromkeys(missed, 1)
    assert len(transactions) == 1
    # The claim and one insert of every new entry: no read of the paper, no statement
    # (and savepoint) per mistake while the lock is held.
    assert transactions[0] == ["UPDATE", "INSERT"]
    with write_transactions() as again:
        record_reviewed_mistakes(scored_attempt(attempt_id), utcnow())
    assert again == [] and entries(user_id) == dict.fromkeys(missed, 1)


@pytest.mark.usefixtures("signing", "fresh_catalog")
def test_a_certificate_batch_is_numbered_in_one_short_transaction(ctx):
    from app.certificate.batch import issue_batch
    from app.models import AuditEntry, Certificate
    from tests.app.certificate_fixtures import all_right_and_open, setup_exams

    setup_exams()
    ids = [all_right_and_open(f"u{n}", f"考生{n}").id for n in range(4)]
    for attempt_id in ids:
        score_closed(attempt_id, "candidate", utcnow())
    with write_transactions() as transactions:
        assert issue_batch(ids, utcnow()) == {}
    certificates = db.session.scalars(db.select(Certificate).order_by(Certificate.id)).all()
    assert [c.attempt_id for c in certificates] == ids
    issued = db.session.scalars(
        db.select(AuditEntry.target).where(AuditEntry.action == "certificate.issue")
    ).all()
    assert sorted(issued) == sorted(c.number for c in certificates)
    # The first number of the year creates the sequence's row (SAVEPOINT, INSERT,
    # RELEASE); then its bump, the check for a concurrent issuer, one insert of the rows
    # and one of their audit entries: nothing flushed object by object.
    numbering = transactions[0]
    assert numbering[:4] == ["UPDATE", "SAVEPOINT", "INSERT", "RELEASE"]
    assert numbering[4:] == ["UPDATE", "SELECT", "INSERT", "INSERT"]
