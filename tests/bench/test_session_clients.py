"""The session load test's client in several processes (bench/session_clients.py): the
figures of K processes merged are those one process would have counted, a process that
dies fails the run visibly instead of hanging it, and the CPU report counts every
client process as the client's, and the client processes are ahead of the server for the
cores."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import pytest
import session_cpu
from session_clients import CLIENT_NICE, run_clients
from session_stats import Stats


async def visit(
    number: int, plan: dict, stats: Stats, acknowledged: dict, keys: dict, base: str
) -> None:
    """A journey as bench_session's candidate() records one: times, failures, an answer."""
    stats.times["login"].append(number / 1000)
    if number % 3 == 0:
        stats.failed("save", "HTTP 503")
        stats.resent["save"] += 1
    stats.waits["zero to result"].append(float(number))
    if plan.get("gives_up"):
        stats.gave_up += 1
        return
    acknowledged[number] = {"path": f"{base}/attempts/{number}", "answers": {1: keys["a"]}}
    if plan.get("dies"):
        os._exit(3)  # the whole client process, as a segfault or the OOM killer would


def test_merged_stats_are_what_one_process_counts():
    alone, parts = Stats(), [Stats(), Stats()]
    for number in range(7):
        for stats in (alone, parts[number % 2]):
            stats.times["save"].append(number)
            stats.failed("save", "HTTP 503" if number % 2 else "TimeoutError")
            stats.resent["status"] += 1
            stats.waits["submit to result"].append(number * 2)
            stats.gave_up += 1
            stats.loop_lags.append((number, number / 100))
            stats.sent["status"][number // 3] += 1
    parts[1].crashed, parts[1].unfinished = 2, 3
    merged = Stats()
    for part in parts:
        merged.add(part)
    assert sorted(merged.times["save"]) == alone.times["save"]
    assert merged.failures == alone.failures == {"save": 7}
    assert merged.failure_kinds == {"save": {"HTTP 503": 3, "TimeoutError": 4}}
    assert merged.resent == {"status": 7}
    assert sorted(merged.waits["submit to result"]) == alone.waits["submit to result"]
    assert (merged.gave_up, merged.crashed, merged.unfinished) == (7, 2, 3)
    assert sorted(merged.loop_lags) == alone.loop_lags
    assert merged.sent == alone.sent == {"status": {0: 3, 1: 3, 2: 1}}


def test_journeys_in_two_processes_are_merged(capsys):
    plans = [{"gives_up": number == 4} for number in range(9)]
    stats, acknowledged = run_clients(
        visit, plans, {"a": "B"}, "http://x", 2, time.time() + 60, time.time()
    )
    assert sorted(acknowledged) == [0, 1, 2, 3, 5, 6, 7, 8]
    assert acknowledged[5] == {"path": "http://x/attempts/5", "answers": {1: "B"}}
    assert sorted(stats.times["login"]) == [number / 1000 for number in range(9)]
    assert stats.failures["save"] == stats.resent["save"] == 3
    assert (stats.gave_up, stats.crashed, stats.unfinished) == (1, 0, 0)


def test_a_client_process_that_dies_is_counted_and_said(capsys):
    plans = [{"dies": number == 1} for number in range(6)]  # the second process's
    began = time.monotonic()
    stats, acknowledged = run_clients(
        visit, plans, {"a": "B"}, "http://x", 2, time.time() + 60, time.time()
    )
    assert time.monotonic() - began < 30  # not at the limit
    assert sorted(acknowledged) == [0, 2, 4]
    assert stats.crashed == 3
    assert "client process 1 ended (exit code 3) without its figures" in capsys.readouterr().out


def test_every_client_process_counts_as_the_client(monkeypatch):
    monkeypatch.setattr(session_cpu, "INTERVAL", 0.2)
    busy = "import time\nend = time.process_time() + 1.5\nwhile time.process_time() < end: pass"
    began = time.time()
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with session_cpu.CpuSampler(server=server.pid) as cpu:
            subprocess.run([sys.executable, "-c", busy], check=True, timeout=120)
    finally:
        server.kill()
        server.wait()
    used = {
        group: sum(s for when, g, s in cpu.samples if g == group and when >= began)
        for group in ("client", "web", "other")
    }
    # A child's 1.5 s of CPU (its last 0.2 s may end between two samples), not the server's.
    assert used["client"] >= 1, used
    assert used["other"] < 0.5, used  # the server's process starting
    assert used["web"] == 0, used


async def note_scheduling(
    number: int, plan: dict, stats: Stats, acknowledged: dict, keys: dict, base: str
) -> None:
    """A journey that notes its process's scheduling group and whether it leads a session."""
    acknowledged[number] = (Path("/proc/self/autogroup").read_text(), os.getsid(0) == os.getpid())


@pytest.mark.skipif(not Path("/proc/self/autogroup").exists(), reason="no Linux autogroups here")
def test_client_processes_are_a_scheduling_group_ahead_of_the_server(capfd):
    """An equal of the server's busy group, the client fell behind at the open and the
    close (its loops woke up to 2.4 s late) and sent those crowds late: the client's
    processes lead a group of their own at ``CLIENT_NICE``, or say why not."""
    _, acknowledged = run_clients(
        note_scheduling, [{}, {}], {}, "http://x", 2, time.time() + 60, time.time()
    )
    groups = {group for group, _ in acknowledged.values()}
    assert len(groups) == 2, groups  # a group each, neither the test's
    assert Path("/proc/self/autogroup").read_text() not in groups
    assert all(leads for _, leads in acknowledged.values())
    if os.geteuid() == 0:
        assert all(group.strip().endswith(f"nice {CLIENT_NICE}") for group in groups), groups
    else:
        assert "its priority left as is" in capfd.readouterr().out
