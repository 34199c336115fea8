"""What saving an answer, and the other requests a whole session makes at once (the key
at the open, the result page and the certificates' last poll at the close), ask of the
database (issue 12: 10,000 candidates, also on PostgreSQL with two web processes).

Each round trip to PostgreSQL costs the web process and the server a wake-up, and a
request's read transaction ends in a ROLLBACK, at which psycopg forgets its prepared
statements: every statement of every request was parsed and planned again. A save is
the attempt's lookup (which checks the login too) and the conditional update, each on its own
(and, once a minute per process, the count of the crowd ending with the paper).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Attempt, AttemptItem
from app.models.attempt import SUBMITTED
from tests.app import test_submitting
from tests.app.test_attempts import begin, correct_response, items_of, save
from tests.app.test_certificate_box import issue, scored_passes
from tests.app.test_sealed_paper import attempt_of, enter, key_url, opening_in, start_passes
from tests.auth import login
from tests.factories import make_user

real_queue = test_submitting.real_queue  # a fixture: jobs wait for a worker, as deployed


@contextmanager
def round_trips() -> Iterator[list[str]]:
    """What the app asks of the database meanwhile: each connection taken from the pool,
    each ping, each statement (its first word), and each transaction begun, committed or
    rolled back on a connection not in autocommit (in autocommit the driver sends none)."""
    seen: list[str] = []
    dialect = db.engine.dialect
    ping = dialect.do_ping

    def counted_ping(dbapi_connection) -> bool:
        seen.append("ping")
        return ping(dbapi_connection)

    def in_transactions(conn) -> bool:
        return conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT"

    listeners = {
        "checkout": lambda *_args: seen.append("checkout"),
        "before_cursor_execute": lambda _c, _cur, sql, *_a: seen.append(sql.split()[0]),
        "begin": lambda conn: in_transactions(conn) and seen.append("BEGIN"),
        "commit": lambda conn: in_transactions(conn) and seen.append("COMMIT"),
        "rollback": lambda conn: in_transactions(conn) and seen.append("ROLLBACK"),
    }
    for name, listener in listeners.items():
        event.listen(db.engine.pool if name == "checkout" else db.engine, name, listener)
    dialect.do_ping = counted_ping
    try:
        yield seen
    finally:
        del dialect.do_ping  # the class's again
        for name, listener in listeners.items():
            event.remove(db.engine.pool if name == "checkout" else db.engine, name, listener)


def started(client) -> tuple[int, str, list[AttemptItem]]:
    make_user("candidate")
    attempt_id, token = begin(client)
    items = items_of(attempt_id)
    db.session.remove()  # each request of a server starts with a fresh session
    return attempt_id, token, items


def saved_before(client, attempt_id: int, token: str, items: list[AttemptItem]) -> None:
    """A save of this minute before: the process has counted the paper's crowd (the
    answer tells the page its spread at the timer's zero, app.exam.zero_crowd)."""
    reply = save(client, attempt_id, {"position": 2, "response": correct_response(items[2])}, token)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    db.session.remove()


def test_a_save_is_two_statements_on_one_connection_without_a_transaction(client, ctx):
    attempt_id, token, items = started(client)
    saved_before(client, attempt_id, token, items)
    with round_trips() as seen:
        reply = save(
            client, attempt_id, {"position": 3, "response": correct_response(items[3])}, token
        )
    assert reply.status_code == 200, reply.get_data(as_text=True)
    # The attempt's lookup (the login's check in it: no load of the user) and the
    # conditional update: no BEGIN, no ROLLBACK of the reads, no second connection for
    # the write, and no ping of a connection used a moment ago (test_pool_pings).
    assert seen == ["checkout", "SELECT", "UPDATE"]
    stored = db.session.scalar(
        select(AttemptItem.response).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == 3
        )
    )
    assert stored is not None  # committed as it ran


def test_the_first_save_of_a_minute_counts_the_papers_crowd_in_one_statement_more(client, ctx):
    attempt_id, token, items = started(client)
    with round_trips() as seen:
        reply = save(
            client, attempt_id, {"position": 3, "response": correct_response(items[3])}, token
        )
    assert reply.status_code == 200 and reply.get_json()["first_ask_spread"] == 1
    assert seen == ["checkout", "SELECT", "UPDATE", "SELECT"]


