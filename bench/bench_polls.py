"""Status polls per candidate at a close, simulated: how often a whole session's waiting
pages ask, and how late each sees its score and certificate, with the server's wait from
the backlog (``app.exam.waits``) from the timer's zero on, against the wait it gave before
it: the grace only.

First, what a poll costs with a close's backlog in the database (an in-process app on a
temporary SQLite database, as ``bench_requests.py``): a poll within the snapshot, and a
new snapshot. ``BENCH_POLLS_BACKLOG`` (7000,4700,30000): the papers being scored, the
passes awaiting certificates and the papers finalized long before.

Then the close, simulated without server or database: the pages follow
app/static/result-status.js (the first poll past the grace, spread over as long again or
over the page's crowd spread if longer, then 1 s doubling to 15 s, or the server's wait if
longer, each × 0.85–1.35; the last row: the first poll at the grace × 0.85–1.35, as
before), the job workers clear the papers at a steady rate (scores
first, then the passes' certificates), and each of the web processes keeps its own
``Backlog`` snapshot, read from the simulated queues. The rates are those the last 10,000
run reached (bench/RESULTS.md); fewer polls leave the workers more CPU, which this does
not model, so the new figures are on the cautious side. "busiest s": the most polls
sent in one second, what the cores must serve at once; "busiest 10 s" and "pages": the
most polls, and the most result pages, in ten seconds (the crowds' steps of
bench_session.py). ``BENCH_POLLS_FIRST_SPREADS``: the pages' crowd spreads simulated, in
seconds (by default 0, the grace alone as before session 35, and what the test page of a
sitting of ``BENCH_POLLS_REGISTERED`` candidates says: ``app.exam.waits.first_ask_spread``).

    BENCH_POLLS_N=7000 BENCH_POLLS_SCORES=700 .venv/bin/python bench/bench_polls.py
"""

from __future__ import annotations

import heapq
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.exam import waits
from app.exam.waits import Backlog
from bench.bench_requests import TOKEN, in_process_app, prepare

PAPERS = int(os.environ.get("BENCH_POLLS_N", 7000))  # papers closing at the timer's zero
PASSED = 0.68
GRACE = 30.0  # seconds: the server closes the papers then
# As the last 10,000 run (bench/RESULTS.md, session 9): 7,000 scored in ~110 s after the
# grace, then the passes' certificates within ~55 s.
SCORES_PER_S = float(os.environ.get("BENCH_POLLS_SCORES", 64))
CERTIFICATES_PER_S = float(os.environ.get("BENCH_POLLS_CERTIFICATES", 125))
MODES = ("grace only", "backlog from zero")
WEB_PROCESSES = 4
# Everyone registered: those closing at the zero and those who submitted before it.
REGISTERED = int(os.environ.get("BENCH_POLLS_REGISTERED", round(PAPERS / 0.7)))
SHIPPED_SPREAD = waits.crowd_spread(REGISTERED, waits.RESULTS_PER_SECOND)  # the default pace
# The time-up box's first poll past the grace: over as long again or over the page's crowd
# spread if longer (result-status.js, ``afterFloor``); each spread listed is simulated.
FIRST_SPREADS = [
    float(s) for s in os.environ.get("BENCH_POLLS_FIRST_SPREADS", f"0,{SHIPPED_SPREAD}").split(",")
]
STEP = 10  # seconds: the busiest step of polls and of result pages (bench_session's crowds)
BACKLOG = [int(n) for n in os.environ.get("BENCH_POLLS_BACKLOG", "7000,4700,30000").split(",")]


class Close:
    """When each paper is scored and each pass gets its certificates (ids in close order)."""

    def __init__(self, rng: random.Random) -> None:
        self.scored_at = [GRACE + (i + 1) / SCORES_PER_S for i in range(PAPERS)]
        self.passed = [rng.random() < PASSED for _ in range(PAPERS)]
        scores_end = self.scored_at[-1]
        passes = [i for i in range(PAPERS) if self.passed[i]]
        self.certified_at = dict.fromkeys(range(PAPERS), 0.0)
        for place, i in enumerate(passes):
            self.certified_at[i] = scores_end + (place + 1) / CERTIFICATES_PER_S
        self.passes = passes

    def queues(self, now: float) -> tuple[list[int], list[int], list[int]]:
        scoring = [i for i in range(PAPERS) if self.scored_at[i] > now] if now >= GRACE else []
        certifying = [i for i in self.passes if self.scored_at[i] <= now < self.certified_at[i]]
        return scoring, certifying, [] if now >= GRACE else list(range(PAPERS))


