"""The jobs: score a closed attempt (and its notebook; a pass's certificates in a job of
their own, taken after every waiting score: see ``FIRST``), and the sweep that closes
attempts past their deadline, re-enqueues work a killed worker dropped and enqueues the
papers to draw (``app.jobs.preparing``) and the closes at the deadline
(``app.jobs.deadlines``).

An attempt has at most one scoring job waiting: a marker in the queue's storage says
one is queued, and the job clears it when a worker takes it. The sweep skips an attempt
whose job still waits (after a 10,000-paper close each sweep would otherwise queue
thousands of duplicates ahead of the papers not yet scored), and queues again one whose
job a worker took and dropped (the marker is gone) or whose marker is older than
``REQUEUE_AFTER`` (a marker left by a failed enqueue).

After a close the sweep finds thousands of attempts owed at once; it queues them in
batches of ``BATCH`` per job, so a worker takes, enters the app and reads the rules once
per batch rather than once per paper. A batch whose attempt fails goes on with the others
and then raises, so the queue retries the batch (the attempts already scored are no-ops)
and an admin sees the failure. A pass's certificate job likewise takes the passes whose
certificate jobs still wait and issues them together (``issue_certificates_of``).

The exam modules enqueue these jobs, so the jobs import them when they run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from huey import crontab
from huey.api import Task
from sqlalchemy import select

from app.extensions import db
from app.jobs.deadlines import close_expired, schedule_closes
from app.jobs.preparing import prepare_soon
from app.jobs.queue import FIRST, huey, in_app
from app.models import Attempt
from app.models.attempt import AWAITING_CERTIFICATES, SUBMITTED
from app.models.types import utcnow

# A closed attempt still unscored this long after closing has lost its job.
LOST_AFTER = timedelta(seconds=60)
GIVE_UP_AFTER = timedelta(days=1)
REQUEUE_AFTER = timedelta(minutes=15)
# Attempts per batch job: enough to spread a job's fixed costs, few enough that a retry
# of the batch redoes little and that two workers share a close evenly.
BATCH = 25
# Passes whose certificates one job issues together (one numbering transaction, one to
# store the PDFs); a worker killed mid-batch leaves this many for the sweep.
CERTIFICATE_BATCH = 20
CERTIFICATE_RETRIES = 3

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
    return _enqueue_once(scoring_marker(attempt_id), lambda: score_attempt(attempt_id), now)


def _enqueue_once(key: str, enqueue: Callable[[], object], now: datetime) -> bool:
    """Run ``enqueue`` unless the job ``key`` marks is still waiting; the marker is taken
    back if enqueueing fails, so that the next try is not skipped."""
    if not _mark_queued(key, now):
        return False
    try:
        enqueue()
    except Exception:
        huey.delete(key)
        raise
    return True


def enqueue_owed(attempt_ids: Sequence[int], now: datetime) -> int:
    """Queue the scoring of many attempts, ``BATCH`` to a job, skipping those whose job is
    still waiting; returns how many attempts were queued."""
    marked = [a for a in attempt_ids if _mark_queued(scoring_marker(a), now)]
    for start in range(0, len(marked), BATCH):
        batch = marked[start : start + BATCH]
        try:
            score_attempts(batch)
        except Exception:
            for attempt_id in marked[start:]:
                huey.delete(scoring_marker(attempt_id))
            raise
    return len(marked)


def _mark_queued(key: str, now: datetime) -> bool:
    """Set a job's waiting marker; False if the job it marks is still waiting."""
    stamp = now.timestamp()
    if not huey.put_if_empty(key, stamp):
        if _waiting(key, now):
            return False
        huey.put(key, stamp)
    return True


def _waiting(key: str, now: datetime) -> bool:
    marked = huey.get(key, peek=True)
    return marked is not None and now.timestamp() - marked < REQUEUE_AFTER.total_seconds()


def scoring_marker(attempt_id: int) -> str:
    """The key of the marker saying that the attempt's scoring job waits."""
    return f"scoring-queued:{attempt_id}"


def _certificates_key(attempt_id: int) -> str:
    return f"certificates-queued:{attempt_id}"


@huey.task(retries=3, retry_delay=10, priority=FIRST)
@in_app
def score_attempt(attempt_id: int) -> None:
    """Idempotent, so a retry or a duplicate from the sweep does no harm: scoring claims
    the attempt once, issuance skips certificates issued, the notebook records once."""
    huey.delete(scoring_marker(attempt_id))  # taken: if this run dies, the sweep queues again
    _score(attempt_id)
    _record_notebooks([attempt_id])


