"""The server benchmark's measuring parts (bench/server_load.py): a server's CPU is that of
its whole process tree, workers included, and concurrent clients never save the same
answer at once (the older of two saves in flight would be refused as a stale tab's)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from server_load import Candidate, request_of, tree_cpu_seconds

# A parent that starts a worker burning ~0.4 s of CPU, then both wait: as a server's master
# and its worker do between requests.
BURNING_WORKER = """
import subprocess, sys, time
worker = subprocess.Popen([sys.executable, "-c",
    "import time\\nend = time.process_time() + 0.4\\nwhile time.process_time() < end: pass\\n"
    "print('burnt', flush=True)\\ntime.sleep(30)"], stdout=sys.stdout)
time.sleep(30)
"""


def test_a_servers_cpu_includes_its_workers():
    parent = subprocess.Popen(
        [sys.executable, "-c", BURNING_WORKER], stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        assert parent.stdout.readline().strip() == b"burnt"
        time.sleep(0.1)  # the worker's last tick accounted
        assert tree_cpu_seconds(parent.pid) >= 0.35
    finally:
        os.killpg(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        parent.stdout.close()


def test_concurrent_clients_save_different_answers_true_and_false_in_turn():
    candidates = [Candidate(f"session={n}", f"/attempts/{n}", "token", [3, 5]) for n in range(4)]
    saved = set()
    for client in range(8):
        responses = []
        for turn in range(2):
            method, path, options = request_of("save", candidates, client, turn)
            assert (method, options["headers"]["X-CSRFToken"]) == ("POST", "token")
            responses.append(options["json"]["response"])
        saved.add((path, options["json"]["position"]))
        assert responses == [True, False]
    assert len(saved) == 8
