"""The database server's work for the job processes, at the job processes' CPU priority.

``JOB_NICE`` lowers the job processes' priority, so that on a host shared with the web a
request is served first. On PostgreSQL a good part of a job's work is done by the
server's process for its connection (its backend), which ran at the web's priority: at a
close the backends scoring and certifying papers took the cores as readily as those
serving saves and submits (in a 10,000-candidate session's last minute the database
spent 25 CPU-s of the cores' 120, most of it on the early submitters' scoring, while
saves waited for a core). So each connection a job process opens to a PostgreSQL server
on this host has its backend set to the job process's priority too, and is named
``APPLICATION_NAME`` in ``pg_stat_activity``. Renicing another process needs root or the
server's own account; without either the backend keeps its priority (logged once).
A server on another host has cores of its own: nothing to do there.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, event

if TYPE_CHECKING:  # imported where used: a deployment on SQLite never loads the driver
    import psycopg

APPLICATION_NAME = "dangwu-jobs"

logger = logging.getLogger(__name__)


@dataclass
class _Following:
    niceness: int | None = None  # set in a job process whose backends follow it
    told: bool = False


_this_process = _Following()


def follow_from_now_on(engine: Engine) -> None:
    """From now on, this process's new connections (the engine's and the job queue's,
    ``connect``) have their backends at this process's current priority."""
    _this_process.niceness = os.getpriority(os.PRIO_PROCESS, 0)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _engine_connected)


def connect(dsn: str) -> psycopg.Connection:
    """A connection for the job queue (huey's ``PostgresStorage``: self-committing), its
    backend at the job process's priority when in one."""
    import psycopg

    conn = psycopg.connect(dsn, autocommit=True)
    if _this_process.niceness is not None:
        _follow(conn)
    return conn


def _engine_connected(dbapi_connection: psycopg.Connection, _record: object) -> None:
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # the SET below opens no transaction
    _follow(dbapi_connection)
    dbapi_connection.autocommit = autocommit


def _follow(conn: psycopg.Connection) -> None:
    conn.execute(f"SET application_name TO '{APPLICATION_NAME}'")
    backend = _local_backend(conn)
    if backend is None:
        return
    try:
        os.setpriority(os.PRIO_PROCESS, backend, _this_process.niceness)
    except (PermissionError, ProcessLookupError) as error:
        _tell_once(f"the database server's process {backend} keeps its priority: {error}")


def _local_backend(conn: psycopg.Connection) -> int | None:
    """The connection's backend process id if the server runs on this host (a Unix
    socket or a loopback address, and a process of that id named postgres)."""
    info = conn.info
    if not info.host.startswith("/"):
        try:
            if not ipaddress.ip_address(info.hostaddr).is_loopback:
                return None
        except ValueError:
            return None
    try:
        named = Path(f"/proc/{info.backend_pid}/comm").read_text().strip()
    except OSError:
        return None
    return info.backend_pid if named == "postgres" else None


def _tell_once(message: str) -> None:
    if not _this_process.told:
        _this_process.told = True
        logger.warning(message)
