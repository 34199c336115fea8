"""Stopping a benchmark's web server (bench/session_app.py ``stop_server``): one that does
not end after SIGTERM, as a stopping granian sometimes waits 30 s (granian#875), is killed
with its worker processes instead of failing the benchmark after its figures."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from session_app import stop_server

# A server that ignores SIGTERM, as do the worker process it started (its pid printed).
STUCK = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
worker = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"])
print(worker.pid, flush=True)
time.sleep(60)
"""


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"  # ended, not yet reaped


@pytest.mark.parametrize("group", [False, True], ids=["own process", "process group"])
def test_a_server_that_ignores_sigterm_is_killed_with_its_workers(group: bool, capsys):
    server = subprocess.Popen(
        [sys.executable, "-c", STUCK], stdout=subprocess.PIPE, text=True, start_new_session=group
    )
    worker = int(server.stdout.readline())
    began = time.monotonic()
    stop_server(server, group=group, grace=0.5)
    assert server.returncode is not None and time.monotonic() - began < 10
    deadline = time.monotonic() + 5
    while not _gone(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(worker)
    assert "had not stopped 0.5 s after SIGTERM (granian#875): killed" in capsys.readouterr().out
    server.stdout.close()


def test_a_server_that_stops_is_only_asked(capsys):
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    stop_server(server, grace=5)
    assert server.returncode == -15 and capsys.readouterr().out == ""
