"""The durable job queue (huey): a request records what must happen and returns; workers
started by ``flask jobs worker`` do the slow part.

The queue is a table in an SQLite file beside the app's database by default (no server
to run), the app's own PostgreSQL when ``DATABASE_URL`` is PostgreSQL, or Redis
(``redis://…``, with the ``redis`` package). The database stays the record of what is
owed: huey drops a job a killed worker was running, so the periodic sweep re-enqueues
whatever the database still shows as owed (see ``app.jobs.tasks``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from flask import Flask, has_app_context
from huey import Huey
from huey.signals import SIGNAL_ERROR
from huey.storage import PriorityRedisStorage, SqliteStorage

from app.jobs.postgres_storage import PerThreadPostgresStorage

P = ParamSpec("P")
R = TypeVar("R")

# Taken before every other job, and run at the web's CPU priority (app/jobs/priority.py):
# what the web would otherwise do itself, request by request (drawing the first papers of
# an open, closing papers at their deadline, the sweep).
URGENT = 20
# Taken before other jobs: at a close thousands of pages wait for their scores, while a
# pass's certificates (a job of their own, ~30 ms each) can follow. Equal priorities
# run in queue order.
FIRST = 10
# Attempts per batch job: enough to spread a job's fixed costs, few enough that a retry
# of the batch redoes little and that two workers share a close evenly.
BATCH = 25

# Immediate (in memory) until an app configures it: nothing is opened at import.
huey = Huey("dangwu-exam", results=False, immediate=True)
_apps: list[Flask] = []


def configure(app: Flask) -> None:
    """Point the queue at the app's storage; tests run jobs in-process (JOBS_IMMEDIATE)."""
    _apps[:] = [app]
    if app.config["JOBS_IMMEDIATE"]:
        huey.immediate = True
        return
    huey.storage_class, huey.storage_kwargs = storage_for(app.config["JOB_QUEUE_URL"])
    huey.immediate = False
    huey.storage = huey.create_storage()


def storage_for(url: str) -> tuple[type, dict[str, Any]]:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # No fsync per job: a job lost with the OS is found again by the sweep, since
        # the app's database (synced) is the record of what is owed.
        return SqliteStorage, {"filename": str(path), "timeout": 30, "fsync": False}
    if url.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
        dsn = "postgresql://" + url.split("://", 1)[1]
        return PerThreadPostgresStorage, {"dsn": dsn}
    if url.startswith(("redis://", "rediss://")):
        # The priority queue (Redis 5 or later): scores are taken before certificates.
        return PriorityRedisStorage, {"url": url}
    raise ValueError(f"JOB_QUEUE_URL: unsupported scheme in {url!r}")


def in_app(func: Callable[P, R]) -> Callable[P, R]:
    """Run a job inside the configured app, with its own database session."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with _apps[0].app_context():
            result = func(*args, **kwargs)
        if huey.immediate and has_app_context():
            # Run inside a request (JOBS_IMMEDIATE): what the request's own session
            # holds may predate the job's writes.
            from app.extensions import db

            db.session.expire_all()
        return result

    return run


@huey.signal(SIGNAL_ERROR)
def _record_failure(_signal: str, task: Any, exc: BaseException | None = None) -> None:
    """Every failed run is kept for the admin home; the queue retries it meanwhile."""
    from app.extensions import db
    from app.models import JobFailure

    with _apps[0].app_context():
        db.session.add(
            JobFailure(
                task=task.name[:100],
                arguments=repr(task.args)[:200],
                error=repr(exc)[:2000],
                retries_left=task.retries,
            )
        )
        db.session.commit()
