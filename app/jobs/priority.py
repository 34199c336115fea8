"""The job worker's CPU priority: below the web's, on a host they share.

At a close the jobs alone could use both cores for minutes while thousands of pages wait
on the web (bench/bench_job_priority.py); the total work is the same, so the certificates
come about as soon, and the pages' answers do not queue behind them.

Linux with autogroup scheduling (the default of most distributions) shares the cores
between sessions first, and a nice value counts only among the processes of one session.
honcho (``make run``, bench_session.py) starts each process of the Procfile in a session
of its own, as systemd starts each unit, so the worker's nice alone left the jobs an equal
of the web: at a 10,000-candidate close they took half a core while the pages waited up to
5 s before the web (bench/RESULTS.md, session 31). So where the worker's session is its own,
that session's group is lowered too.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

AUTOGROUP = Path("/proc/self/autogroup")


def yield_to_the_web(niceness: int) -> None:
    """This process and the ones it forks at ``niceness`` below their priority, and their
    session's scheduling group too when the session is the worker's own."""
    if niceness <= 0:
        return
    os.nice(niceness)
    if in_own_session():
        # A kernel without autogroups, or not Linux: the nice above stands.
        with contextlib.suppress(OSError):
            AUTOGROUP.write_text(str(min(19, niceness)))


def in_own_session() -> bool:
    """Whether this process's session holds the worker alone, as honcho and systemd start
    it: led by it or by the shell that started it (honcho runs each Procfile line as
    ``sh -c``), with no other process in it (a supervisor that starts the web and the
    worker in its own session must not lower both), and without a terminal (a terminal's
    session holds whatever is started there later). Asked before the worker forks."""
    me, parent = os.getpid(), os.getppid()
    session = os.getsid(0)
    if session not in (me, parent) or not _members(session) <= {me, parent}:
        return False
    try:
        os.close(os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY))
    except OSError:
        return True
    return False


def _members(session: int) -> set[int]:
    """The processes of ``session`` (from /proc; none where there is no /proc)."""
    found = set()
    with contextlib.suppress(OSError):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:  # the fields after the command's name: state, parent, group, session …
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # gone meanwhile
            if int(fields[3]) == session:
                found.add(int(entry.name))
    return found
