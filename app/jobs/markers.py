"""A job's waiting marker in the queue's storage: at most one job per attempt and kind
waits. A marker says a job is queued, and the job clears it when a worker takes it; the
sweep skips an attempt whose job still waits, and queues again one whose job a worker
took and dropped (the marker is gone) or whose marker is older than ``REQUEUE_AFTER`` (a
marker left by a failed enqueue)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from app.jobs.queue import huey

REQUEUE_AFTER = timedelta(minutes=15)


def enqueue_once(
    attempt_ids: Sequence[int],
    marker: Callable[[int], str],
    enqueue: Callable[[list[int]], object],
    now: datetime,
) -> list[int]:
    """Run ``enqueue`` with the attempts whose job (its key ``marker(id)``) is not still
    waiting, and return them; their markers are taken back if enqueueing fails, so that
    the next try is not skipped."""
    marked = [a for a in attempt_ids if mark_queued(marker(a), now)]
    if not marked:
        return marked
    try:
        enqueue(marked)
    except Exception:
        for attempt_id in marked:
            huey.delete(marker(attempt_id))
        raise
    return marked


def mark_queued(key: str, now: datetime) -> bool:
    """Set a job's waiting marker; False if the job it marks is still waiting."""
    stamp = now.timestamp()
    if not huey.put_if_empty(key, stamp):
        if waiting(key, now):
            return False
        huey.put(key, stamp)
    return True


def waiting(key: str, now: datetime) -> bool:
    marked = huey.get(key, peek=True)
    return marked is not None and now.timestamp() - marked < REQUEUE_AFTER.total_seconds()
