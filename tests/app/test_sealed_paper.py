"""A candidate who enters the waiting room gets their attempt and its test page before the
open, with the questions encrypted; at the attempt's start the page asks for the key. So
the open costs a key per candidate, not a paper written and rendered, and nobody reads a
question before their start (app/exam/sealed.py)."""

from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

from app.admin.sittings import services
from app.exam import sealed
from app.extensions import db
from app.models import Attempt, AttemptItem, Role
from app.models.types import utcnow
from app.refusal import Refused
from tests.app.exam_fixtures import open_sitting
from tests.auth import csrf_token, login
from tests.factories import make_user

QUESTION = re.compile(r'<fieldset class="question[^"]*"[^>]*data-position="(\d+)"')


def opening_in(minutes: float, usernames=("candidate",)):
    for username in usernames:
        make_user(username, name="张晓明")
    now = utcnow()
    return open_sitting(
        usernames, opens=now + timedelta(minutes=minutes), closes=now + timedelta(hours=3)
    )


def enter(client, sitting_id: int, username: str = "candidate"):
    login(client, username)
    token = csrf_token(client, f"/sessions/{sitting_id}")
    return client.post(f"/sessions/{sitting_id}", data={"csrf_token": token})


def attempt_of(username: str = "candidate") -> Attempt:
    return db.session.scalars(select(Attempt).join(Attempt.user).filter_by(username=username)).one()


def opened(html: str, key: bytes) -> str:
    sealed_paper = base64.b64decode(re.search(r'data-paper="([^"]+)"', html).group(1))
    return AESGCM(key).decrypt(sealed_paper[:12], sealed_paper[12:], None).decode()


def start_passes(attempt: Attempt) -> None:
    """The server's clock reaches the attempt's start (its times move back instead)."""
    shift = attempt.started_at - utcnow() + timedelta(seconds=1)
    attempt.started_at -= shift
    attempt.deadline -= shift
    db.session.commit()


def key_url(html: str) -> str:
    return re.search(r'data-key-url="([^"]+)"', html).group(1)


def test_the_pages_times_are_written_as_every_browsers_date_parse_reads_them(client, ctx):
    """ECMAScript defines only milliseconds and a Z; microseconds and +00:00 are each
    engine's own rules, and a time a browser cannot read stops the page's clocks."""
    sitting = opening_in(10)
    html = enter(client, sitting.id).get_data(as_text=True)
    attempt = attempt_of()
    written = {
        name: re.search(rf'data-{name}="([^"]+)"', html).group(1)
        for name in ("deadline", "now", "starts-at")
    }
    for text in written.values():
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", text), text
    starts_at = datetime.fromisoformat(written["starts-at"])
    assert timedelta(0) <= attempt.started_at - starts_at < timedelta(milliseconds=1)


def test_entering_the_room_makes_the_attempt_from_the_open_with_the_paper_sealed(client, ctx):
    sitting = opening_in(10)
    entered = enter(client, sitting.id)
    html = entered.get_data(as_text=True)
    attempt = attempt_of()
    assert entered.status_code == 200 and f'data-page-url="/attempts/{attempt.id}"' in html
    # One candidate: the open's spread is a thousandth of a second.
    assert sitting.opens_at <= attempt.started_at < sitting.opens_at + timedelta(seconds=1)
    assert attempt.deadline == attempt.started_at + timedelta(minutes=30)
    assert not QUESTION.search(html) and "sealed-paper.js" in html
    assert 'id="submit-button" hidden' in html
    paper = opened(html, sealed.paper_key(attempt.id, attempt.seed))
    positions = db.session.scalars(
        select(AttemptItem.position).where(AttemptItem.attempt_id == attempt.id)
    ).all()
    assert sorted(int(p) for p in QUESTION.findall(paper)) == sorted(positions)
    legend = re.search(r"<legend[^>]*>(.*?)</legend>", paper, re.S).group(1).strip()
    assert legend and legend not in html  # no question's words in the page before the start


def test_the_key_is_given_only_from_the_start_and_only_for_a_signed_token(client, ctx):
    sitting = opening_in(10)
    html = enter(client, sitting.id).get_data(as_text=True)
    attempt = attempt_of()
    early = client.get(key_url(html))
    assert early.status_code == 425 and early.get_json().keys() == {"wait_seconds"}
    assert 9 * 60 < early.get_json()["wait_seconds"] <= 10 * 60 + 1
    start_passes(attempt)
    stranger = client.application.test_client()  # the token names the attempt: no login
    given = stranger.get(key_url(html))
    assert given.status_code == 200
    key = base64.b64decode(given.get_json()["key"])
    assert QUESTION.search(opened(html, key))
    deadline = given.get_json()["deadline"]  # as every browser's Date.parse reads it
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", deadline)
    assert (
        timedelta(0)
        <= attempt.deadline - datetime.fromisoformat(deadline)
        < timedelta(milliseconds=1)
    )
    forged = key_url(html)[:-3] + "abc"
    assert client.get(forged).status_code == 404
    assert client.get(f"/paper-keys/{attempt.id}").status_code == 404


