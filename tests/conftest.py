"""Fixtures: the app on a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import lru_cache

import pytest
import sqlalchemy as sa
from flask import Flask, g, request_started
from flask.testing import FlaskClient

os.environ.setdefault("SECRET_KEY", "test-secret-key")

from app import create_app
from app.auth.passwords import hash_password
from app.exam.catalog import clear_caches
from app.extensions import db
from app.models import Role, Unit, User


def _postgres_database(base_url: str, name: str) -> str:
    """A fresh database per test worker on the throwaway server, so workers never collide."""
    engine = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base_url.rsplit("/", 1)[0] + "/" + name


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
    """Each test starts with empty tables (only for tests that use the app)."""
    yield
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    clear_caches()
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


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


@lru_cache
def _password_hash(password: str) -> str:
    """Hashed once per password: argon2id is slow on purpose, and tests make many users."""
    return hash_password(password)


def make_user(
    username: str = "candidate",
    password: str = "correct-horse-1",
    role: Role = Role.CANDIDATE,
    unit: Unit | None = None,
    **fields,
) -> User:
    user = User(
        username=username, name=fields.pop("name", username), role=role, unit=unit,
        password_hash=_password_hash(password), **fields,
    )  # fmt: skip
    db.session.add(user)
    db.session.commit()
    return user


CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client: FlaskClient, path: str) -> str:
    """The token a real browser would send, read from the page's form."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login(client: FlaskClient, username: str, password: str = "correct-horse-1"):
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
