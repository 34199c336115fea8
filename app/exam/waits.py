"""How long a page waiting for its score or its certificates should wait before asking
again, from the real backlog: the papers ahead of it in the scoring queue, or the passes
ahead of it waiting for certificates, and how fast the job workers clear them lately.

At a close every candidate's page waits at once. Told when its answer is likely ready,
a page asks then (and at least every ``LONGEST_WAIT``; for certificates, once their pace
is measured, ``LONGEST_CERTIFICATE_WAIT``) instead of every 15 s, which leaves the cores
to the job workers. A status poll must stay cheap, so each web process keeps a
snapshot of the queues (the ids in the order the workers take them) taken at most every
``REFRESH`` seconds, and a poll looks its paper up in it.

A paper whose timer reached zero is still open until the server closes it at the grace's
end; it is then scored behind every paper closed before it. So its page is told the grace
left and the scoring wait behind the papers already closed and those whose timers reached
zero before its own (the crowd closing in the same second): at a 10,000-candidate close,
told only the grace, 7,000 pages asked again every few seconds until their paper closed.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from time import monotonic

from flask import current_app
from sqlalchemy import bindparam, select

from app.database import request_connection
from app.exam.grants import grace
from app.exam.prepared import registered_count
from app.exam.zero_crowd import crowd_at
from app.models import Attempt
from app.models.attempt import AWAITING_CERTIFICATES, FINALIZED, IN_PROGRESS, OPEN_PAPER, SUBMITTED
from app.models.types import utcnow

REFRESH = 2.0  # seconds between a process's snapshots, at most one query per queue each
RATE_WINDOW = 30.0  # seconds of departures the rate is measured over
LONGEST_WAIT = 60  # seconds: a page asks at least this often (its jitter: up to 1.35 times)
# A pass's page waiting for its certificates, its score shown, once the workers' pace at
# certificates is measured: at 60 s, every pass of a 10,000 close asked every minute while
# its certificates came (28,000 polls from the last score to the last certificate, on the
# cores the certificates were made on). Until the pace is measured, ``LONGEST_WAIT``.
LONGEST_CERTIFICATE_WAIT = 180
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
# The pace at which a crowd's pages are told to come for their results, at most (the
# app's ``RESULTS_PER_SECOND``): the job workers score a 7,000-paper close at 500-1,000
# papers a second, and told by that rate alone the pages came for their results (~2.8 ms
# of the web each) in ten seconds, every request then waiting up to 2.3 s (bench/RESULTS.md,
# session 33, run F). A paper is paced by its place in the scoring queue when a snapshot
# first saw it: its page is told the same moment at every ask, so a crowd comes at this
# pace in the order it closed, never before its score.
RESULTS_PER_SECOND = 300

# A sitting's test pages at the timer's zero ask first for their score spread over the
# grace, or, for a crowd, over ``FIRST_ASK_SPREAD`` times the time its results take at
# ``RESULTS_PER_SECOND`` (``first_ask_spread``): the first asks and the second ones of
# the pages that came before their turn then make about 2 / ``FIRST_ASK_SPREAD`` of that
# pace together at the busiest. Spread over the grace alone, a 10,000 close's first asks
# came in its 30 s (~230 a second) on top of the results at 300 a second, and in a slower
# hour every request waited up to 3.7 s (bench/RESULTS.md, session 34, run L); at twice
# the results' time its busiest 10 s were 3,528 requests, at ~2.9 times 1,866 (session
# 36, run O; session 35, run N). At most ``LONGEST_FIRST_ASK_SPREAD`` seconds: beyond,
# add web hosts and raise the pace.
FIRST_ASK_SPREAD = 3
LONGEST_FIRST_ASK_SPREAD = 120

# The order the workers take them: scores in the order the papers closed (equal
# priorities run in queue order), a pass's certificates in the order it was scored.
_SCORING_QUEUE = (
    select(Attempt.id).where(Attempt.status == SUBMITTED).order_by(Attempt.finalized_at, Attempt.id)
)
_CERTIFICATE_QUEUE = (
    select(Attempt.id).where(AWAITING_CERTIFICATES).order_by(Attempt.finalized_at, Attempt.id)
)
# Open papers past their timer's zero, in the order the server closes them.
_CLOSING_QUEUE = (
    select(Attempt.id)
    .where(OPEN_PAPER, Attempt.deadline < bindparam("now"))
    .order_by(Attempt.deadline, Attempt.id)
)


@dataclass
class Queue:
    """One queue as last seen: each id's place, and how fast ids left it lately."""

    least_rate: float
    places: dict[int, int] = field(default_factory=dict)
    # Each id's place and the snapshot's time when first seen in the queue.
    first_seen: dict[int, tuple[int, float]] = field(default_factory=dict)
    rate: float = 0.0  # ids gone a second over the window, at least ``least_rate``
    # (seen at, seconds since the snapshot before, ids gone between the two)
    departures: deque[tuple[float, float, int]] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self.rate = self.least_rate

    def see(self, ids: list[int], seen_at: float, seen_before: float | None, busy: bool) -> None:
        """A new snapshot. The ids gone since the last count towards the rate only if the
        workers were busy with this queue all along: ids waiting at its start and still at
        its end (an empty queue at either end: they may have been idle part of the time; a
        crowd closed into an empty queue had no time to leave it), nothing ahead of it in
        another queue (``busy``), and not longer ago than the window."""
        was_busy = bool(self.places) and bool(ids) and busy
        if seen_before is not None and was_busy and seen_at - seen_before <= RATE_WINDOW:
            gone = len(self.places.keys() - set(ids))
            self.departures.append((seen_at, seen_at - seen_before, gone))
        while self.departures and self.departures[0][0] < seen_at - RATE_WINDOW:
            self.departures.popleft()
        seconds = sum(span for _, span, _ in self.departures)
        gone = sum(count for _, _, count in self.departures)
        # Each replaced whole: the other threads read them without the lock.
        self.rate = max(self.least_rate, gone / seconds if seconds else 0.0)
        self.places = {attempt_id: place for place, attempt_id in enumerate(ids)}
        first = self.first_seen
        self.first_seen = {i: first.get(i) or (place, seen_at) for place, i in enumerate(ids)}

    @property
    def measured(self) -> bool:
        """Whether the rate is this queue's own, not the floor standing in for it."""
        return bool(self.departures)

    def ahead_of(self, attempt_id: int) -> int:
        """Ids ahead in the queue; one not in it yet joined after the snapshot: all are."""
        return self.places.get(attempt_id, len(self.places))

    def paced_at(self, attempt_id: int, per_second: float) -> float | None:
        """When its turn comes at ``per_second`` from its place when first seen (None: not
        in the queue as last seen)."""
        seen = self.first_seen.get(attempt_id)
        return None if seen is None else seen[1] + seen[0] / per_second


