"""The session cookie is signed again every few minutes, not on every response (issue 12:
signing it was an eighth of a status poll's CPU), while an idle session still ends in time and a changed
session is sent at once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.auth.cookie_session import REFRESH_FRACTION
from tests.auth import csrf_token, login
from tests.factories import make_user


@pytest.fixture
def candidate(app: Flask, ctx) -> FlaskClient:
    make_user("zhang")
    client = app.test_client()
    login(client, "zhang")
    assert _sets_cookie(client)  # the first form puts its CSRF token in the session
    return client


def _sets_cookie(client: FlaskClient) -> bool:
    response = client.get("/password")
    assert response.status_code == 200  # still logged in
    return _session_cookie(response)


def test_a_fresh_unchanged_session_is_not_signed_again(candidate):
    assert _sets_cookie(candidate) is False  # signed a moment ago
    assert _sets_cookie(candidate) is False


def test_a_session_older_than_a_sixtieth_of_its_lifetime_is_signed_again(app, candidate):
    saved = app.permanent_session_lifetime
    # Signed again once older than 2 s; itsdangerous stamps whole seconds, so a
    # signature just made reads as up to 1 s old.
    app.permanent_session_lifetime = timedelta(seconds=REFRESH_FRACTION * 2)
    try:
        assert _sets_cookie(candidate) is False
        time.sleep(2.1)
        assert _sets_cookie(candidate) is True
        assert _sets_cookie(candidate) is False  # the new signature is fresh again
    finally:
        app.permanent_session_lifetime = saved


def test_a_changed_session_is_sent_at_once(app, ctx):
    make_user("li")
    client = app.test_client()
    assert _session_cookie(login(client, "li"))  # a new session at login
    token = csrf_token(client, "/password")
    logout = client.post("/logout", data={"csrf_token": token})
    assert _session_cookie(logout)  # the session cleared: the cookie goes at once
    assert client.get("/password").status_code == 302  # logged out


def _session_cookie(response) -> bool:
    return any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))