@huey.task(retries=3, retry_delay=10, priority=FIRST)
@in_app
def score_attempts(attempt_ids: list[int]) -> None:
    """A batch of ``score_attempt``: every attempt is tried; the first failure is raised
    at the end, so the queue retries the batch and records the failure for the admins."""
    for attempt_id in attempt_ids:
        huey.delete(scoring_marker(attempt_id))
    failure: Exception | None = None
    for attempt_id in attempt_ids:
        try:
            _score(attempt_id)
        except Exception as exc:
            db.session.rollback()
            logger.exception("scoring of attempt %s failed; its batch is retried", attempt_id)
            failure = failure or exc
    _record_notebooks(attempt_ids)
    if failure is not None:
        raise failure


def _score(attempt_id: int) -> None:
    from app.exam.scoring import score_once

    try:
        scored = score_once(attempt_id, "deadline", utcnow())
    except LookupError:  # a queue kept beside a database restored from before the attempt
        logger.warning("attempt %s does not exist: its scoring job is dropped", attempt_id)
        return
    if scored.finalized and scored.passed:  # a fail earns no certificate
        _enqueue_certificates(attempt_id, utcnow())


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


def _enqueue_certificates(attempt_id: int, now: datetime) -> None:
    """Queue a pass's certificates unless their job already waits: a sweep during a long
    close scores a pass again (a no-op) while its certificates wait behind the scores."""
    _enqueue_once(_certificates_key(attempt_id), lambda: issue_certificates_of(attempt_id), now)


class CertificatesNotIssued(Exception):
    """Some passes of a certificate batch failed; the message names them and why."""


@huey.task(retries=CERTIFICATE_RETRIES, retry_delay=10, context=True)
def issue_certificates_of(attempt_id: int, task: Task | None = None) -> None:
    """A pass's certificates, in a job of their own queued after its score: at a close,
    rendering and signing would otherwise hold up the scores of the papers queued
    behind, which thousands of waiting pages poll for.

    The job takes up to ``CERTIFICATE_BATCH`` - 1 other passes whose jobs still wait
    (taking their markers, so those jobs find nothing left to do) and issues them in one
    batch (``app.certificate.batch``). A killed worker loses nothing: the passes stay
    without certificates in the database, their markers gone, and the sweep queues them
    again. Idempotent. A failure raises, so admins see it: the queue's retry runs this
    pass alone, and each other failed pass gets a job of its own again."""
    first_run = task is None or task.retries == CERTIFICATE_RETRIES
    if first_run and not huey.delete(_certificates_key(attempt_id)):
        return  # taken by another job's batch: not even the app is entered
    _issue_certificates(attempt_id, first_run)


@in_app
def _issue_certificates(attempt_id: int, first_run: bool) -> None:
    from app.certificate.batch import issue_batch

    batch = [attempt_id]
    if first_run:
        batch += _take_waiting_certificates(attempt_id, CERTIFICATE_BATCH - 1)
    failures = issue_batch(batch, utcnow())
    if not failures:
        return
    for failed in failures:
        if failed != attempt_id:
            _enqueue_certificates(failed, utcnow())
    reasons = "; ".join(f"attempt {a}: {type(e).__name__}: {e}" for a, e in failures.items())
    raise CertificatesNotIssued(reasons) from next(iter(failures.values()))


def _take_waiting_certificates(attempt_id: int, count: int) -> list[int]:
    """Up to ``count`` other passes whose certificate jobs wait, taken from those jobs:
    the longest waiting first, as the waiting pages are told (``app.exam.waits``), read
    in the order of their index, so that no batch sorts every waiting pass (thousands
    after a close, for each batch of twenty)."""
    waiting = db.session.scalars(
        select(Attempt.id)
        .where(AWAITING_CERTIFICATES, Attempt.id != attempt_id)
        .order_by(Attempt.finalized_at, Attempt.id)
        .limit(count * 4)  # some may be in another worker's batch right now
    ).all()
    db.session.rollback()
    taken: list[int] = []
    for other in waiting:
        if len(taken) == count:
            break
        if huey.delete(_certificates_key(other)):
            taken.append(other)
    return taken


@huey.periodic_task(crontab(minute="*"), priority=FIRST)
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
    uncertified = [a for a in uncertified if not _waiting(_certificates_key(a), now)]
    owed = sorted(set(expired) | set(lost) | set(uncertified))
    enqueued = enqueue_owed(owed, now)
    finish_each(without_pdf(issued_before=now - lost_after, due_at=now))
    schedule_closes(now)
    record_opened_reviews(now)
    prune(now)
    prepare_soon(now)
    return enqueued