def test_on_sqlite_a_save_sends_its_two_statements_and_nothing_else(client, ctx):
    """What SQLite itself runs for a save, traced in the driver: SQLAlchemy's reset of the
    autocommit connection given back sent a ``PRAGMA read_uncommitted = 0`` too, a third
    statement for nothing (app.database.enable_sqlite_pragmas)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's own trace")
    attempt_id, token, items = started(client)
    saved_before(client, attempt_id, token, items)
    traced: list[str] = []
    connections = []

    def trace(dbapi_connection, *_args) -> None:
        dbapi_connection.set_trace_callback(traced.append)
        connections.append(dbapi_connection)

    event.listen(db.engine.pool, "checkout", trace)
    try:
        reply = save(
            client, attempt_id, {"position": 3, "response": correct_response(items[3])}, token
        )
    finally:
        event.remove(db.engine.pool, "checkout", trace)
        for connection in connections:
            connection.set_trace_callback(None)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert [statement.split()[0] for statement in traced] == ["SELECT", "UPDATE"], traced
    with db.engine.connect() as connection:  # given back ready for transactions again
        assert connection.connection.dbapi_connection.isolation_level == ""


def test_after_a_refused_save_the_app_context_s_session_runs_in_transactions_again(client, ctx):
    """The connection in autocommit is the request's only: given back when it ends, even
    when the save is refused."""
    attempt_id, token, _items = started(client)
    reply = save(client, attempt_id, {"position": 999, "response": "A"}, token)
    assert reply.status_code == 400
    with round_trips() as seen:
        db.session.scalar(select(AttemptItem.position).limit(1))
    assert seen == ["checkout", "BEGIN", "SELECT"]


def test_a_save_a_status_poll_and_a_submit_begin_no_orm_session(client, ctx, real_queue):
    """The bulk of a sitting's requests run their statements on the request's own
    connection (the submit's write in one transaction of its own): no ORM session is
    begun, whose transaction, ROLLBACK and close cost a save a fifth of its CPU
    (bench/RESULTS.md, session 18)."""
    attempt_id, token, items = started(client)
    begun: list[object] = []

    def on_begin(_session, _transaction, connection) -> None:
        begun.append(connection)

    event.listen(Session, "after_begin", on_begin)
    try:
        saved = save(
            client, attempt_id, {"position": 3, "response": correct_response(items[3])}, token
        )
        polled = client.get(f"/attempts/{attempt_id}/status")
        submitted = client.post(
            f"/attempts/{attempt_id}/submit",
            data={"csrf_token": token, f"q{items[4].position}": "A"},
            headers={"Accept": "application/json"},
        )
    finally:
        event.remove(Session, "after_begin", on_begin)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert polled.status_code == 200 and polled.get_json()["scored"] is False
    assert submitted.status_code == 200 and submitted.get_json()["submitted"] is True
    assert begun == []
    stored = db.session.execute(
        select(Attempt.status, AttemptItem.response)
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .where(Attempt.id == attempt_id, AttemptItem.position == 3)
    ).one()
    assert stored.status == SUBMITTED and stored.response is not None
    assert test_submitting.run_jobs() == 1  # the scoring, in a worker


def test_a_paper_key_is_one_statement_without_a_transaction(client, ctx):
    """At the open every candidate who entered early asks for their key within seconds:
    the attempt's times are one read on the request's own connection, with no BEGIN or
    ROLLBACK around it (two round trips more on PostgreSQL)."""
    sitting = opening_in(10)
    html = enter(client, sitting.id).get_data(as_text=True)
    start_passes(attempt_of())
    db.session.remove()
    with round_trips() as seen:
        given = client.get(key_url(html))
    assert given.status_code == 200 and given.get_json()["key"]
    assert seen == ["checkout", "SELECT"]


@pytest.mark.usefixtures("signing", "fresh_catalog")
def test_the_poll_that_carries_a_pass_s_certificates_begins_no_transaction(
    client, ctx, monkeypatch
):
    """The last poll of every pass at a close reads the certificate box's lines on the
    poll's own connection, as it reads the attempt."""
    [attempt_id] = scored_passes(monkeypatch, "zhou")
    issue(attempt_id)
    login(client, "zhou")
    db.session.remove()
    with round_trips() as seen:
        answer = client.get(f"/attempts/{attempt_id}/status").get_json()
    assert answer["certificates_ready"] is True and len(answer["certificates"]) == 1
    assert seen == ["checkout", "SELECT", "SELECT"]


@pytest.mark.usefixtures("signing", "fresh_catalog")
def test_the_result_page_reads_without_a_transaction(client, ctx, monkeypatch):
    """A whole session loads its result page at the close: its reads (the user's among
    them) run in autocommit on one connection, with no BEGIN or ROLLBACK around them."""
    [attempt_id] = scored_passes(monkeypatch, "zhou")
    issue(attempt_id)
    login(client, "zhou")
    db.session.remove()
    with round_trips() as seen:
        page = client.get(f"/attempts/{attempt_id}/result")
    assert page.status_code == 200 and "合格" in page.get_data(as_text=True)
    assert seen[0] == "checkout" and seen.count("checkout") == 1
    assert set(seen[1:]) == {"SELECT"}, seen


def test_a_test_page_reload_reads_without_a_transaction(client, ctx):
    """A phone that lost the page reloads it, often in the minutes a whole session is at
    its test: the user, the attempt and its paper are read in autocommit on one
    connection, with no BEGIN or ROLLBACK around them (two round trips more on
    PostgreSQL, and that ROLLBACK made psycopg forget its prepared statements)."""
    attempt_id, _token, _items = started(client)
    client.get(f"/attempts/{attempt_id}")  # the registered count, read once a minute
    db.session.remove()
    with round_trips() as seen:
        page = client.get(f"/attempts/{attempt_id}")
    assert page.status_code == 200 and 'id="attempt"' in page.get_data(as_text=True)
    assert seen == ["checkout", "SELECT", "SELECT", "SELECT"]
