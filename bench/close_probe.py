"""The app as deployed, with its SQLite write transactions timed: for bench_close_writes.py.

``create_app()`` is the app's own factory plus listeners on the engine. Each process
appends lines to ``$CLOSE_PROBE_DIR/<pid>.log``: ``time role kind seconds what``, where
``kind`` is
- ``wait``: the first write statement of a transaction, from its start to its end: the
  time spent getting SQLite's write lock (the busy handler's sleeps), plus the statement;
- ``hold``: from the end of that first write to the end of the commit (or rollback):
  how long the transaction kept the lock after it got it;
- ``auto``: a self-committing statement (a save), which waits and holds in one;
- ``enqueue``: a submit's queueing of its scoring job (the queue's own SQLite file).
``role`` is ``$CLOSE_PROBE_ROLE`` (web or jobs); ``what`` the first write's first words.
"""

from __future__ import annotations

import os
import threading
import time

from flask import Flask
from sqlalchemy import event

import app as the_app
from app.extensions import db

ROLE = os.environ.get("CLOSE_PROBE_ROLE", "web")
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_state = threading.local()
_files: dict[int, object] = {}


def _line(kind: str, seconds: float, what: str) -> None:
    pid = os.getpid()  # the job worker forks: each process its own file
    if pid not in _files:
        _files[pid] = open(f"{os.environ['CLOSE_PROBE_DIR']}/{pid}.log", "a", buffering=1)  # noqa: SIM115
    _files[pid].write(f"{time.time():.4f} {ROLE} {kind} {seconds:.5f} {what}\n")


def _what(statement: str) -> str:
    """e.g. ``UPDATE_attempt_SET_status``: the statement and its first column."""
    words = statement.replace("(", " ").replace("=", " ").split()
    return "_".join(words[:4]).replace('"', "")[:48]


def create_app() -> Flask:
    app = the_app.create_app()
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, _cursor, statement, _params, _context, _many) -> None:
        _state.began = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, _cursor, statement, _params, _context, _many) -> None:
        if not statement.lstrip().upper().startswith(WRITES):
            return
        ended = time.perf_counter()
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            _line("auto", ended - _state.began, _what(statement))
        elif getattr(_state, "written", None) is None:
            _state.written, _state.what = ended, _what(statement)
            _line("wait", ended - _state.began, _state.what)

    def _ended(_conn) -> None:
        if getattr(_state, "written", None) is not None:
            _line("hold", time.perf_counter() - _state.written, _state.what)
            _state.written = None

    event.listen(engine, "commit", _ended)
    event.listen(engine, "rollback", _ended)
    _time_enqueue()
    return app


def _time_enqueue() -> None:
    from app.exam import answers

    enqueue = answers.score_later

    def timed(attempt_id: int) -> None:
        began = time.perf_counter()
        enqueue(attempt_id)
        _line("enqueue", time.perf_counter() - began, "score_later")

    answers.score_later = timed
