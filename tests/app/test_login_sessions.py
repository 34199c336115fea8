"""A session ends everywhere its cookie was copied: at logout, password change and an
admin's reset; an idle session ends by itself; login starts a fresh session (issue 10,
item 9)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Role, Unit
from tests.auth import csrf_token, login
from tests.factories import make_user

SESSION_COOKIE = "session"


def _copy(source: FlaskClient, app: Flask) -> FlaskClient:
    """A second browser holding a copy of the first one's session cookie."""
    thief = app.test_client()
    cookie = source.get_cookie(SESSION_COOKIE, domain="exam.test")
    thief.set_cookie(SESSION_COOKIE, cookie.value, domain=cookie.domain)
    return thief


def _logged_in(client: FlaskClient) -> bool:
    """The password page answers any logged-in user, even one who must change it first."""
    return client.get("/password").status_code == 200


@pytest.fixture
def owner(app: Flask, ctx) -> FlaskClient:
    unit = Unit(name="市财政局")
    db.session.add(unit)
    db.session.commit()
    make_user("sys", role=Role.SYSTEM_ADMIN, unit=unit)
    make_user("zhang", unit=unit)
    client = app.test_client()
    login(client, "zhang")
    return client


def test_a_copied_cookie_stops_working_at_logout(app, owner):
    thief = _copy(owner, app)
    assert _logged_in(thief)
    owner.post("/logout", data={"csrf_token": csrf_token(owner, "/")})
    assert not _logged_in(thief)
    assert not _logged_in(owner)


def test_a_copied_cookie_stops_working_at_a_password_change(app, owner):
    thief = _copy(owner, app)
    owner.post(
        "/password",
        data={
            "current": "correct-horse-1",
            "new": "lantern-ridge-47",
            "confirm": "lantern-ridge-47",
            "csrf_token": csrf_token(owner, "/password"),
        },
    )
    assert not _logged_in(thief)
    assert _logged_in(owner), "the one who changed it stays logged in"


def test_a_copied_cookie_stops_working_at_an_admins_reset(app, owner):
    from app.models import User

    thief = _copy(owner, app)
    admin = app.test_client()
    login(admin, "sys")
    zhang = db.session.query(User).filter_by(username="zhang").one()
    token = csrf_token(admin, f"/admin/people/{zhang.id}")
    assert (
        admin.post(f"/admin/people/{zhang.id}/password", data={"csrf_token": token}).status_code
        == 200
    )
    assert not _logged_in(thief)
    assert not _logged_in(owner)


def test_an_idle_session_ends(app, owner):
    assert app.permanent_session_lifetime == timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    assert app.config["SESSION_IDLE_MINUTES"] == 240
    saved = app.permanent_session_lifetime
    app.permanent_session_lifetime = timedelta(seconds=1)
    try:
        assert _logged_in(owner)
        time.sleep(2.2)
        assert not _logged_in(owner)
    finally:
        app.permanent_session_lifetime = saved


def test_activity_keeps_a_session_alive(app, owner):
    saved = app.permanent_session_lifetime
    app.permanent_session_lifetime = timedelta(seconds=2)
    try:
        for _ in range(3):
            time.sleep(1.1)
            assert _logged_in(owner)
    finally:
        app.permanent_session_lifetime = saved


def test_login_renews_the_session_and_its_csrf_token(app, ctx):
    make_user("zhang")
    client = app.test_client()
    before_token = csrf_token(client, "/login")
    before_cookie = client.get_cookie(SESSION_COOKIE, domain="exam.test").value
    client.post(
        "/login",
        data={"username": "zhang", "password": "correct-horse-1", "csrf_token": before_token},
    )
    after_token = csrf_token(client, "/password")
    assert after_token != before_token
    # The anonymous cookie planted before login does not become a logged-in one.
    planted = app.test_client()
    planted.set_cookie(SESSION_COOKIE, before_cookie, domain="exam.test")
    assert not _logged_in(planted)
