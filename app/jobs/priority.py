"""The job processes' CPU priority against the web's, job by job.

At a close the scoring and the certificates could take every core for minutes while
thousands of pages wait on the web; behind the web they take what it leaves, and the total
work is the same. But some jobs are what the web itself waits on (``URGENT`` in
``app.jobs.queue``: the papers drawn ahead of an open, the closes at the deadline, the
sweep): behind a busy web they come late, and then the web does their work itself, one
request at a time (bench/RESULTS.md, session 31: with the whole worker behind the web, a
10,000-candidate open on PostgreSQL failed requests, likely so). With only scoring and
certificates behind it, the close's result page p99 went from 3.1 to 0.5 s on PostgreSQL
and the open held (session 32, runs T and C).

Linux with autogroup scheduling (most distributions' default) shares the cores between
sessions first; a nice value counts only among one session's processes. honcho starts
each Procfile process in a session of its own, so the worker's nice alone never put it
behind the web. So each forked job process leads a session of its own, and before each
job sets its session's group to the web's priority or below it (``JOB_NICE``). Without
autogroups (another kernel, or a control group per service under systemd, where a lower
``CPUWeight=`` on the worker's unit does it instead) the writes change nothing.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from huey.api import Task
from huey.signals import SIGNAL_EXECUTING

from app.jobs.queue import URGENT, huey

AUTOGROUP = Path("/proc/self/autogroup")
# Unprivileged, Linux takes one change of any group's nice per 100 ms (EAGAIN otherwise).
TRIES = 5
RETRY_AFTER = 0.1

logger = logging.getLogger(__name__)
_behind: int | None = None  # the nice of a job behind the web; None: not a job process
_group_nice = 0  # a new session's group starts at 0


def yield_to_the_web(niceness: int) -> None:
    """The worker and every process it forks at ``niceness`` below their priority: where
    they share a scheduling group with the web (no autogroups, or one session), requests
    are served first."""
    if niceness > 0:
        os.nice(niceness)


def each_job_process_in_its_own_group(niceness: int) -> None:
    """Called in the worker before it forks: each process it forks leads a session (and so
    a scheduling group) of its own, whose priority follows the job it runs."""

    def in_child() -> None:
        global _behind, _group_nice
        os.setsid()
        _behind, _group_nice = niceness, 0

    os.register_at_fork(after_in_child=in_child)


@huey.signal(SIGNAL_EXECUTING)
def _before_each_job(_signal: str, task: Task) -> None:
    if _behind is not None:
        set_group_nice(0 if (task.priority or 0) >= URGENT else _behind)


def set_group_nice(nice: int) -> None:
    """This process's scheduling group (its session's) at ``nice``; a group's nice can
    be raised back to 0 without privileges."""
    global _group_nice
    if nice == _group_nice:
        return
    for _ in range(TRIES):
        try:
            AUTOGROUP.write_text(str(nice))
        except BlockingIOError:
            time.sleep(RETRY_AFTER)
            continue
        except OSError:  # no autogroups here: nothing to order
            pass
        _group_nice = nice
        return
    logger.warning("the job process's group stays at nice %s (wanted %s)", _group_nice, nice)