class Backlog:
    """A web process's snapshot of the scoring and certificate queues, and of the open
    papers past their timer's zero that join the scoring queue when the server closes them."""

    def __init__(self, results_per_second: float = RESULTS_PER_SECOND) -> None:
        self.results_per_second = results_per_second
        self.scoring = Queue(SCORING_RATE)
        self.certifying = Queue(CERTIFICATE_RATE)
        self.closing = Queue(SCORING_RATE)  # never measured: its papers leave by closing
        self.taken_at: float | None = None
        self.lock = threading.Lock()  # a gthread process's threads share it

    def refresh(self, now: float) -> None:
        """A new snapshot if the last is older than ``REFRESH``. One thread takes it; the
        others answer from the last one meanwhile, a few seconds old at most: waiting for
        the new one, every other thread of a web process stood still while one read ~17,000
        ids (py-spy in a 10,000-paper close, bench/RESULTS.md, session 32)."""
        if self.taken_at is not None and now - self.taken_at < REFRESH:
            return
        if not self.lock.acquire(blocking=self.taken_at is None):  # the first: all wait
            return
        try:
            if self.taken_at is not None and now - self.taken_at < REFRESH:
                return
            scoring, certifying, closing = self.read_queues()
            self.scoring.see(scoring, now, self.taken_at, busy=True)
            # The workers take every score before any certificate.
            self.certifying.see(certifying, now, self.taken_at, busy=not scoring)
            self.closing.see(closing, now, None, busy=False)
            self.taken_at = now
        finally:
            self.lock.release()

    def read_queues(self) -> tuple[list[int], list[int], list[int]]:
        """The ids waiting for their score, the passes waiting for certificates, and the
        open papers past their timer's zero (on the request's connection: a poll's, in
        autocommit, ``app.database.request_connection``)."""
        connection = request_connection()
        scoring = list(connection.scalars(_SCORING_QUEUE))
        certifying = list(connection.scalars(_CERTIFICATE_QUEUE))
        return scoring, certifying, list(connection.scalars(_CLOSING_QUEUE, {"now": utcnow()}))

    def scoring_wait(self, attempt_id: int, now: float, closing: bool = False) -> float:
        """Seconds until the paper is likely scored: those ahead and itself. ``closing``:
        still open past its timer's zero, behind every closed paper and those closing first."""
        self.refresh(now)
        if closing:
            ahead = len(self.scoring.places) + self.closing.ahead_of(attempt_id)
        else:
            ahead = self.scoring.ahead_of(attempt_id)
        left = self._left((ahead + 1) / self.scoring.rate, now)
        left = left if self.scoring.measured else min(left, UNMEASURED_SCORING_WAIT)
        turn = None if closing else self.scoring.paced_at(attempt_id, self.results_per_second)
        return left if turn is None else max(left, turn - now)

    def told_scoring_wait(
        self, attempt_id: int, now: float, grace_left: float | None = None
    ) -> int:
        """``scoring_wait`` as a page is told it: at most ``LONGEST_WAIT``. ``grace_left``:
        the paper is still open past its timer's zero, so the grace left comes first, then
        its place behind every closed paper and those closing before it."""
        if grace_left is None:
            return min(LONGEST_WAIT, round(self.scoring_wait(attempt_id, now)))
        closing = self.scoring_wait(attempt_id, now, closing=True)
        return min(LONGEST_WAIT, round(max(0.0, grace_left) + closing))

    def certificate_wait(self, attempt_id: int, now: float) -> float:
        """Seconds until the pass likely has its certificates: every paper waiting for its
        score or closing first (scores are taken before certificates), then the passes ahead."""
        self.refresh(now)
        scores = (len(self.scoring.places) + len(self.closing.places)) / self.scoring.rate
        ahead = self.certifying.ahead_of(attempt_id) + 1
        return self._left(scores + ahead / self.certifying.rate, now)

    def told_certificate_wait(self, attempt_id: int, now: float) -> int:
        """``certificate_wait`` as a page is told it: at most ``LONGEST_WAIT``, or once the
        workers' pace at certificates is measured ``LONGEST_CERTIFICATE_WAIT``."""
        estimate = self.certificate_wait(attempt_id, now)  # the snapshot renewed first
        longest = LONGEST_CERTIFICATE_WAIT if self.certifying.measured else LONGEST_WAIT
        return min(longest, round(estimate))

    def _left(self, seconds: float, now: float) -> float:
        """What took ``seconds`` from the snapshot on, less the time since."""
        return max(0.0, seconds - (now - (self.taken_at or now)))


