"""A session cookie verified once is remembered for the next requests that send it (the
same cookie comes with every save and poll of a sitting), and being remembered changes
nothing a hostile holder of the cookie could use: it still expires, and what one request
does to its session does not reach the next."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from app.auth.cookie_session import VerifiedCookies
from tests.auth import login
from tests.factories import make_user

SESSION_COOKIE = "session"


@pytest.fixture
def cookie(app: Flask, ctx) -> str:
    """A logged-in candidate's session cookie."""
    make_user("zhang")
    client = app.test_client()
    login(client, "zhang")
    client.get("/password")  # the CSRF token made: the session as a sitting's pages hold it
    return client.get_cookie(SESSION_COOKIE, domain="exam.test").value


def _logged_in_with(app: Flask, cookie: str) -> bool:
    """A browser sending exactly this cookie (never the one a response sets instead)."""
    client = app.test_client()
    client.set_cookie(SESSION_COOKIE, cookie, domain="exam.test")
    return client.get("/password").status_code == 200


def test_a_remembered_cookie_still_ends_with_its_lifetime(app, cookie):
    saved = app.permanent_session_lifetime
    app.permanent_session_lifetime = timedelta(seconds=2)
    try:
        assert _logged_in_with(app, cookie)  # verified, and remembered from now on
        assert app.session_interface.verified.get(cookie) is not None
        assert _logged_in_with(app, cookie)  # served from memory
        time.sleep(3.1)  # signed in a whole second: older than 2 s by now
        assert not _logged_in_with(app, cookie)
    finally:
        app.permanent_session_lifetime = saved


def test_what_a_request_puts_in_its_session_does_not_reach_the_next(app, cookie):
    interface = app.session_interface
    headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"}
    with app.test_request_context("/password", headers=headers) as request_context:
        first = interface.open_session(app, request_context.request)
        first["_user_id"] = "999"
        first["note"] = "changed"
        second = interface.open_session(app, request_context.request)
    assert second["_user_id"] != "999" and "note" not in second


def test_a_forged_cookie_is_not_remembered(app, cookie):
    forged = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    assert not _logged_in_with(app, forged)
    assert app.session_interface.verified.get(forged) is None


def test_sessions_holding_lists_are_verified_each_time_and_the_oldest_go_first():
    verified, signed_at = VerifiedCookies(size=2), datetime.now(UTC)
    verified.keep("a", {"_flashes": [["info", "已保存"]]}, signed_at)
    assert verified.get("a") is None  # a list one request could change for the next
    for name, user_id in (("b", "7"), ("c", "8"), ("d", "9")):
        verified.keep(name, {"_user_id": user_id}, signed_at)
    assert verified.get("b") is None
    assert verified.get("c") == ({"_user_id": "8"}, signed_at)
    assert verified.get("d") is not None
