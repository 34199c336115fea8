"""The job processes' scheduling group follows the job they run: the jobs the web waits on
(drawing papers ahead, closing papers at the deadline, the sweep) at the web's priority,
scoring and certificates behind it (app/jobs/priority.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# In a process of its own: the fork hook it registers stays for that process's life.
# huey calls its "executing" signal before each job (``_emit``, its own way in).
FORKED_JOB_PROCESS = """
import json, os, re
from huey.signals import SIGNAL_EXECUTING
from app.jobs import priority
from app.jobs.certifying import certify_passes
from app.jobs.deadlines import close_due
from app.jobs.preparing import prepare_sitting
from app.jobs.queue import huey
from app.jobs.tasks import score_attempts, sweep

def group_nice():
    return int(re.search(r"nice (-?\\d+)", open("/proc/self/autogroup").read()).group(1))

priority.each_job_process_in_its_own_group(10)
read, write = os.pipe()
child = os.fork()
if child == 0:
    seen = [os.getsid(0) == os.getpid()]
    for task in (score_attempts.s([1]), prepare_sitting.s(1), certify_passes.s([1]),
                 close_due.s("close-due:1"), score_attempts.s([2]), sweep.s()):
        huey._emit(SIGNAL_EXECUTING, task)
        seen.append([type(task).__name__, group_nice()])
    os.write(write, json.dumps(seen).encode())
    os._exit(0)
os.waitpid(child, 0)
parent = open("/proc/self/autogroup").read()
print(json.dumps({"child": json.loads(os.read(read, 65536)), "parent": parent}))
"""


@pytest.mark.skipif(
    not Path("/proc/self/autogroup").exists(), reason="autogroup scheduling is Linux's"
)
def test_a_job_process_runs_what_the_web_waits_on_at_its_priority_and_the_rest_behind():
    # Empty in the boot session's group (a process no one started with setsid, as CI's):
    # that group's nice cannot be set, but the job processes' own groups can.
    ours = Path("/proc/self/autogroup").read_text()
    ran = subprocess.run(
        [sys.executable, "-c", FORKED_JOB_PROCESS],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    found = json.loads(ran.stdout.splitlines()[-1])
    leads_its_session, *groups = found["child"]
    assert leads_its_session
    assert groups == [
        ["score_attempts", 10],
        ["prepare_sitting", 0],
        ["certify_passes", 10],
        ["close_due", 0],
        ["score_attempts", 10],
        ["sweep", 0],
    ]
    assert found["parent"] == ours  # the worker's session's group (the test's) untouched
