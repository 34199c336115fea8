"""The questions asked about open papers while a session runs read only open papers, by
index: every paper ever closed is past its deadline, and a sitting of 10,000 has 7,000
running until its last minute. Before, the result page's "when the review opens" read
every running paper of the sitting (7-9 ms of a 14 ms page at 7,000), and the closing
queue and the sweep's close read every paper past its deadline since the first session.

Each question is asked as the app asks it; its statements are captured and explained."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select, text, update

from app.exam.grants import answerable_until
from app.exam.waits import Backlog
from app.exam.zero_crowd import crowd_at
from app.extensions import db
from app.jobs.deadlines import close_expired, schedule_closes
from app.models import Attempt, Sitting
from app.models.types import utcnow
from tests.app.certificate_fixtures import all_right_and_open, setup_exams

pytestmark = pytest.mark.usefixtures("signing", "fresh_catalog")

BY_DEADLINE = ("ix_attempt_open_deadline", "ix_attempt_open_session_deadline")
# Or any index read from its open papers only (PostgreSQL may take another index whose
# leading column is the status for a handful of open papers).
OPEN_BY_INDEX = "Index Cond: ((status)::text = 'in_progress'::text)"
CLOSED_PAPERS = 1000  # a few sessions' worth: the many rows the index is there to skip


@contextmanager
def attempt_reads() -> Iterator[list[tuple[str, object]]]:
    """The SELECTs on the attempt table run inside, with their parameters."""
    found: list[tuple[str, object]] = []

    def executed(_conn, _cursor, statement, parameters, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM attempt" in statement:
            found.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", executed)
    try:
        yield found
    finally:
        event.remove(db.engine, "before_cursor_execute", executed)


def plan_of(statement: str, parameters: object) -> str:
    """The engine's plan for the statement; on PostgreSQL with sequential scans priced out,
    since a test's few rows would make any plan a scan."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return "\n".join(row[-1] for row in rows)
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
    return "\n".join(row[0] for row in rows)


@pytest.fixture
def running_and_closed(ctx) -> Sitting:
    """Two papers running in a sitting; one closed long ago, and many more like it."""
    setup_exams()
    running = [all_right_and_open(f"cand{i}", f"考生{i}") for i in range(3)]
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == running[0].id)
        .values(status="finalized", deadline=utcnow() - timedelta(days=30))
    )
    db.session.commit()
    _fill_with_closed_papers(running[0], CLOSED_PAPERS)
    return running[1].sitting


def _fill_with_closed_papers(closed: Attempt, count: int) -> None:
    """Copies of a closed paper (its candidate's later attempts), then the engine's
    statistics read anew: the planner chooses by what the statistics say, and a table
    other tests emptied may have been measured full of running papers past their deadline,
    for which a scan by deadline alone is as good as any."""
    row = {c.key: getattr(closed, c.key) for c in Attempt.__mapper__.column_attrs}
    del row["id"]
    db.session.execute(insert(Attempt), [dict(row, number=2 + n) for n in range(count)])
    db.session.commit()
    db.session.execute(text("ANALYZE attempt"))
    db.session.commit()


QUESTIONS: dict[str, Callable[[Sitting], object]] = {
    "when the review opens": lambda sitting: answerable_until(sitting),
    "the queues the waiting pages are told about": lambda _: Backlog().read_queues(),
    "the sweep's close": lambda _: close_expired(utcnow()),
    "the closes the sweep schedules": lambda _: schedule_closes(utcnow()),
    "the crowd ending with a paper": lambda sitting: crowd_at(sitting.id, sitting.closes_at),
}


@pytest.mark.parametrize("question", QUESTIONS)
def test_open_papers_are_read_by_status_and_deadline(running_and_closed, question):
    with attempt_reads() as reads:
        QUESTIONS[question](running_and_closed)
    db.session.rollback()
    by_status = [(s, p) for s, p in reads if "attempt.status = " in s]
    assert by_status, reads
    for statement, parameters in by_status:
        if "attempt.deadline" not in statement:
            continue  # by status alone (the scoring and certificate queues): their own index
        plan = plan_of(statement, parameters)
        assert any(index in plan for index in BY_DEADLINE) or OPEN_BY_INDEX in plan, (
            statement,
            plan,
        )


def test_after_a_close_the_latest_open_deadline_reads_no_closed_paper(running_and_closed):
    """The close: a sitting's papers, measured while they ran, all closed since. The
    statistics still say most papers are open; PostgreSQL read the sitting's latest open
    deadline by scanning its papers backwards by deadline for one still open, every paper
    of the sitting for each result page and batch of scores. It reads open papers only."""
    sitting = running_and_closed
    running = db.session.scalars(select(Attempt).where(Attempt.sitting_id == sitting.id)).all()
    row = {c.key: getattr(running[-1], c.key) for c in Attempt.__mapper__.column_attrs}
    del row["id"]
    db.session.execute(insert(Attempt), [dict(row, number=100 + n) for n in range(CLOSED_PAPERS)])
    db.session.commit()
    db.session.execute(text("ANALYZE attempt"))  # measured while they ran
    db.session.execute(
        update(Attempt).where(Attempt.sitting_id == sitting.id).values(status="submitted")
    )
    db.session.commit()
    with attempt_reads() as reads:
        assert answerable_until(sitting) == sitting.closes_at
    db.session.rollback()
    (statement, parameters), *_ = [r for r in reads if "max(attempt.deadline)" in r[0]]
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        assert "ix_attempt_open_session_deadline" in plan_of(statement, parameters)
        return
    rows = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
    plan = "\n".join(row[0] for row in rows)
    assert "Rows Removed by Filter" not in plan, plan
    assert "ix_attempt_open_session_deadline" in plan, plan
