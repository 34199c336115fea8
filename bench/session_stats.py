"""What the session load test counts and prints: per phase the requests, failures and
p50/p99/max (``start page``: the waiting room, loaded once before the open; ``start``: the
start's POST, answered with the test page, and any retry's GET and POST; ``scoring page``:
the result page while it says the paper is being scored; ``result``: the result page with
the score), the requests sent again on a new connection as a browser does, how long
candidates waited for their score, and the journeys that gave up, crashed or were stopped
at the limit."""

from __future__ import annotations

from collections import defaultdict
from functools import partial

PHASES = (
    "login", "start page", "enter", "paper key", "start", "save", "submit", "scoring page",
    "status", "result",
)  # fmt: skip
# When a request entered the app and its answer left it (request_cpu.py): Stats.split.
WALL_HEADER = "X-Bench-App-Wall"
SLOW = 1.0  # seconds: a request this long is kept with when it was sent (Stats.slow)
STEP = 10.0  # seconds: the crowds' timeline counts the requests sent in each (Stats.sent)
# From the timer's zero (or the submit) until the result page shows the score.
WAITS = ("zero to result", "submit to result")


class Stats:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.failures: dict[str, int] = defaultdict(int)
        # Why they failed ("HTTP 503", "ServerDisconnectedError" …): a kept-alive
        # connection closed by the server as it is reused is not a server that gave up.
        self.failure_kinds: dict[str, dict[str, int]] = defaultdict(partial(defaultdict, int))
        # Sent again on a new connection after a kept-alive one failed (session_client).
        self.resent: dict[str, int] = defaultdict(int)
        self.waits: dict[str, list[float]] = defaultdict(list)
        self.gave_up = 0  # candidates who never got in or never got a paper
        self.crashed = 0  # journeys the load test itself could not follow (a bug here)
        self.unfinished = 0  # journeys stopped at BENCH_SESSION_LIMIT
        # (when, seconds): how late the client's event loop woke a 0.1 s sleep (session_clients).
        self.loop_lags: list[tuple[float, float]] = []
        # (sent at, phase, seconds) of each request that took SLOW or longer: when they were.
        self.slow: list[tuple[float, str, float]] = []
        # Per phase, requests answered, by the STEP of the clock they were sent in (its
        # index: sent time // STEP); failed ones are in ``failures``.
        self.sent: dict[str, dict[int, int]] = defaultdict(partial(defaultdict, int))
        # (when, seconds) of each full collection of the client's garbage collector: a
        # pause of its event loop, which every request in flight then counts.
        self.gc_pauses: list[tuple[float, float]] = []
        # Per phase, (before, in, after) the app, in seconds, where the web says when a
        # request entered the app and its answer left it (request_cpu.py, BENCH_REQUEST_CPU):
        # before is the client's send, the connection and the server's queue; after is the
        # way back and the client's own loop.
        self.split: dict[str, list[tuple[float, float, float]]] = defaultdict(list)

    def report(self) -> None:
        print(f"{'phase':<10} {'requests':>8} {'failed':>7} {'p50':>8} {'p99':>8} {'max':>8}")
        print(f"candidates who gave up (no login or no paper after 6 tries): {self.gave_up}; "
              f"journeys the load test could not follow: {self.crashed}; "
              f"stopped at the limit: {self.unfinished}")  # fmt: skip
        for phase in PHASES:
            t = sorted(self.times[phase])
            if not t and not self.failures[phase]:
                continue
            print(
                f"{phase:<10} {len(t) + self.failures[phase]:>8} {self.failures[phase]:>7}"
                f" {quantile(t, 0.5):>7.3f}s {quantile(t, 0.99):>7.3f}s {quantile(t, 1):>7.3f}s"
            )
        for wait in WAITS:
            t = sorted(self.waits[wait])
            if t:
                print(f"{wait}: {len(t)} candidates, p50 {quantile(t, 0.5):.1f} s, "
                      f"p99 {quantile(t, 0.99):.1f} s, max {quantile(t, 1):.1f} s")  # fmt: skip
        if self.resent:
            print("sent again on a new connection (a kept-alive one the server had closed, as "
                  "a browser does; not failures): "
                  + ", ".join(f"{phase} {n}" for phase, n in self.resent.items()))  # fmt: skip
        for phase, kinds in self.failure_kinds.items():
            print(f"failed {phase}: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))

    def report_slow(self, close_at: float, bucket: float = 30.0) -> None:
        """Requests of SLOW or more by when they were sent (in buckets of ``bucket`` s from the
        close, before it negative), per phase, with the worst: when the web fell behind."""
        print(
            f"requests of {SLOW:.0f} s or more, by when they were sent ({bucket:.0f} s from the close):"
        )
        buckets: dict[int, list[tuple[str, float]]] = defaultdict(list)
        for sent, phase, seconds in self.slow:
            buckets[int((sent - close_at) // bucket)].append((phase, seconds))
        for at in sorted(buckets):
            found = buckets[at]
            phases: dict[str, int] = defaultdict(int)
            for phase, _ in found:
                phases[phase] += 1
            print(f"  {at * bucket:+6.0f} s: {len(found):>6}, worst {max(s for _, s in found):5.1f} s ("
                  + ", ".join(f"{p} {n}" for p, n in sorted(phases.items(), key=lambda kv: -kv[1]))
                  + ")")  # fmt: skip
        pauses = sorted(seconds for _, seconds in self.gc_pauses) or [0.0]
        print(f"the client's full garbage collections: {len(self.gc_pauses)}, "
              f"{sum(pauses):.2f} s in all, the longest {pauses[-1] * 1000:.0f} ms")  # fmt: skip

    def sent_between(self, begin: float, end: float) -> dict[str, int]:
        """Requests sent from ``begin`` to ``end`` (multiples of STEP apart), by phase."""
        steps = range(int(begin // STEP), int(end // STEP))
        found = {
            phase: sum(by_step.get(i, 0) for i in steps) for phase, by_step in self.sent.items()
        }
        return {phase: n for phase, n in found.items() if n}

    def slow_between(self, begin: float, end: float) -> int:
        return sum(begin <= sent < end for sent, _, _ in self.slow)

    def report_split(self) -> None:
        """Per phase, where its requests' time went: before, in and after the app (p50 and
        p99 of each part), and for those of SLOW or more the mean of each part."""
        if not self.split:
            return
        print(f"where the time went (before the app: the send, the connection, the server's "
              f"queue; after: the way back and the client's loop), p50 / p99; requests of "
              f"{SLOW:.0f} s or more, mean:")  # fmt: skip
        for phase in PHASES:
            parts = self.split.get(phase)
            if not parts:
                continue
            columns = [sorted(part) for part in zip(*parts, strict=True)]
            slow = [p for p in parts if sum(p) >= SLOW]
            line = ", ".join(
                f"{name} {quantile(c, 0.5) * 1000:.0f} / {quantile(c, 0.99) * 1000:.0f} ms"
                for name, c in zip(("before", "in", "after"), columns, strict=True)
            )
            if slow:
                means = [sum(part) / len(slow) for part in zip(*slow, strict=True)]
                line += (f"; {len(slow)} of {SLOW:.0f} s or more: before {means[0]:.2f} s, "
                         f"in {means[1]:.2f} s, after {means[2]:.2f} s")  # fmt: skip
            print(f"  {phase:<12} {line}")

    def failed(self, phase: str, kind: str) -> None:
        self.failures[phase] += 1
        self.failure_kinds[phase][kind] += 1

    def add(self, other: Stats) -> None:
        """Another client process's figures into these (session_clients.py): counts are
        added, times appended, field by field, so a field added later is merged too."""
        for name, value in vars(other).items():
            if isinstance(value, dict):
                _add(getattr(self, name), value)
            else:
                setattr(self, name, getattr(self, name) + value)

    def progress(self) -> dict[str, tuple[int, int]]:
        """Per phase, the requests answered and failed so far."""
        return {phase: (len(self.times[phase]), self.failures[phase]) for phase in PHASES}


def _add(into: dict, other: dict) -> None:
    for key, value in other.items():
        if isinstance(value, dict):
            _add(into[key], value)
        elif isinstance(value, list):
            into[key].extend(value)
        else:
            into[key] += value


def quantile(times: list[float], q: float) -> float:
    return times[min(len(times) - 1, int(len(times) * q))] if times else float("nan")
