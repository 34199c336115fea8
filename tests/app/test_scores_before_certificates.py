"""At a close the scores come first: a pass's certificates are a job of their own, queued
after its score and taken after every score still waiting, so the pages polling for
their scores are not held up by rendering and signing (~30 ms a pass)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.jobs.queue import huey
from app.jobs.tasks import LOST_AFTER, enqueue_scoring, sweep_now
from app.models import Attempt, Certificate
from app.models.types import utcnow
from tests.app import test_submitting
from tests.app.certificate_fixtures import all_right_and_open, setup_exams
from tests.app.test_submitting import run_jobs

pytestmark = pytest.mark.usefixtures("signing", "fresh_catalog")

real_queue = test_submitting.real_queue  # a fixture: the queue on an SQLite file


def _run_next_job() -> None:
    huey.execute(huey.dequeue())
    db.session.expire_all()


def _certificates(attempt: Attempt) -> int:
    return len(db.session.scalars(select(Certificate).where(Certificate.attempt == attempt)).all())


def test_a_later_paper_is_scored_before_an_earlier_pass_gets_its_certificate(ctx, real_queue):
    setup_exams()
    first, second = all_right_and_open("wang", "王喆"), all_right_and_open("li", "李娜")
    assert enqueue_scoring(first.id, utcnow())
    _run_next_job()
    assert first.finalized and first.passed  # its score is there for its page at once,
    assert _certificates(first) == 0  # its certificate waits in a job of its own

    assert enqueue_scoring(second.id, utcnow())  # queued after that certificate job,
    _run_next_job()  # and taken before it
    assert second.finalized and second.passed and _certificates(first) == 0

    assert run_jobs() == 2  # the two certificates
    assert _certificates(first) == 1 and _certificates(second) == 1
    assert first.certificates_checked_at is not None and second.certificates_checked_at is not None


def test_a_sweep_while_a_pass_waits_for_its_certificates_queues_nothing_more(ctx, real_queue):
    """During a long close a pass's certificate job may wait minutes behind the scores;
    the minute sweep sees the pass without certificates but must not queue it again."""
    setup_exams()
    attempt = all_right_and_open("wang", "王喆")
    assert enqueue_scoring(attempt.id, utcnow())
    _run_next_job()
    assert huey.pending_count() == 1  # its certificates, waiting
    for minute in range(2, 6):
        assert sweep_now(utcnow() + timedelta(minutes=minute), LOST_AFTER) == 0
    assert huey.pending_count() == 1
    assert run_jobs() == 1 and _certificates(attempt) == 1


def test_certificates_whose_job_was_lost_are_queued_by_the_sweep(ctx, real_queue):
    setup_exams()
    attempt = all_right_and_open("wang", "王喆")
    assert enqueue_scoring(attempt.id, utcnow())
    _run_next_job()
    huey.flush()  # the certificate job and its marker gone, as with a lost queue
    assert sweep_now(utcnow() + LOST_AFTER + timedelta(seconds=1), LOST_AFTER) == 1
    assert run_jobs() == 2 and _certificates(attempt) == 1  # scored again (nothing), issued
