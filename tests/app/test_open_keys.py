"""The open's keys are cheap and paced for the server (issue 12; app/exam/sealed.py).

Every candidate who waited in the room asks for their paper's key in the first seconds
of the open, each on a new connection: the request reads no session cookie (nor signs
one again), and the attempts' starts are spread so that no second of the open asks for
more keys than the two cores here answer with the saves that follow."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import timedelta

from flask import session

from app.auth.cookie_session import REFRESH_FRACTION, SlidingCookieSessionInterface
from app.exam import sealed
from app.models import Sitting
from tests.app.test_sealed_paper import attempt_of, enter, key_url, opening_in, start_passes


def test_the_key_reads_no_session_and_leaves_the_candidates_cookie_alone(
    app, client, ctx, monkeypatch
):
    sitting = opening_in(10)
    html = enter(client, sitting.id).get_data(as_text=True)
    start_passes(attempt_of())
    saved = app.permanent_session_lifetime
    # Signed again once older than 2 s: any other request would send a new cookie now.
    app.permanent_session_lifetime = timedelta(seconds=REFRESH_FRACTION * 2)
    time.sleep(2.1)
    verified = []
    verify = SlidingCookieSessionInterface.get_signing_serializer
    monkeypatch.setattr(
        SlidingCookieSessionInterface,
        "get_signing_serializer",
        lambda self, app: verified.append(True) or verify(self, app),
    )
    try:
        answer = client.get(key_url(html))
        assert answer.status_code == 200 and answer.get_json()["key"]
        assert verified == []  # the cookie was not even read
        assert "Set-Cookie" not in answer.headers
        assert "Cookie" not in answer.headers.get("Vary", "")
        assert client.get("/password").status_code == 200  # still logged in
        assert verified  # where a session is read, it is verified as before
    finally:
        app.permanent_session_lifetime = saved


def test_a_key_request_cannot_replace_the_session(app, client, ctx):
    """Whatever the key's request put in its (empty) session is not sent as a cookie."""
    sitting = opening_in(10)
    html = enter(client, sitting.id).get_data(as_text=True)
    start_passes(attempt_of())
    with app.test_request_context(key_url(html)):
        session["_user_id"] = "1"
        response = app.make_response(("", 200))
        app.session_interface.save_session(app, session, response)
        assert "Set-Cookie" not in response.headers


def _starts_of(registered: int, monkeypatch) -> list[float]:
    """Where each of ``registered`` waiting attempts starts, in seconds after the open, at
    the configured pace (the default, 400 a second)."""
    monkeypatch.setattr(sealed, "registered_count", lambda _sitting_id: registered)
    monkeypatch.setattr(sealed, "random", random.Random(12))
    sitting = Sitting(id=1)
    return [sealed.start_offset(sitting).total_seconds() for _ in range(registered)]


def test_ten_thousand_waiting_ask_for_their_keys_at_a_pace_the_open_keeps(ctx, monkeypatch):
    """At the last 10,000 run the open served ~590 keys a second besides its other work
    (1,000 a second were asked): no second of the spread may ask for more than ~500."""
    starts = _starts_of(10_000, monkeypatch)
    per_second = Counter(int(start) for start in starts)
    assert max(per_second.values()) <= 500
    assert 24 < max(starts) <= 25  # the whole spread is used, and no more
    assert min(starts) >= 0


def test_a_small_sitting_still_starts_within_the_first_second(ctx, monkeypatch):
    assert max(_starts_of(300, monkeypatch)) < 1
