"""A job worker killed between scoring a pass and issuing its certificate: the sweep
sees the pass without its certificate and has it issued."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.exam.attempts import score_closed
from app.exam.starting import start_attempt
from app.extensions import db
from app.jobs.tasks import LOST_AFTER, sweep_now
from app.models import Attempt, Certificate
from app.models.types import utcnow
from tests.app.certificate_fixtures import (
    COMPETENCY,
    open_sitting,
    setup_exams,
    take,
)
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("signing", "fresh_catalog")


def _certificates_of(attempt_id: int) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.attempt_id == attempt_id)))


def _scored_then_killed(right: int) -> Attempt:
    """A submitted paper scored by a worker that died before the certificate step."""
    setup_exams()
    user = make_user("wang", name="王喆")
    sitting = open_sitting(COMPETENCY, [user])
    attempt = start_attempt(user, sitting, None, utcnow())
    for item in attempt.items:
        item.response, item.answered_at = ("A" if item.position < right else "B"), utcnow()
    db.session.commit()
    return score_closed(attempt.id, "candidate", utcnow())


def test_a_pass_scored_by_a_killed_worker_gets_its_certificate_from_the_sweep(ctx):
    attempt = _scored_then_killed(right=5)
    assert attempt.passed and _certificates_of(attempt.id) == []
    assert sweep_now(utcnow(), LOST_AFTER) == 0  # a worker may still be on it
    later = utcnow() + LOST_AFTER + timedelta(seconds=1)
    assert sweep_now(later, LOST_AFTER) == 1  # the job runs at once in tests
    [certificate] = _certificates_of(attempt.id)
    assert certificate.holder_name == "王喆"
    assert sweep_now(later + timedelta(minutes=1), LOST_AFTER) == 0  # owed nothing more


def test_a_fail_or_a_pass_issued_in_full_is_not_enqueued_again(ctx):
    failed = _scored_then_killed(right=2)
    assert failed.passed is False
    user = make_user("li", name="李华")
    passed = take(user, open_sitting(COMPETENCY, [user]), 5)  # scored and issued in one go
    assert len(_certificates_of(passed.id)) == 1
    assert sweep_now(utcnow() + timedelta(minutes=5), LOST_AFTER) == 0
