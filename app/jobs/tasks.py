"""The jobs: score a closed attempt (and its notebook; the passes' certificates follow in
jobs of their own, ``app.jobs.certifying``), and the sweep that closes
attempts past their deadline, re-enqueues work a killed worker dropped and enqueues the
papers to draw (``app.jobs.preparing``) and the closes at the deadline
(``app.jobs.deadlines``).

An attempt has at most one scoring job waiting (``app.jobs.markers``): the sweep skips
an attempt whose job still waits (after a 10,000-paper close each sweep would otherwise
queue thousands of duplicates ahead of the papers not yet scored).

After a close the sweep finds thousands of attempts owed at once; it queues them in
batches of ``BATCH`` per job, so a worker takes, enters the app and reads the rules once
per batch rather than once per paper. A batch whose attempt fails goes on with the others
and then raises, so the queue retries the batch (the attempts already scored are no-ops)
and an admin sees the failure. A batch's passes get one certificate job
(``app.jobs.certifying``).

The exam modules enqueue these jobs, so the jobs import them when they run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from huey import crontab
from sqlalchemy import select

from app.extensions import db
from app.jobs.certifying import certificates_marker, enqueue_certificates
from app.jobs.deadlines import close_expired, schedule_closes
from app.jobs.markers import enqueue_once, mark_queued, waiting
from app.jobs.preparing import prepare_soon
from app.jobs.queue import BATCH, FIRST, URGENT, huey, in_app
from app.models import Attempt
from app.models.attempt import AWAITING_CERTIFICATES, SUBMITTED
from app.models.types import utcnow

# A closed attempt still unscored this long after closing has lost its job.
LOST_AFTER = timedelta(seconds=60)
GIVE_UP_AFTER = timedelta(days=1)

logger = logging.getLogger(__name__)


def score_later(attempt_id: int) -> None:
    """Enqueue the scoring; if the queue is unreachable, the sweep enqueues it later."""
    try:
        enqueue_scoring(attempt_id, utcnow())
    except Exception:
        from flask import current_app

        current_app.logger.exception("could not enqueue scoring of attempt %s", attempt_id)


def enqueue_scoring(attempt_id: int, now: datetime) -> bool:
    """Queue the attempt's scoring unless a job for it is already waiting."""
    queued = enqueue_once([attempt_id], scoring_marker, lambda ids: score_attempt(ids[0]), now)
    return bool(queued)


def enqueue_owed(attempt_ids: Sequence[int], now: datetime) -> int:
    """Queue the scoring of many attempts, ``BATCH`` to a job, skipping those whose job is
    still waiting; returns how many attempts were queued."""
    marked = [a for a in attempt_ids if mark_queued(scoring_marker(a), now)]
    for start in range(0, len(marked), BATCH):
        batch = marked[start : start + BATCH]
        try:
            score_attempts(batch)
        except Exception:
            for attempt_id in marked[start:]:
                huey.delete(scoring_marker(attempt_id))
            raise
    return len(marked)


def scoring_marker(attempt_id: int) -> str:
    """The key of the marker saying that the attempt's scoring job waits."""
    return f"scoring-queued:{attempt_id}"


@huey.task(retries=3, retry_delay=10, priority=FIRST)
@in_app
def score_attempt(attempt_id: int) -> None:
    """Idempotent, so a retry or a duplicate from the sweep does no harm: scoring claims
    the attempt once, issuance skips certificates issued, the notebook records once."""
    huey.delete(scoring_marker(attempt_id))  # taken: if this run dies, the sweep queues again
    passed = _score(attempt_id)
    _record_notebooks([attempt_id])
    if passed:
        enqueue_certificates([attempt_id], utcnow())


@huey.task(retries=3, retry_delay=10, priority=FIRST)
@in_app
def score_attempts(attempt_ids: list[int]) -> None:
    """A batch of ``score_attempt``: every attempt is tried; the first failure is raised
    at the end, so the queue retries the batch and records the failure for the admins."""
    for attempt_id in attempt_ids:
        huey.delete(scoring_marker(attempt_id))
    failure: Exception | None = None
    passes = []
    for attempt_id in attempt_ids:
        try:
            if _score(attempt_id):
                passes.append(attempt_id)
        except Exception as exc:
            db.session.rollback()
            logger.exception("scoring of attempt %s failed; its batch is retried", attempt_id)
            failure = failure or exc
    _record_notebooks(attempt_ids)
    enqueue_certificates(passes, utcnow())
    if failure is not None:
        raise failure


def _score(attempt_id: int) -> bool:
    """Score the attempt (a no-op if scored); True if it passed: a fail earns no
    certificate."""
    from app.exam.scoring import score_once

    try:
        scored = score_once(attempt_id, "deadline", utcnow())
    except LookupError:  # a queue kept beside a database restored from before the attempt
        logger.warning("attempt %s does not exist: its scoring job is dropped", attempt_id)
        return False
    return scored.finalized and scored.passed


def _record_notebooks(attempt_ids: list[int]) -> None:
    """The notebooks of the papers just scored whose review shows the keys now (scored
    after the close), in one batch (``app.exam.opened_reviews``): one paper at a time
    cost more than its scoring. A failure is logged, not raised: the scores stand, and
    the sweep records what is left within a minute."""
    from app.exam.opened_reviews import record_in_batches

    try:
        record_in_batches(utcnow(), attempt_ids)
    except Exception:
        db.session.rollback()
        logger.exception("notebooks of attempts %s failed; the sweep records them", attempt_ids)


@huey.periodic_task(crontab(minute="*"), priority=URGENT)
@in_app
def sweep() -> None:
    """Every minute: nothing waits for cron or for a candidate to come back."""
    sweep_now(utcnow(), LOST_AFTER)


def sweep_now(now: datetime, lost_after: timedelta) -> int:
    """Close attempts past deadline and grace (and schedule the bulk close of those whose
    grace ends before the next sweep: app/jobs/deadlines.py), enqueue every closed attempt not scored
    within ``lost_after`` (0 at a worker's start) and every pass whose certificates were
    not issued within it, store the PDF of a certificate numbered that long ago without
    one (its worker died between the two transactions; one whose PDF failed only once its
    growing wait is over), fill notebooks whose review has
    opened, forget quiet sign-in failures, and enqueue the first papers of sittings about
    to open. Returns how many attempts were queued for scoring (not those still waiting)."""
    from app.auth.throttle import prune
    from app.certificate.pdfs import finish_each, without_pdf
    from app.exam.review import record_opened_reviews

    expired = close_expired(now)
    lost = db.session.scalars(
        select(Attempt.id).where(
            Attempt.status == SUBMITTED, Attempt.finalized_at <= now - lost_after
        )
    ).all()
    # Scored, but the worker died before the certificates: scoring again is a no-op and
    # issues them. A day later a pass still failing to issue is left to the admins.
    uncertified = db.session.scalars(
        select(Attempt.id).where(
            AWAITING_CERTIFICATES,
            Attempt.finalized_at <= now - lost_after, Attempt.finalized_at > now - GIVE_UP_AFTER,
        )
    ).all()  # fmt: skip
    db.session.rollback()
    uncertified = [a for a in uncertified if not waiting(certificates_marker(a), now)]
    owed = sorted(set(expired) | set(lost) | set(uncertified))
    enqueued = enqueue_owed(owed, now)
    finish_each(without_pdf(issued_before=now - lost_after, due_at=now))
    schedule_closes(now)
    record_opened_reviews(now)
    prune(now)
    prepare_soon(now)
    return enqueued
