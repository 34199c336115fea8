"""At a session's close the server closes the papers whose grace has ended itself, in one
statement a second with their scoring queued in batches, instead of each page's status
poll closing its own paper and queueing a job of its own in the same seconds."""

from __future__ import annotations

import math
import signal
from datetime import UTC, timedelta

import pytest
from sqlalchemy import select, update

from app.exam.attempts import close_attempt
from app.exam.grants import grace
from app.extensions import db
from app.jobs import deadlines, tasks
from app.jobs.queue import huey
from app.jobs.tasks import LOST_AFTER, sweep_now
from app.models import Attempt, AuditEntry, Role
from app.models.attempt import FINALIZED, IN_PROGRESS
from app.models.types import utcnow
from tests.app.certificate_fixtures import all_right_and_open, setup_exams
from tests.app.exam_fixtures import open_sitting
from tests.app.test_admin_exams import post
from tests.app.test_job_workers import _start_worker, _wait_for, deployed_queue  # noqa: F401
from tests.app.test_start_answers_the_page import press_start
from tests.app.test_submitting import run_jobs
from tests.auth import login
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("signing", "fresh_catalog")


def _open_papers(count: int, deadline) -> list[int]:
    setup_exams()
    ids = [all_right_and_open(f"cand{i}", f"考生{i}").id for i in range(count)]
    db.session.execute(update(Attempt).where(Attempt.id.in_(ids)).values(deadline=deadline))
    db.session.commit()
    return ids


def _closes() -> list:
    """Closes queued (a worker moves a task due later to the schedule) or scheduled."""
    waiting = huey.pending() + huey.scheduled()
    return [task for task in waiting if task.name.endswith("close_due")]


def _eta(task) -> float:
    return task.eta.replace(tzinfo=UTC).timestamp()  # huey keeps naive UTC


def test_a_crowds_deadline_gets_one_close_that_closes_and_scores_them_all(ctx, queued, monkeypatch):
    monkeypatch.setattr(tasks, "BATCH", 2)
    now = utcnow()
    deadline = now - grace() - timedelta(seconds=2)  # the grace ended two seconds ago
    ids = _open_papers(5, deadline)
    submitted = ids[0]  # one candidate submits before the close
    assert close_attempt(submitted, "candidate", now)
    run_jobs()
    # The sweep before: the grace ends 48 s later, before its next run.
    sweep_at = now - timedelta(seconds=50)
    assert sweep_now(sweep_at, LOST_AFTER) == 0
    assert sweep_now(sweep_at + timedelta(seconds=1), LOST_AFTER) == 0  # not scheduled twice
    (close,) = _closes()
    due = math.ceil((deadline + grace() + deadlines.MARGIN).timestamp())
    assert _eta(close) == pytest.approx(due, abs=1)
    run_jobs(close.eta - timedelta(seconds=2))  # a worker takes it: due later
    assert _closes() == [close] and not huey.pending()
    statuses = db.session.scalars(select(Attempt.status).where(Attempt.id.in_(ids[1:]))).all()
    assert statuses == [IN_PROGRESS] * 4  # nothing closed before its grace ends

    run_jobs(close.eta)  # the scheduled close, then the batches it queued
    rows = db.session.execute(
        select(Attempt.id, Attempt.status, Attempt.finalized_by).where(Attempt.id.in_(ids))
    ).all()
    assert {status for _, status, _ in rows} == {FINALIZED}
    assert {i: by for i, _, by in rows} == {submitted: "candidate"} | dict.fromkeys(
        ids[1:], "deadline"
    )
    finals = db.session.scalars(
        select(AuditEntry.target).where(AuditEntry.action == "attempt.finalize")
    ).all()
    assert sorted(finals) == sorted(f"attempt {i}" for i in ids)  # each once
    assert not _closes() and huey.pending_count() == 0