def test_nothing_is_saved_or_submitted_before_the_start(client, ctx):
    sitting = opening_in(10)
    html = enter(client, sitting.id).get_data(as_text=True)
    attempt = attempt_of()
    saved = client.post(
        f"/attempts/{attempt.id}/answers", json={"position": 0, "response": "A"},
        headers={"X-CSRFToken": re.search(r'data-csrf="([^"]+)"', html).group(1)},
    )  # fmt: skip
    assert saved.status_code == 409 and "考试尚未开始" in saved.get_json()["error"]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    client.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": token})
    db.session.refresh(attempt)
    assert attempt.status == "in_progress" and attempt.finalized_at is None
    stored = db.session.scalars(
        select(AttemptItem.response).where(AttemptItem.attempt_id == attempt.id)
    ).all()
    assert not any(stored)


def test_a_reload_is_sealed_before_the_start_and_open_after_it(client, ctx):
    sitting = opening_in(10)
    enter(client, sitting.id)
    attempt = attempt_of()
    before = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "data-paper=" in before and not QUESTION.search(before)
    start_passes(attempt)
    after = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "data-paper=" not in after and QUESTION.search(after)
    assert "sealed-paper.js" not in after and 'src="/static/attempt.js"' in after


def test_thousands_waiting_are_spread_over_the_first_seconds(client, ctx, monkeypatch):
    """The keys are asked for at PAPER_KEYS_PER_SECOND: here 1 a second for 4 candidates."""
    monkeypatch.setitem(client.application.config, "PAPER_KEYS_PER_SECOND", 1)
    names = ("a1", "a2", "a3", "a4")
    sitting = opening_in(10, names)
    for name in names:
        enter(client.application.test_client(), sitting.id, name)
    starts = [attempt_of(name).started_at - sitting.opens_at for name in names]
    assert all(timedelta(0) <= s < timedelta(seconds=4) for s in starts)
    assert len(set(starts)) == 4
    for name in names:  # each has its full time from its own start
        attempt = attempt_of(name)
        assert attempt.deadline - attempt.started_at == timedelta(minutes=30)


def fields_of(sitting, opens_at):
    return services.SittingFields(
        sitting.exam_id, sitting.title, opens_at, sitting.closes_at, None, sitting.max_attempts
    )


def test_a_later_open_moves_the_waiting_and_an_earlier_one_is_refused(client, ctx):
    sitting = opening_in(10)
    enter(client, sitting.id)
    admin = make_user("admin", role=Role.SYSTEM_ADMIN)
    attempt = attempt_of()
    started, now = attempt.started_at, utcnow()
    services.update(
        sitting, fields_of(sitting, sitting.opens_at + timedelta(minutes=5)), admin, now
    )
    db.session.refresh(attempt)
    assert attempt.started_at == started + timedelta(minutes=5)
    assert attempt.deadline == attempt.started_at + timedelta(minutes=30)
    with pytest.raises(Refused, match="只能推迟"):
        services.update(
            sitting, fields_of(sitting, sitting.opens_at - timedelta(minutes=1)), admin, now
        )
    db.session.rollback()
    with pytest.raises(Refused, match="不能提前开考"):
        services.open_now(sitting, admin, now)


def test_the_live_view_says_who_waits_in_the_room(client, ctx):
    sitting = opening_in(10)
    enter(client, sitting.id)
    make_user("admin", role=Role.SYSTEM_ADMIN)
    admin = client.application.test_client()
    login(admin, "admin")
    page = f"/admin/live/sessions/{sitting.id}"
    html = admin.get(page).get_data(as_text=True)
    assert "已进入考场，待开考" in html
    # Counted as waiting, not as answering or as done.
    assert "<dt>待开考</dt><dd>1</dd>" in html and "<dt>作答中</dt><dd>0</dd>" in html
    assert "<dt>已交卷</dt><dd>0</dd>" in html
    assert "已进入考场，待开考" in admin.get(f"{page}?show=waiting").get_data(as_text=True)
    for show in ("answering", "done"):
        assert "已进入考场，待开考" not in admin.get(f"{page}?show={show}").get_data(as_text=True)
    start_passes(attempt_of())
    html = admin.get(page).get_data(as_text=True)
    assert "已进入考场，待开考" not in html and "<dt>作答中</dt><dd>1</dd>" in html
    assert "<dt>待开考</dt>" not in html
