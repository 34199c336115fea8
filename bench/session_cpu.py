"""Where a load run's CPU went: the web processes, the job processes, the load client
itself and the PostgreSQL server's processes (when the run uses one), in each window of
the journey (logins, the start rush, answering, the close).

The client runs on the same two cores as the server, so a figure of the server's
latency means little without knowing how much of the machine the client took. Sampled
from /proc (Linux) every two seconds in a thread, so a saturated event loop does not
stop the sampling; a process that ends between two samples loses at most its last two
seconds.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from pathlib import Path

from session_stats import SLOW, STEP, Stats

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
INTERVAL = 2.0
GROUPS = ("web", "jobs", "client", "database", "other")


def _group(pid: int) -> str | None:
    """A server's process: web, jobs or other; None once it is gone."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return None
    if b"web_server" in command:
        return "web"
    if b"jobs worker" in command:
        return "jobs"
    return "other"


def _stat(pid: int) -> tuple[int, int] | None:
    """The process's parent and the clock ticks of CPU it has used (user and system),
    None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), int(fields[11]) + int(fields[12])


def _is_postgres(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "postgres"
    except OSError:
        return False


def postgres_cpu_seconds() -> float:
    """CPU seconds so far of this machine's PostgreSQL server processes (all of them:
    every backend and the server's own work)."""
    pids = [int(e) for e in os.listdir("/proc") if e.isdigit()]
    stats = [_stat(pid) for pid in pids if _is_postgres(pid)]
    return sum(stat[1] for stat in stats if stat is not None) / TICK


class CpuSampler:
    """Samples the CPU of the server's process and its descendants, and of this process
    and its other descendants: the load client, however many processes it runs in
    (session_clients.py). (honcho starts each process of the Procfile in a session of its
    own, so the tree is followed, not a session.)"""

    def __init__(self, server: int, postgres: bool = False) -> None:
        self.server = server
        self.postgres = postgres  # the run's database: PostgreSQL's processes are sampled
        self.client = os.getpid()
        self.samples: list[tuple[float, str, float]] = []  # when, group, CPU seconds since last
        self._last: dict[int, int] = {}
        self._groups: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> CpuSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(INTERVAL):
            self._sample()

    def _sample(self) -> None:
        now = time.time()
        stats = {int(e): _stat(int(e)) for e in os.listdir("/proc") if e.isdigit()}
        for pid, stat in stats.items():
            if stat is None:
                continue
            group = self._groups.get(pid)
            # "other" is asked again: a process just forked reads as its parent until its
            # exec (a web process seen in that instant was counted as other for good).
            if group in (None, "other"):
                side = self._side(pid, stats)
                if side == "client":
                    group = "client"
                else:
                    group = _group(pid) if side == "server" else self._database(pid)
            if group is None:
                continue
            ticks = stat[1]
            self._groups[pid] = group
            before = self._last.get(pid)
            self._last[pid] = ticks
            if before is not None and ticks > before:
                self.samples.append((now, group, (ticks - before) / TICK))

    def _database(self, pid: int) -> str | None:
        """ "database" for a PostgreSQL server process when the run uses PostgreSQL (the
        suite's PostgreSQL run beside a small SQLite session is not that session's)."""
        return "database" if self.postgres and _is_postgres(pid) else None

    def _side(self, pid: int, stats: dict[int, tuple[int, int] | None]) -> str | None:
        """ "server" for the server's process or one descended from it, "client" for this
        process or another descended from it (the server is one of its children), None
        for a process outside the run."""
        seen = 0
        while pid > 1 and seen < 64:
            if pid == self.server:
                return "server"
            if pid == self.client:
                return "client"
            stat = stats.get(pid)
            if stat is None:
                return None
            pid, seen = stat[0], seen + 1
        return None

    def used(self, begin: float, end: float) -> dict[str, float]:
        """CPU seconds per group sampled from ``begin`` to ``end``."""
        used: dict[str, float] = defaultdict(float)
        for when, group, seconds in self.samples:
            if begin < when <= end:
                used[group] += seconds
        return used

    def report(self, windows: list[tuple[str, float, float]]) -> None:
        """CPU seconds per group in each (name, from, to) window, and what share of the
        machine's cores they took in that time."""
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        print(f"CPU seconds by process group ({cores} cores; sampled every {INTERVAL:.0f} s):")
        print(f"| window | seconds | {' | '.join(GROUPS)} | share of the cores used |")
        print(f"|---|---|{'---|' * len(GROUPS)}---|")
        for name, begin, end in windows:
            used = self.used(begin, end)
            length = max(end - begin, 1e-9)
            share = sum(used.values()) / (length * cores)
            cells = " | ".join(f"{used[g]:.1f}" for g in GROUPS)
            print(f"| {name} | {length:.0f} | {cells} | {share:.0%} |")


def cpu_windows(start: float, open_at: float, close_at: float, end: float):
    """The journey's windows for the CPU report: logins, the first minute after the open,
    answering, its last minute (the early submits: 30 % of a session in under a minute),
    five minutes after the close, and after that."""
    rush_end = min(open_at + 60, close_at)
    last_minute = max(rush_end, close_at - 60)
    close_end = min(close_at + 300, end)
    return [
        ("logins (before the open)", start, open_at),
        ("start rush (first minute)", open_at, rush_end),
        ("answering", rush_end, last_minute),
        ("answering, last minute", last_minute, close_at),
        ("the close (5 minutes)", close_at, close_end),
        ("after", close_end, max(end, close_end)),
    ]


def report_crowds(stats: Stats, cpu: CpuSampler, open_at: float, close_at: float) -> None:
    """The open's first minute and the close's first 150 s, STEP seconds at a time: the
    requests sent and answered (by phase; failed ones are counted apart), how many of them
    took SLOW or more, and the CPU each group used then, so a crowd's slow requests can be
    set beside what the cores were doing."""
    print(f"the crowds, {STEP:.0f} s at a time: requests sent and answered "
          f"(of them {SLOW:.0f} s or more), CPU seconds by group:")  # fmt: skip
    for name, zero, seconds in (("open", open_at, 60), ("close", close_at, 150)):
        first = zero - zero % STEP  # steps of the clock, as the requests were counted
        for at in range(0, seconds, int(STEP)):
            begin, end = first + at, first + at + STEP
            sent = sorted(stats.sent_between(begin, end).items(), key=lambda kv: -kv[1])
            used = cpu.used(begin, end)
            print(f"  {name} {begin - zero:+4.0f} s: {sum(n for _, n in sent):>5} sent ("
                  + ", ".join(f"{phase} {n}" for phase, n in sent[:3])
                  + f"), {stats.slow_between(begin, end)} slow; "
                  + ", ".join(f"{g} {used[g]:.1f}" for g in GROUPS[:-1] if g in used))  # fmt: skip
