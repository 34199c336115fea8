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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from huey.storage import PostgresStorage


class PerThreadPostgresStorage(PostgresStorage):
    """``PostgresStorage`` without its process-wide lock: a connection per thread."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._own = threading.local()  # before the base class creates the tables
        super().__init__(*args, **kwargs)

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

    @contextmanager
    def db(self, commit: bool = False, close: bool = False) -> Iterator[Any]:
        """As huey's, on this thread's connection and without the lock."""
        conn = self.conn
        cursor = conn.cursor()
        try:
            if commit:
                cursor.execute(self.begin_sql)
            yield cursor
        except Exception:
            if commit:
                conn.rollback()
            raise
        else:
            if commit:
                conn.commit()
        finally:
            cursor.close()
            if close:
                self._close_own()

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
        self._close_own()
        return super().close()

    def _close_own(self) -> None:
        conn = getattr(self._own, "conn", None)
        if conn is not None:
            self._close_quiet(conn)
            self._own.conn = None