class SimulatedBacklog(Backlog):
    def __init__(self, close: Close, clock: list[float]) -> None:
        super().__init__()
        self.close, self.clock = close, clock

    def read_queues(self) -> tuple[list[int], list[int], list[int]]:
        return self.close.queues(self.clock[0])


def run(
    mode: str, seed: int = 1, first_after_grace: bool = True, spread: float = 0.0
) -> dict[str, float]:
    rng = random.Random(seed)
    close, clock = Close(rng), [0.0]
    processes = [SimulatedBacklog(close, clock) for _ in range(WEB_PROCESSES)]

    def server_wait(i: int, now: float, waiting_for: str) -> float:
        backlog = rng.choice(processes)
        if now < GRACE and mode == "backlog from zero":
            return backlog.told_scoring_wait(i, now, grace_left=GRACE - now)
        if now < GRACE:
            return GRACE - now
        if mode == "grace only":
            return 0
        if waiting_for == "scored":
            return backlog.told_scoring_wait(i, now)
        return backlog.told_certificate_wait(i, now)

    def jittered(seconds: float) -> float:
        return seconds * (0.85 + rng.random() / 2)

    polls = [0] * PAPERS
    after_grace = 0  # polls in the 30 s after the grace: when the server closes the papers
    by_second: Counter[int] = Counter()  # the busiest second: what the cores must serve at once
    by_step: Counter[int] = Counter()  # polls in each STEP
    pages_by_step: Counter[int] = Counter()  # result pages (a score seen) in each STEP
    late: dict[str, list[float]] = {"scored": [], "certificates": []}
    seen_last = 0.0

    def after_grace_end() -> float:
        """The time-up box's first poll: the grace is a floor, never asked before."""
        if not first_after_grace:
            return jittered(GRACE)
        return GRACE + rng.random() * max(GRACE, spread)

    # (time, paper, waiting for, its page's delay): the time-up box asks after the grace.
    events = [(after_grace_end(), i, "scored", 1.0) for i in range(PAPERS)]
    heapq.heapify(events)
    while events:
        now, i, waiting_for, delay = heapq.heappop(events)
        clock[0] = now
        polls[i] += 1
        after_grace += GRACE <= now < GRACE + 30
        by_second[int(now)] += 1
        by_step[int(now // STEP)] += 1
        ready_at = close.scored_at[i] if waiting_for == "scored" else close.certified_at[i]
        if now >= ready_at:
            late["scored" if waiting_for == "scored" else "certificates"].append(now - ready_at)
            if waiting_for == "scored":
                pages_by_step[int(now // STEP)] += 1
            seen_last = max(seen_last, now)
            if waiting_for == "scored" and close.passed[i] and now < close.certified_at[i]:
                # The result page: its certificate box's first wait, as the status says.
                first = server_wait(i, now, "certificates")
                heapq.heappush(events, (now + jittered(max(1.0, first)), i, "certs", 1.0))
            continue
        wait = max(delay, server_wait(i, now, waiting_for))
        heapq.heappush(events, (now + jittered(wait), i, waiting_for, min(delay * 2, 15.0)))
    return {
        "polls": sum(polls),
        "per candidate": sum(polls) / PAPERS,
        "after the grace": after_grace,
        "busiest second": max(by_second.values()),
        "busiest step": max(by_step.values()),
        "busiest step, pages": max(pages_by_step.values()),
        "score seen late p50": _percentile(late["scored"], 50),
        "score seen late p99": _percentile(late["scored"], 99),
        "certificate seen late p50": _percentile(late["certificates"], 50),
        "certificate seen late p99": _percentile(late["certificates"], 99),
        "last seen": seen_last,
    }


def _percentile(values: list[float], percent: int) -> float:
    """Nearest-rank: a tiny run may see a handful of certificates, or none."""
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, len(ordered) * percent // 100)]


def poll_cost(scoring: int, certifying: int, history: int) -> None:
    """CPU of status polls of a paper behind ``scoring`` closed papers, with ``certifying``
    passes awaiting certificates and ``history`` papers finalized long ago."""
    with tempfile.TemporaryDirectory(prefix="bench-polls-") as tmp:
        from app.exam.waits import backlog

        app = in_process_app(tmp)
        with app.app_context():
            sitting_id = prepare(app, 1)
        web = app.test_client()
        token = TOKEN.search(web.get("/login").get_data(as_text=True)).group(1)
        web.post("/login", data={
            "username": "bench0", "password": "bench-password-1", "csrf_token": token})  # fmt: skip
        token = TOKEN.search(web.get(f"/sessions/{sitting_id}").get_data(as_text=True)).group(1)
        # The start answers the test page itself, which names its own address.
        page = web.post(f"/sessions/{sitting_id}", data={"csrf_token": token})
        page = page.get_data(as_text=True)
        take_url = re.search(r'data-page-url="([^"]+)"', page).group(1)
        web.post(f"{take_url}/submit", data={"csrf_token": TOKEN.search(page).group(1)})
        with app.app_context():
            _backlog_ahead(int(take_url.rsplit("/", 1)[1]), scoring, certifying, history)
        cpu = []
        for _ in range(500):
            began = time.process_time()
            assert web.get(f"{take_url}/status").json["wait_seconds"] > 0
            cpu.append((time.process_time() - began) * 1000)
        with app.test_request_context():
            snapshots = []
            for _ in range(20):
                backlog().taken_at = None
                began = time.process_time()
                backlog().refresh(time.monotonic())
                snapshots.append((time.process_time() - began) * 1000)
    print(
        f"a status poll behind {scoring:,} closed papers ({certifying:,} passes awaiting "
        f"certificates, {history:,} papers finalized before): p50 {statistics.median(cpu):.2f} ms"
        f" of CPU, mean {statistics.fmean(cpu):.2f} ms (the first took the snapshot); a new "
        f"snapshot {statistics.median(snapshots):.1f} ms (at most one per process per "
        f"{waits.REFRESH:g} s)"
    )


def _backlog_ahead(attempt_id: int, scoring: int, certifying: int, history: int) -> None:
    from sqlalchemy import insert

    from app.extensions import db
    from app.models import Attempt
    from app.models.attempt import FINALIZED, SUBMITTED

    template = db.session.get(Attempt, attempt_id)
    row = {
        name: getattr(template, name)
        for name in ("sitting_id", "user_id", "seed", "started_at", "deadline", "stored_policy")
    }
    before = template.finalized_at - timedelta(seconds=10)
    done = {"status": FINALIZED, "passed": True, "finalized_at": before - timedelta(days=30)}
    kinds = (
        [{"status": SUBMITTED, "finalized_at": before}] * scoring
        + [{"status": FINALIZED, "passed": True, "finalized_at": before}] * certifying
        + [done | {"certificates_checked_at": before}] * history
    )
    rows = [row | kind | {"number": 2 + n} for n, kind in enumerate(kinds)]
    db.session.execute(insert(Attempt), rows)
    db.session.commit()


def main() -> None:
    poll_cost(*BACKLOG)
    print(
        f"{PAPERS} papers closing at the zero, {PASSED:.0%} passing; workers: "
        f"{SCORES_PER_S:g} scores/s, then {CERTIFICATES_PER_S:g} certificates/s; "
        f"{WEB_PROCESSES} web processes, each with its own snapshot"
    )
    print(f"{'server wait':30} {'polls':>8} {'/cand.':>7} {'30 s after grace':>17} "
          f"{'busiest s':>9} {f'busiest {STEP} s':>12} {'pages':>9} "
          f"{'score late p50/p99':>20} {'cert. late p50/p99':>20} {'last seen':>10}")  # fmt: skip
    rows = [
        (f"{mode}, first over {max(GRACE, spread):g} s", run(mode, spread=spread))
        for mode in MODES
        for spread in FIRST_SPREADS
    ]
    rows.append(("first poll × 0.85–1.35", run(MODES[-1], first_after_grace=False)))
    for mode, r in rows:
        print(
            f"{mode:30} {r['polls']:>8,} {r['per candidate']:>7.1f} {r['after the grace']:>17,} "
            f"{r['busiest second']:>9,} {r['busiest step']:>12,} {r['busiest step, pages']:>9,} "
            f"{r['score seen late p50']:>9.1f} / {r['score seen late p99']:>6.1f} s "
            f"{r['certificate seen late p50']:>9.1f} / {r['certificate seen late p99']:>6.1f} s "
            f"{r['last seen']:>8.0f} s"
        )


if __name__ == "__main__":
    main()
