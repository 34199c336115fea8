"""How long a page waiting for its score or its certificates should wait before asking
again, from the real backlog: the papers ahead of it in the scoring queue, or the passes
ahead of it waiting for certificates, and how fast the job workers clear them lately.

At a close every candidate's page waits at once. Told when its answer is likely ready,
a page asks then (and at least every ``LONGEST_WAIT``) instead of every 15 s, which leaves
the cores to the job workers. A status poll must stay cheap, so each web process keeps a snapshot of both
queues (the ids in the order the workers take them) taken at most every ``REFRESH``
seconds, and a poll looks its paper up in it.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from time import monotonic

from flask import current_app
from sqlalchemy import select

from app.exam.grants import grace
from app.exam.outcome import AWAITING_CERTIFICATES
from app.extensions import db
from app.models import Attempt
from app.models.attempt import FINALIZED, IN_PROGRESS, SUBMITTED

REFRESH = 2.0  # seconds between a process's snapshots, at most one query per queue each
RATE_WINDOW = 30.0  # seconds of departures the rate is measured over
LONGEST_WAIT = 60  # seconds: a page asks at least this often (its jitter: up to 1.35 times)
# At least what the job workers of this small server clear while a close's polls share the
# cores (bench/RESULTS.md), and the rate before any was measured: a rate measured lower
# (workers idle part of the time, or starved) would tell a lone candidate to wait.
SCORING_RATE = 10.0  # papers a second
CERTIFICATE_RATE = 5.0  # passes a second
# Until the scoring rate is measured (a web process's first seconds of a close) a waiting
# paper is told at most this: the floor is several times slower than what the workers of
# a quiet server clear (a job process scores 120-135 papers per CPU-second), and at the
# timer's zero a whole session would otherwise be told to wait up to a minute for scores
# ready in seconds. It asks again once the rate is known. (Certificates take longer than
# any such wait anyway, so their floor stands.)
UNMEASURED_SCORING_WAIT = 15

# The order the workers take them: scores in the order the papers closed (equal
# priorities run in queue order), a pass's certificates in the order it was scored.
_SCORING_QUEUE = (
    select(Attempt.id).where(Attempt.status == SUBMITTED).order_by(Attempt.finalized_at, Attempt.id)
)
_CERTIFICATE_QUEUE = (
    select(Attempt.id).where(AWAITING_CERTIFICATES).order_by(Attempt.finalized_at, Attempt.id)
)


@dataclass
class Queue:
    """One queue as last seen: each id's place, and how fast ids left it lately."""

    least_rate: float
    places: dict[int, int] = field(default_factory=dict)
    rate: float = 0.0  # ids gone a second over the window, at least ``least_rate``
    # (seen at, seconds since the snapshot before, ids gone between the two)
    departures: deque[tuple[float, float, int]] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self.rate = self.least_rate

    def see(self, ids: list[int], seen_at: float, seen_before: float | None, busy: bool) -> None:
        """A new snapshot. The ids gone since the last count towards the rate only if the
        workers were busy with this queue all along: ids still waiting at its end (none
        left: they may have been idle part of the time), nothing ahead of it in another
        queue (``busy``), and not longer ago than the window."""
        if seen_before is not None and ids and busy and seen_at - seen_before <= RATE_WINDOW:
            gone = len(self.places.keys() - set(ids))
            self.departures.append((seen_at, seen_at - seen_before, gone))
        while self.departures and self.departures[0][0] < seen_at - RATE_WINDOW:
            self.departures.popleft()
        seconds = sum(span for _, span, _ in self.departures)
        gone = sum(count for _, _, count in self.departures)
        # Each replaced whole: the other threads read them without the lock.
        self.rate = max(self.least_rate, gone / seconds if seconds else 0.0)
        self.places = {attempt_id: place for place, attempt_id in enumerate(ids)}

    @property
    def measured(self) -> bool:
        """Whether the rate is this queue's own, not the floor standing in for it."""
        return bool(self.departures)

    def ahead_of(self, attempt_id: int) -> int:
        """Ids ahead in the queue; one not in it yet joined after the snapshot: all are."""
        return self.places.get(attempt_id, len(self.places))


class Backlog:
    """A web process's snapshot of the scoring and certificate queues."""

    def __init__(self) -> None:
        self.scoring = Queue(SCORING_RATE)
        self.certifying = Queue(CERTIFICATE_RATE)
        self.taken_at: float | None = None
        self.lock = threading.Lock()  # a gthread process's threads share it

    def refresh(self, now: float) -> None:
        """A new snapshot if the last is older than ``REFRESH`` (one thread takes it)."""
        if self.taken_at is not None and now - self.taken_at < REFRESH:
            return
        with self.lock:
            if self.taken_at is not None and now - self.taken_at < REFRESH:
                return
            scoring, certifying = self.read_queues()
            self.scoring.see(scoring, now, self.taken_at, busy=True)
            # The workers take every score before any certificate.
            self.certifying.see(certifying, now, self.taken_at, busy=not scoring)
            self.taken_at = now

    def read_queues(self) -> tuple[list[int], list[int]]:
        """The ids waiting for their score, and the passes waiting for certificates."""
        scoring = list(db.session.scalars(_SCORING_QUEUE))
        return scoring, list(db.session.scalars(_CERTIFICATE_QUEUE))

    def scoring_wait(self, attempt_id: int, now: float) -> float:
        """Seconds until the paper is likely scored: those ahead and itself."""
        self.refresh(now)
        left = self._left((self.scoring.ahead_of(attempt_id) + 1) / self.scoring.rate, now)
        return left if self.scoring.measured else min(left, UNMEASURED_SCORING_WAIT)

    def certificate_wait(self, attempt_id: int, now: float) -> float:
        """Seconds until the pass likely has its certificates: every paper waiting for its
        score first (scores are taken before certificates), then the passes ahead."""
        self.refresh(now)
        scores = len(self.scoring.places) / self.scoring.rate
        ahead = self.certifying.ahead_of(attempt_id) + 1
        return self._left(scores + ahead / self.certifying.rate, now)

    def _left(self, seconds: float, now: float) -> float:
        """What took ``seconds`` from the snapshot on, less the time since."""
        return max(0.0, seconds - (now - (self.taken_at or now)))


def backlog() -> Backlog:
    """The app's snapshot in this process (a test's app starts with a new one)."""
    found = current_app.extensions.get("exam_backlog")
    if found is None:  # the first poll: one of the threads' wins
        found = current_app.extensions.setdefault("exam_backlog", Backlog())
    return found


def wait_seconds(
    attempt_id: int, state: str, deadline: datetime, now: datetime, certificates_ready: bool
) -> int:
    """How long a page waiting for this attempt should wait before asking: the answer
    grace left while it is open (the server closes it then), the scoring queue's estimate
    once closed, the certificate queue's once scored until its certificates are ready.
    0 means no more than the page's own backoff (under a second, or nothing to wait for)."""
    if state == IN_PROGRESS:
        return max(0, round((deadline + grace() - now).total_seconds()))
    if state == SUBMITTED:
        estimate = backlog().scoring_wait(attempt_id, monotonic())
    elif state == FINALIZED and not certificates_ready:
        estimate = backlog().certificate_wait(attempt_id, monotonic())
    else:
        return 0
    return min(LONGEST_WAIT, round(estimate))