def backlog() -> Backlog:
    """The app's snapshot in this process (a test's app starts with a new one)."""
    found = current_app.extensions.get("exam_backlog")
    if found is None:  # the first poll: one of the threads' wins
        paced = Backlog(current_app.config["RESULTS_PER_SECOND"])
        found = current_app.extensions.setdefault("exam_backlog", paced)
    return found


def wait_seconds(
    attempt_id: int, state: str, deadline: datetime, now: datetime, certificates_ready: bool
) -> int:
    """How long a page waiting for this attempt should wait before asking: the time and
    grace left while it is answered; from its timer's zero the grace left (the server
    closes it then) and the scoring queue's estimate behind the papers closing first;
    once closed the scoring queue's estimate, and once scored the certificate queue's
    until its certificates are ready. 0 means no more than the page's own backoff (under a
    second, or nothing to wait for)."""
    grace_left = (deadline + grace() - now).total_seconds()
    if state == IN_PROGRESS and now < deadline:
        return round(grace_left)
    if state == IN_PROGRESS:
        return backlog().told_scoring_wait(attempt_id, monotonic(), grace_left)
    if state == SUBMITTED:
        return backlog().told_scoring_wait(attempt_id, monotonic())
    if state == FINALIZED and not certificates_ready:
        return backlog().told_certificate_wait(attempt_id, monotonic())
    return 0


def first_ask_spread(sitting_id: int, deadline: datetime | None = None) -> int:
    """Seconds past the grace over which the sitting's test pages ask first for their
    score at the timer's zero (the page spreads its ask over the grace if that is longer),
    each asking once before or at their turn: for a page rendered, everyone registered
    may be at its zero; a save tells it the crowd counted around its ``deadline``
    (``app.exam.zero_crowd``)."""
    crowd = registered_count(sitting_id) if deadline is None else crowd_at(sitting_id, deadline)
    return crowd_spread(crowd, current_app.config["RESULTS_PER_SECOND"])


def crowd_spread(crowd: int, results_per_second: int) -> int:
    """``first_ask_spread`` for a crowd of that size at that pace (bench_polls.py too)."""
    spread = math.ceil(FIRST_ASK_SPREAD * crowd / results_per_second)
    return min(LONGEST_FIRST_ASK_SPREAD, spread)
