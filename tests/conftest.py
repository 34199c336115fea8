"""Fixtures: the app on a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from huey.storage import MemoryStorage

os.environ.setdefault("SECRET_KEY", "test-secret-key")

from app import create_app
from app.exam.catalog import clear_caches
from app.exam.recounted import Recounted
from app.extensions import db
from app.jobs import queue
from tests.auth import Auth

# Fixtures that modules in several folders use, registered once for every test.
pytest_plugins = ("tests.app.certificate_fixtures", "tests.app.people.fixtures")


def _postgres_database(base_url: str, name: str) -> str:
    """A fresh database per test worker on the throwaway server, so workers never collide."""
    engine = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base_url.rsplit("/", 1)[0] + "/" + name


# The slowest kinds, run first (in this order): xdist hands tests out in collection order,
# and the benchmarks' whole runs (up to 40 s each) and the deployed servers' tests, left
# to the end of the alphabet, kept one worker busy long after the other had finished.
FIRST_MARKERS = ("bench", "serve")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slow kinds first (``FIRST_MARKERS``). The PostgreSQL run (TEST_DATABASE_URL)
    is for what the engine can change: SQL, locking, concurrency. It leaves out a test
    that opens no database (no ``database_url`` in its fixtures, and not marked
    ``postgres`` for opening it itself): it would only repeat the SQLite run."""
    items.sort(key=_slow_first)
    if not os.environ.get("TEST_DATABASE_URL"):
        return
    kept, left = [], []
    for item in items:
        opens = "database_url" in getattr(item, "fixturenames", ())
        (kept if opens or item.get_closest_marker("postgres") else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def _slow_first(item: pytest.Item) -> int:
    marked = (i for i, name in enumerate(FIRST_MARKERS) if item.get_closest_marker(name))
    return next(marked, len(FIRST_MARKERS))


@pytest.fixture(scope="session")
def database_url(worker_id: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        return _postgres_database(base, f"app_test_{worker_id}")
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    from flask_migrate import upgrade

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SERVER_NAME": "exam.test",
            "JOBS_IMMEDIATE": True,
        }
    )
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts with empty tables (only for tests that use the app), no status
    snapshot of them (``app.exam.waits``) and the job queue pointed at the tests' app: the
    queue is the process's, and a test creating another app re-points it (jobs would run
    on that app's database)."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    queue.configure(app)
    yield
    clear_caches()
    Recounted.forget_all()  # the registered and the crowds at the zero, by sitting id
    app.extensions.pop("exam_backlog", None)  # the status's snapshot of emptied queues
    with app.app_context():
        db.session.remove()
        _empty_tables()


def _empty_tables(tries: int = 5) -> None:
    """A live server's late request (a closing page's beacon, a save held in flight) may
    still write while the tables are emptied, and a row slipped in between two DELETEs
    breaks a foreign key: the whole emptying is rolled back and tried again once the
    request has passed."""
    for attempt in range(tries):
        try:
            with db.engine.begin() as conn:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())
            return
        except sa.exc.DBAPIError:
            if attempt == tries - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def _fresh_request_globals(sender: Flask, **_extra) -> None:
    for name in list(g):
        g.pop(name)


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An app context for database access between requests.

    Requests made inside it share its ``g``, where Flask-Login caches the user and
    Flask-WTF the CSRF token; ``g`` is emptied at each request so that every client is
    known only by its own cookie, as with a real server.
    """
    with app.app_context():
        request_started.connect(_fresh_request_globals, app)
        yield
        request_started.disconnect(_fresh_request_globals, app)
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    """Log ``client`` in: ``auth.login("sys")``."""
    return Auth(client)


@pytest.fixture
def queued(monkeypatch) -> Iterator[MemoryStorage]:
    """A real queue that holds jobs until the test runs them, as a busy worker would."""
    storage = MemoryStorage("test-queue")
    monkeypatch.setattr(queue.huey, "storage", storage)
    monkeypatch.setattr(queue.huey, "_immediate", False)
    yield storage
