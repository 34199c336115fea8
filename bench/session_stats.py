"""What the session load test counts and prints: per phase the requests, failures and
p50/p99/max (``start page``: the waiting room, loaded once before the open; ``start``: the
start's POST and any retry's GET and POST), and the journeys that gave up, crashed or
were stopped at the limit."""

from __future__ import annotations

from collections import defaultdict

PHASES = ("login", "start page", "start", "test page", "save", "submit", "status", "result")


class Stats:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.failures: dict[str, int] = defaultdict(int)
        # Why they failed ("HTTP 503", "ServerDisconnectedError" …): a kept-alive
        # connection closed by the server as it is reused is not a server that gave up.
        self.failure_kinds: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.gave_up = 0  # candidates who never got in or never got a paper
        self.crashed = 0  # journeys the load test itself could not follow (a bug here)
        self.unfinished = 0  # journeys stopped at BENCH_SESSION_LIMIT

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
        for phase, kinds in self.failure_kinds.items():
            print(f"failed {phase}: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))

    def failed(self, phase: str, kind: str) -> None:
        self.failures[phase] += 1
        self.failure_kinds[phase][kind] += 1


def quantile(times: list[float], q: float) -> float:
    return times[min(len(times) - 1, int(len(times) * q))] if times else float("nan")
