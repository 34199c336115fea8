"""huey's PostgreSQL storage with a connection for each thread.

huey's SQL storages keep one connection per process behind a lock. A web process serves
eight requests at once on PostgreSQL (``config.web_threads``), and each 交卷 queues its
paper's scoring through the queue's storage (a waiting marker, then the job): in the
last minute before a 10,000-candidate close, when 3,000 early submitters hand in, half
of a web process's threads were found waiting for that lock (py-spy, bench/RESULTS.md,
session 28) while one thread's round trips to a busy server held it. Each thread here
has its own connection (as huey's LISTEN connections already are), so one request's
round trip holds up no other's; and a job is queued in one statement instead of four
(BEGIN, the insert, the notification, COMMIT): the notification goes out when that
statement commits, as it did at the COMMIT.
"""

from __future__ import annotations

import threading
from contextlib import nullcontext
from typing import Any

from huey.storage import PostgresStorage


class PerThreadPostgresStorage(PostgresStorage):
    """``PostgresStorage`` without its process-wide lock: a connection per thread."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._own = threading.local()  # before the base class creates the tables
        super().__init__(*args, **kwargs)
        # huey's ``db`` takes this around each use of ``conn``: each thread's is its own.
        self.lock = nullcontext()

    @property
    def conn(self) -> Any:
        """This thread's connection (a new one if it has none, or it was closed)."""
        conn = getattr(self._own, "conn", None)
        if conn is not None and (conn.closed or conn.broken):
            self._close_quiet(conn)
            conn = None
        if conn is None:
            conn = self._own.conn = self._connect()
        return conn

    def enqueue(self, data: bytes, priority: float | None = None) -> None:
        """The job and the workers' wake-up in one statement (the connection is in
        autocommit: the statement is its own transaction)."""
        with self.db() as cursor:
            cursor.execute(
                f"with queued as (insert into {self.table_task} (queue, data, priority) "
                "values (%s, %s, %s) returning id) "
                "select pg_notify(%s, '') from queued",
                (self.name, data, priority or 0, self.channel),
            )

    def close(self) -> bool:
        """This thread's connections (a process closes them before it forks workers)."""
        conn = getattr(self._own, "conn", None)
        if conn is not None:
            self._close_quiet(conn)
            self._own.conn = None
        return super().close()
