"""The certificates of passes, in jobs of their own queued after the scores (they are
taken after every waiting score: see ``app.jobs.queue.FIRST``). A scoring batch's passes
get one job, which issues them together (``app.certificate.batch``); a pass scored alone,
at its submit, gets a job of its own that fills itself up with passes whose jobs still
wait. A marker per pass (``app.jobs.markers``) says its job waits.

The certificate modules run in the app, so the jobs import them when they run.
"""

from __future__ import annotations

from datetime import datetime

from huey.api import Task
from sqlalchemy import select

from app.extensions import db
from app.jobs.markers import enqueue_once
from app.jobs.queue import BATCH, huey, in_app
from app.models import Attempt
from app.models.attempt import AWAITING_CERTIFICATES
from app.models.types import utcnow

# Passes whose certificates one job issues together (one numbering transaction, one to
# store the PDFs): a scoring batch's passes, in one job. A job queued per pass cost the
# queue's storage a marker, an enqueue (and a notification to every waiting worker), a
# dequeue and a check for revocation, thousands of times at a close.
# A worker killed mid-batch leaves this many for the sweep.
CERTIFICATE_BATCH = BATCH
CERTIFICATE_RETRIES = 3


def certificates_marker(attempt_id: int) -> str:
    """The key of the marker saying that the pass's certificate job waits."""
    return f"certificates-queued:{attempt_id}"


def enqueue_certificates(attempt_ids: list[int], now: datetime) -> None:
    """Queue the passes' certificates in one job, but for those whose job already waits:
    a sweep during a long close scores a pass again (a no-op) while its certificates wait
    behind the scores."""
    enqueue_once(attempt_ids, certificates_marker, certify_passes, now)


class CertificatesNotIssued(Exception):
    """Some passes of a certificate batch failed; the message names them and why."""


@huey.task(retries=CERTIFICATE_RETRIES, retry_delay=10, context=True)
def certify_passes(attempt_ids: list[int], task: Task | None = None) -> None:
    """Passes' certificates, in a job queued after their scores: at a close, rendering
    and signing would otherwise hold up the scores of the papers queued behind, which
    thousands of waiting pages poll for.

    The job takes its passes' markers (a pass whose marker another job's batch took is
    left to that job) and, if it has no more than half a batch, passes whose jobs still
    wait up to ``CERTIFICATE_BATCH`` (taking their markers, so those jobs find nothing
    left to do), and issues them in one batch (``app.certificate.batch``). A killed
    worker loses nothing: the passes stay without certificates in the database, their
    markers gone, and the sweep queues them again. Idempotent. A failure raises, so
    admins see it: the queue's retry runs the job's passes again (those issued are
    no-ops), and the failed passes it took from other jobs get a job of their own."""
    first_run = task is None or task.retries == CERTIFICATE_RETRIES
    if first_run:
        attempt_ids = [a for a in attempt_ids if huey.delete(certificates_marker(a))]
        if not attempt_ids:
            return  # taken by other jobs' batches: not even the app is entered
    _issue_certificates(attempt_ids, first_run)


@in_app
def _issue_certificates(attempt_ids: list[int], first_run: bool) -> None:
    from app.certificate.batch import issue_batch

    batch = list(attempt_ids)
    # A small job (a pass scored alone at its submit) is filled up; a scoring batch's is
    # not, or at a close each job would take from the next one down the queue.
    if first_run and len(batch) <= CERTIFICATE_BATCH // 2:
        batch += _take_waiting_certificates(batch, CERTIFICATE_BATCH - len(batch))
    failures = issue_batch(batch, utcnow())
    if not failures:
        return
    enqueue_certificates([a for a in failures if a not in attempt_ids], utcnow())
    reasons = "; ".join(f"attempt {a}: {type(e).__name__}: {e}" for a, e in failures.items())
    raise CertificatesNotIssued(reasons) from next(iter(failures.values()))


def _take_waiting_certificates(batch: list[int], count: int) -> list[int]:
    """Up to ``count`` passes not in ``batch`` whose certificate jobs wait, taken from
    those jobs: the longest waiting first, as the waiting pages are told
    (``app.exam.waits``), read in the order of their index, so that no batch sorts every
    waiting pass (thousands after a close, for each job that fills itself up)."""
    waiting = db.session.scalars(
        select(Attempt.id)
        .where(AWAITING_CERTIFICATES, Attempt.id.not_in(batch))
        .order_by(Attempt.finalized_at, Attempt.id)
        .limit(count * 4)  # some may be in another worker's batch right now
    ).all()
    db.session.rollback()
    taken: list[int] = []
    for other in waiting:
        if len(taken) == count:
            break
        if huey.delete(certificates_marker(other)):
            taken.append(other)
    return taken
