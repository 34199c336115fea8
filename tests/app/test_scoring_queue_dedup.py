"""The sweep queues a stuck attempt's scoring once, not again every minute while that job
still waits behind a 10,000-paper close; a job a worker took and dropped is queued again,
and so is one whose enqueue failed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.certificate import batch as certificate_batch
from app.exam.attempts import score_closed
from app.extensions import db
from app.jobs.certifying import enqueue_certificates
from app.jobs.markers import REQUEUE_AFTER
from app.jobs.queue import huey
from app.jobs.tasks import LOST_AFTER, enqueue_scoring, scoring_marker, sweep_now
from app.models import Attempt, Certificate
from app.models.types import utcnow
from tests.app.certificate_fixtures import (
    all_right_and_open,
    setup_exams,
)

pytestmark = pytest.mark.usefixtures("signing", "fresh_catalog")


def _pass_scored_by_a_killed_worker() -> Attempt:
    setup_exams()
    attempt = all_right_and_open("wang", "王喆")
    return score_closed(attempt.id, "candidate", utcnow())


def _run_next_job() -> None:
    huey.execute(huey.dequeue())


def _certificates_of(attempt_id: int) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.attempt_id == attempt_id)))


def test_a_waiting_job_is_not_queued_again_by_later_sweeps(ctx, queued):
    attempt = _pass_scored_by_a_killed_worker()
    later = utcnow() + LOST_AFTER + timedelta(seconds=1)
    assert sweep_now(later, LOST_AFTER) == 1
    for minute in range(1, 6):
        assert sweep_now(later + timedelta(minutes=minute), LOST_AFTER) == 0
    assert huey.pending_count() == 1

    _run_next_job()  # the score, which queues the certificates
    _run_next_job()
    db.session.expire_all()
    assert len(_certificates_of(attempt.id)) == 1
    assert sweep_now(later + timedelta(minutes=7), LOST_AFTER) == 0
    assert huey.pending_count() == 0


def test_a_job_taken_by_a_worker_that_failed_is_queued_again(ctx, queued, monkeypatch):
    attempt = _pass_scored_by_a_killed_worker()
    later = utcnow() + LOST_AFTER + timedelta(seconds=1)
    assert sweep_now(later, LOST_AFTER) == 1

    def broken(*_args: object) -> None:
        raise RuntimeError("the worker died here")

    _run_next_job()  # the score, which queues the certificates
    with monkeypatch.context() as patched:
        patched.setattr(certificate_batch, "issue_batch", broken)
        _run_next_job()  # taken, then failed before the certificate
    db.session.expire_all()
    assert _certificates_of(attempt.id) == []
    assert sweep_now(later + timedelta(minutes=1), LOST_AFTER) == 1
    _run_next_job()
    _run_next_job()
    db.session.expire_all()
    assert len(_certificates_of(attempt.id)) == 1


def test_a_marker_left_without_a_job_is_given_up_after_a_while(ctx, queued):
    attempt = _pass_scored_by_a_killed_worker()
    later = utcnow() + LOST_AFTER + timedelta(seconds=1)
    assert sweep_now(later, LOST_AFTER) == 1
    huey.flush()  # the job is gone, the marker with it: only the queue's own data
    huey.put(scoring_marker(attempt.id), later.timestamp())  # a marker, no job
    assert sweep_now(later + timedelta(minutes=1), LOST_AFTER) == 0
    assert sweep_now(later + REQUEUE_AFTER + timedelta(seconds=1), LOST_AFTER) == 1
    assert huey.pending_count() == 1


def test_a_failed_enqueue_takes_its_markers_back(ctx, queued, monkeypatch):
    """The queue's storage refusing an enqueue (its database gone for a moment) leaves no
    marker behind, for a score or a batch of certificates: the next try queues the job at
    once, not ``REQUEUE_AFTER`` later."""
    setup_exams()
    ids = [all_right_and_open(f"u{i}", name).id for i, name in enumerate(("王喆", "李娜"))]
    for attempt_id in ids:
        score_closed(attempt_id, "candidate", utcnow())  # passes, no job queued

    def refused(*_args: object) -> None:
        raise RuntimeError("队列存储暂时不可用")

    with monkeypatch.context() as patched:
        patched.setattr(queued, "enqueue", refused)
        with pytest.raises(RuntimeError):
            enqueue_scoring(ids[0], utcnow())
        with pytest.raises(RuntimeError):
            enqueue_certificates(ids, utcnow())
    assert huey.pending_count() == 0
    assert enqueue_scoring(ids[0], utcnow())
    enqueue_certificates(ids, utcnow())
    assert sorted(task.name for task in huey.pending()) == ["certify_passes", "score_attempt"]
