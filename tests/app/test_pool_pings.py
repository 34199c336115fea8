"""Pinging pooled connections only when they sat idle (app.database.ping_when_idle): a
ping is a round trip, and ``pool_pre_ping`` made one for every request (issue 12)."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

import app.database
from app.database import ping_when_idle
from app.extensions import db
from tests.app.test_save_round_trips import round_trips


def test_a_connection_given_back_a_moment_ago_is_not_pinged(ctx):
    db.session.execute(sa.select(1))
    db.session.remove()
    with round_trips() as seen:
        db.session.execute(sa.select(1))
    assert seen == ["checkout", "BEGIN", "SELECT"]


def test_a_connection_idle_longer_than_the_window_is_pinged_first(ctx, monkeypatch):
    db.session.execute(sa.select(1))
    db.session.remove()
    later = SimpleNamespace(monotonic=lambda: time.monotonic() + app.database.PING_IDLE_SECONDS)
    monkeypatch.setattr(app.database, "time", later)
    with round_trips() as seen:
        db.session.execute(sa.select(1))
    assert seen.count("ping") == 1  # on taking it from the pool, before the statement
    assert seen[-2:] == ["BEGIN", "SELECT"]


def test_a_connection_the_server_closed_while_idle_is_replaced_before_use(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("an SQLite connection is a file: the server cannot close it")
    engine = sa.create_engine(database_url)
    ping_when_idle(engine, idle_seconds=0)
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            closed = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": closed})
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one() != closed
    finally:
        engine.dispose()
        admin.dispose()