def test_one_close_for_each_second_and_none_beyond_the_next_sweep(ctx, queued):
    now = utcnow().replace(microsecond=0)
    first = _open_papers(3, now + timedelta(seconds=10))
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == first[2])
        .values(deadline=now + timedelta(seconds=20, milliseconds=300))
    )
    db.session.commit()
    assert sweep_now(now, LOST_AFTER) == 0
    etas = sorted(_eta(task) for task in _closes())
    assert len(etas) == 2 and etas[1] - etas[0] == pytest.approx(10, abs=1)
    later = now + deadlines.AHEAD + timedelta(seconds=5)
    db.session.execute(update(Attempt).where(Attempt.id.in_(first)).values(deadline=later))
    db.session.commit()
    assert sweep_now(now, LOST_AFTER) == 0 and len(_closes()) == 2  # the next sweep's


@pytest.mark.usefixtures("deployed_queue")
def test_a_worker_closes_a_crowd_when_its_grace_ends_with_no_page_asking(
    app, ctx, database_url, tmp_path
):
    """The real worker: its first sweep schedules the close, and the papers are closed
    and scored within seconds of the grace's end, not at the next minute's sweep. huey
    runs the minute sweep at the consumer's start and every 60 s after it (not on the
    clock's minute), so none comes in the seconds that count."""
    ends = utcnow().replace(microsecond=0) + timedelta(seconds=12)  # after the worker's start
    ids = _open_papers(4, ends - grace())
    worker = _start_worker(app, database_url, tmp_path)

    def scored() -> bool:
        db.session.rollback()
        statuses = db.session.scalars(select(Attempt.status).where(Attempt.id.in_(ids)))
        return set(statuses) == {FINALIZED}

    try:
        _wait_for(scored, 120, "the papers to be closed and scored")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    closed_at = db.session.scalars(select(Attempt.finalized_at).where(Attempt.id.in_(ids))).all()
    assert all(ends <= at < ends + timedelta(seconds=4) for at in closed_at), (ends, closed_at)


@pytest.mark.parametrize(
    "closes_in, scheduled", [(timedelta(seconds=40), 1), (timedelta(hours=2), 0)]
)
def test_a_start_near_its_close_schedules_the_close_at_once(
    client, ctx, queued, closes_in, scheduled
):
    """A paper started in a sitting's last minute (its deadline the sitting's close): the
    sweep looked before it existed and the next may come after its grace, so the start
    schedules its close; a paper ending past the sweep's look-ahead leaves it to the sweep."""
    make_user("candidate")
    sitting = open_sitting(closes=utcnow() + closes_in)
    login(client, "candidate")
    assert press_start(client, sitting.id).status_code == 200
    (deadline,) = db.session.scalars(select(Attempt.deadline))
    closes = _closes()
    assert len(closes) == scheduled
    if scheduled:
        due = math.ceil((deadline + grace() + deadlines.MARGIN).timestamp())
        assert _eta(closes[0]) == pytest.approx(due, abs=1)


def test_closing_a_sitting_early_schedules_its_papers_close(client, ctx, queued):
    """结束场次: every running paper's deadline becomes now, its grace ends before the next
    sweep may look, so the close schedules their close (one for the crowd's second)."""
    make_user("admin", role=Role.SYSTEM_ADMIN)
    names = [make_user(f"cand{i}").username for i in range(2)]
    sitting = open_sitting(names)
    for name in names:
        taker = client.application.test_client()
        login(taker, name)
        assert press_start(taker, sitting.id).status_code == 200
    assert _closes() == []  # their deadlines, half an hour away, are the sweep's
    login(client, "admin")
    page = f"/admin/exams/sessions/{sitting.id}"
    assert post(client, f"{page}/close", {}, page).status_code == 302
    (deadline,) = set(db.session.scalars(select(Attempt.deadline)))
    (close,) = _closes()
    due = math.ceil((deadline + grace() + deadlines.MARGIN).timestamp())
    assert _eta(close) == pytest.approx(due, abs=1)
