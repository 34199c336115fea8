"""Engine settings that the URL alone cannot carry, and requests that run without a
transaction.

A request's reads normally share one transaction, ended by a ROLLBACK when the request
ends. On PostgreSQL that costs two round trips (BEGIN, ROLLBACK), and psycopg forgets
its prepared statements at every ROLLBACK, so each statement of such a request is parsed
and planned again by the server (bench/RESULTS.md, "Saves on PostgreSQL"). A view marked
``without_transaction`` runs each statement on its own (autocommit), on a connection of
its own and not the ORM session's: for a request of a few statements, each checked by
its own WHERE, such as saving an answer, the status poll and the submit (whose writes are
one short transaction, ``write_transaction``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import Flask, current_app, g, request
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DisconnectionError

from app.extensions import db

AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}
View = TypeVar("View", bound=Callable)
# A connection given back this recently is not pinged when taken again (HikariCP's
# aliveBypassWindowMs, also 500 ms): under load every connection is, and a ping is a
# round trip for every request.
PING_IDLE_SECONDS = 0.5


def enable_sqlite_pragmas(engine: Engine) -> None:
    """WAL lets readers and one writer work at once; SQLite leaves foreign keys off by default.

    And one PRAGMA no longer sent: a connection given back from autocommit (a save's, a
    poll's, a submit's) gets the driver's transactions back without the
    ``PRAGMA read_uncommitted = 0`` SQLAlchemy sends with them. Nothing here reads
    uncommitted (it is only ever 0), so it changed nothing, and it cost each such request
    a statement, and under a close's load the wait for the GIL after it
    (bench/RESULTS.md, session 29)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    def reset_isolation_level(dbapi_connection) -> None:
        dbapi_connection.isolation_level = ""  # pysqlite's default: BEGIN before a write

    engine.dialect.reset_isolation_level = reset_isolation_level


def ping_when_idle(engine: Engine, idle_seconds: float = PING_IDLE_SECONDS) -> None:
    """What ``pool_pre_ping`` does (a connection the server closed while it sat in the
    pool is replaced before a request uses it), for connections idle longer than
    ``idle_seconds`` only. One the server closes while in use fails its request, as with
    ``pool_pre_ping``, and SQLAlchemy then replaces every connection of the pool."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("idle_since")  # none: a new connection
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("closed while idle in the pool") from exc


def without_transaction(view: View) -> View:
    """Mark a view whose requests run every statement on its own (put it next to the
    route, above ``login_required``: the user's load is one of its statements)."""
    view.without_transaction = True
    return view


def reads_in_autocommit(view: View) -> View:
    """Mark a view whose ORM session reads in autocommit until it ends or is rolled back:
    no BEGIN and no ROLLBACK on PostgreSQL, where that ROLLBACK also made psycopg forget
    its prepared statements, so every statement of such a page was parsed and planned
    again. For pages a whole session loads at once (the result page at a close), whose
    reads need not agree on one moment: on PostgreSQL (READ COMMITTED) each statement had
    its own snapshot anyway; on SQLite each now has its own too. The view's writes must
    come after a rollback (``write_transaction`` does it), which ends the autocommit:
    they are one transaction, as everywhere."""
    view.reads_in_autocommit = True
    return view


def configure_requests_without_transaction(app: Flask) -> None:
    """A marked view's statements run on a connection in autocommit of its own
    (``request_connection``), given back when the request ends: the ORM session is never
    begun, so nothing is spent on its transaction, its ROLLBACK and its close (a fifth of
    a save's CPU, bench/RESULTS.md, session 18). A view marked ``reads_in_autocommit``
    gets its ORM session's connection in autocommit."""

    @app.before_request
    def _mark() -> None:
        view = current_app.view_functions.get(request.endpoint or "")
        g.without_transaction = getattr(view, "without_transaction", False)  # looked up once
        if getattr(view, "reads_in_autocommit", False):
            _orm_reads_in_autocommit()

    @app.teardown_request
    def _give_back(_error: BaseException | None) -> None:
        _give_back_request_connection()


def _give_back_request_connection() -> None:
    connection = g.pop("request_connection", None)
    if connection is not None:
        connection.close()


def _orm_reads_in_autocommit() -> None:
    if not db.session().in_transaction():
        db.session.connection(execution_options=AUTOCOMMIT)


def commit_then_read_in_autocommit() -> None:
    """Commit the ORM session's transaction without expiring what it loaded, and run its
    next reads in autocommit: for a view that writes, then shows what it wrote (a start
    answering its test page). Expired, the user and the sitting were read again on
    PostgreSQL in a new transaction, a BEGIN, a SELECT and a ROLLBACK more, that ROLLBACK
    making psycopg forget its prepared statements (``reads_in_autocommit``); nothing
    read before the commit was changed by the view since."""
    session = db.session()
    expiring, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring
    _orm_reads_in_autocommit()


def orm_reads_after_request_connection() -> None:
    """In a view marked ``without_transaction`` that reads through the ORM after its own
    statements (a status answer carrying the result): the request's connection given
    back first, one connection at a time as everywhere, and the ORM session's reads in
    autocommit, as a ``reads_in_autocommit`` view's."""
    _give_back_request_connection()
    _orm_reads_in_autocommit()


def request_connection() -> Connection:
    """In a view marked ``without_transaction``, the request's connection in autocommit
    (each statement commits or, a read, ends as it runs), taken at its first statement.
    A session already in a transaction (a test's, whose requests share its app context)
    lends its own connection instead, as elsewhere."""
    connection = g.get("request_connection")
    if connection is not None:
        return connection
    if not _without_session():
        return db.session.connection()
    g.request_connection = db.engine.connect().execution_options(**AUTOCOMMIT)
    return g.request_connection


def _without_session() -> bool:
    """A marked view whose session has not begun a transaction (a test's may have)."""
    begun = db.session.registry.has() and db.session().in_transaction()
    return g.get("without_transaction", False) and not begun


@contextmanager
def write_transaction() -> Iterator[Connection]:
    """One short transaction of writes, committed at the end (rolled back on an error).
    Its reads ended first, so on SQLite the write lock is taken by its first write, not
    upgraded from a read lock. In a view marked ``without_transaction`` the request's
    connection is given back and the transaction has one of its own (still one
    connection at a time); otherwise the session's."""
    if g.get("request_connection") is not None or _without_session():
        _give_back_request_connection()
        with db.engine.begin() as connection:
            yield connection
        return
    db.session.rollback()
    yield db.session.connection()
    db.session.commit()


@contextmanager
def autocommit_connection() -> Iterator[Connection]:
    """A connection on which a statement commits as it runs: the request's own in a view
    marked ``without_transaction``, otherwise one of its own once the session's
    transaction is ended (a write never waits behind the session's reads)."""
    connection = request_connection()
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        yield connection
        return
    db.session.rollback()
    with db.engine.connect().execution_options(**AUTOCOMMIT) as own:
        yield own
