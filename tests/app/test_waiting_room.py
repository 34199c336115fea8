"""The sitting's start page in the hour before the open is a waiting room: 进入考场 is
there already (so nobody reloads the page at the open; entering gets the paper sealed
until the open, see test_sealed_paper.py), a press before the waiting room is refused,
and a client without JavaScript gets a plain form."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner

from app.extensions import db
from app.models import Attempt, Exam
from app.models.types import utcnow
from tests.app import certificate_fixtures as certs
from tests.app.exam_fixtures import MINI_EXAM, open_sitting
from tests.app.factories import sitting_of
from tests.auth import csrf_token, login
from tests.factories import make_user

START_BUTTON = re.compile(
    r'<input[^>]*id="submit"[^>]*type="submit"[^>]*value="(开始答题|进入考场)"[^>]*>'
)


def opening_in(minutes: float, **fields):
    make_user("candidate", name="张晓明")
    now = utcnow()
    return open_sitting(
        opens=now + timedelta(minutes=minutes), closes=now + timedelta(hours=3), **fields
    )


def test_a_client_without_javascript_gets_the_form_with_an_enabled_button(client, ctx):
    sitting = opening_in(30, access_code="4321")
    login(client, "candidate")
    html = client.get(f"/sessions/{sitting.id}").get_data(as_text=True)
    button = START_BUTTON.search(html)
    assert button and "disabled" not in button.group(0) and button.group(1) == "进入考场"
    assert 'name="csrf_token"' in html and 'name="access_code"' in html
    assert re.search(r"距开考还有 <span[^>]*>(29 分 \d+|30 分 0) 秒</span>", html)
    opens_in = float(re.search(r'data-opens-in="([\d.]+)"', html).group(1))
    assert 29 * 60 < opens_in <= 30 * 60  # from the server's clock, not the device's
    assert 'src="/static/waiting-room.js"' in html
    assert "本场考试尚未开始" not in html


def test_a_press_before_the_waiting_room_is_refused(client, ctx):
    """The form is not shown then; a forged press gets the page again and no attempt."""
    sitting = opening_in(61)
    login(client, "candidate")
    token = csrf_token(client, "/")
    reply = client.post(f"/sessions/{sitting.id}", data={"csrf_token": token})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "本场考试尚未开始。" in html and not START_BUTTON.search(html)
    assert db.session.query(Attempt).count() == 0


def test_more_than_an_hour_before_the_open_the_page_only_says_it_has_not_begun(client, ctx):
    sitting = opening_in(61)
    login(client, "candidate")
    html = client.get(f"/sessions/{sitting.id}").get_data(as_text=True)
    assert "本场考试尚未开始。" in html and "开考前 1 小时起" in html
    assert not START_BUTTON.search(html) and "距开考还有" not in html


def test_after_the_close_the_page_says_so(client, ctx):
    make_user("candidate", name="张晓明")
    now = utcnow()
    sitting = open_sitting(opens=now - timedelta(hours=2), closes=now - timedelta(seconds=1))
    login(client, "candidate")
    html = client.get(f"/sessions/{sitting.id}").get_data(as_text=True)
    assert "本场考试已结束。" in html and not START_BUTTON.search(html)


def test_the_form_loaded_an_hour_before_still_starts_the_test_at_the_open(client, ctx, monkeypatch):
    """The CSRF token and the login outlive the wait: the page is not reloaded at the open."""
    sitting = opening_in(60)
    login(client, "candidate")
    token = csrf_token(client, f"/sessions/{sitting.id}")
    later = TimestampSigner.get_timestamp(TimestampSigner("key")) + 61 * 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    sitting.opens_at = utcnow() - timedelta(seconds=1)  # the server's clock reached the open
    db.session.commit()
    reply = client.post(f"/sessions/{sitting.id}", data={"csrf_token": token})
    assert reply.status_code == 200 and 'data-page-url="/attempts/' in reply.get_data(as_text=True)


@pytest.mark.usefixtures("fresh_catalog")
def test_the_waiting_room_says_a_retake_wait_that_lasts_past_the_open(client, ctx):
    """Defect 6 of issue 13 before the open too: the wait is said before the press."""
    certs.setup_exams()
    user = make_user("feng", name="冯五")
    first = certs.open_sitting(certs.COMPETENCY, [user])
    certs.take(user, first, 1, now=utcnow() - timedelta(hours=23, minutes=50))
    now = utcnow()
    usernames = ("feng",)
    lasting = sitting_of(
        certs.COMPETENCY, usernames, now + timedelta(minutes=5), now + timedelta(hours=2)
    )
    after = sitting_of(
        certs.COMPETENCY, usernames, now + timedelta(minutes=30), now + timedelta(hours=2)
    )
    login(client, "feng")
    html = client.get(f"/sessions/{lasting.id}").get_data(as_text=True)
    assert "下次可于" in html and not START_BUTTON.search(html)
    html = client.get(f"/sessions/{after.id}").get_data(as_text=True)
    assert "下次可于" not in html and START_BUTTON.search(html) and "距开考还有" in html


def test_the_rules_follow_an_edit_of_the_exam(client, ctx):
    """The rules are rendered once per exam: an edited exam shows its new rules."""
    sitting = opening_in(10)
    login(client, "candidate")
    assert "限时 30 分钟" in client.get(f"/sessions/{sitting.id}").get_data(as_text=True)
    exam = db.session.get(Exam, sitting.exam_id)
    exam.source = MINI_EXAM.replace("{when}", "immediately").replace("30", "45")
    exam.updated_at = utcnow()
    db.session.commit()
    assert "限时 45 分钟" in client.get(f"/sessions/{sitting.id}").get_data(as_text=True)
