"""bench_close_writes.py's figures: the requests' latencies, and what ``close_probe``'s
logs say about SQLite's write lock in a window of time (who held it, how long the web's
writes waited, and whether a slow one waited on a held lock or on a free one)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from pathlib import Path


def latency_line(name: str, found: list[tuple[float, float, int]]) -> str:
    if not found:
        return f"  {name:<7} none"
    times = sorted(seconds for _, seconds, _ in found)
    bad = Counter(status for *_, status in found if status not in (200, 302, 409))
    failed = ", ".join(f"{n} answered {status or 'nothing'}" for status, n in sorted(bad.items()))
    return (f"  {name:<7} {len(times):5d} requests, {sum(bad.values())} failed  p50 {ms(statistics.median(times))}"
            f"  p99 {ms(percentile(times, 0.99))}  max {ms(times[-1])}" + (f" ({failed})" if failed else ""))  # fmt: skip


def report_probe(probe: Path, started: float, ended: float) -> None:
    """The web's waits for the write lock, and what held it, in this condition's window."""
    found: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for log in probe.glob("*.log"):
        for line in log.read_text().splitlines():
            at, role, kind, seconds, what = line.split(" ", 4)
            if started <= float(at) <= ended:
                found[(role, kind, what)].append(float(seconds))
    by_kind: dict[tuple[str, str], list[float]] = defaultdict(list)
    for (role, kind, _), values in found.items():
        by_kind[(role, kind)] += values
    for (role, kind), values in sorted(by_kind.items()):
        print(f"  {role:<4} {kind:<7} {summary(values)}")
    print(f"  {why_slow(probe, started, ended)}")
    longest = sorted(found.items(), key=lambda item: -max(item[1]))[:10]
    print("  longest by statement (role kind first-write):")
    for (role, kind, what), values in longest:
        print(f"    {role:<4} {kind:<7} {what:<40} {summary(values)}")


def why_slow(probe: Path, started: float, ended: float) -> str:
    """For the web's writes that waited over 100 ms: what share of their wait some other
    transaction really held the lock (the rest, the lock was free while they slept in
    SQLite's busy handler), and the longest such hold."""
    holds, slow = [], []
    for log in probe.glob("*.log"):
        for line in log.read_text().splitlines():
            at, role, kind, seconds, _ = line.split(" ", 4)
            at, seconds = float(at), float(seconds)
            if kind == "hold" or (kind == "auto" and seconds < 0.005):
                holds.append((at - seconds, at))
            if (
                role == "web"
                and kind in ("auto", "wait")
                and seconds > 0.1
                and started <= at <= ended
            ):
                slow.append((at - seconds, at))
    if not slow:
        return "no web write waited over 100 ms"
    shares, longest = [], []
    for begin, end in slow:
        held = [(max(b, begin), min(e, end)) for b, e in holds if b < end and e > begin]
        covered, reach = 0.0, begin
        for b, e in sorted(held):
            covered += max(0.0, e - max(b, reach))
            reach = max(reach, e)
        shares.append(covered / (end - begin))
        longest.append(max((e - b for b, e in held), default=0.0))
    return (
        f"{len(slow)} web writes waited > 100 ms; the lock was held by others "
        f"{statistics.median(shares):.0%} of such a wait (median), free the rest; "
        f"longest hold within one: median {ms(statistics.median(longest))}, max {ms(max(longest))}"
    )


def summary(values: list[float]) -> str:
    values = sorted(values)
    return (f"n {len(values):6d}  p50 {ms(statistics.median(values))}  p99 {ms(percentile(values, 0.99))}"
            f"  max {ms(values[-1])}  sum {sum(values):7.1f} s")  # fmt: skip


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"
