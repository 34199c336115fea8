"""The start (the POST of 开始答题) answers the test page itself, not a redirect to it: at
the open every candidate waits in the server's queue once. It is the page a GET of
/attempts/<id> answers, with the same headers; a start sent again (a reload without
script) resumes the same attempt; a refused start shows the start page as before."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.exam.prepared import registered_count
from app.extensions import db
from app.models import Attempt, AttemptItem
from app.models.types import utcnow
from tests.app.exam_fixtures import open_sitting
from tests.app.sql_seen import statements
from tests.auth import csrf_token, login
from tests.factories import make_user

# What differs between two renderings of one page: the server's clock and signed tokens.
PER_REQUEST = re.compile(
    r'(data-now|data-csrf)="[^"]*"|(name="(?:csrf_token|page_at)"[^>]*value)="[^"]*"'
)
# Headers of any response that say nothing about the page.
PER_RESPONSE = {"Date", "Content-Length", "Set-Cookie"}


@pytest.fixture
def candidate(ctx):
    return make_user("candidate", name="张晓明")


def press_start(client, sitting_id: int, **form):
    token = csrf_token(client, f"/sessions/{sitting_id}")
    return client.post(f"/sessions/{sitting_id}", data={"csrf_token": token, **form})


def same_page(html: str) -> str:
    return PER_REQUEST.sub(lambda m: f"{m.group(1) or m.group(2)}=…", html)


def attempt_ids() -> list[int]:
    return list(db.session.scalars(select(Attempt.id)))


def test_the_start_answers_the_test_page_of_the_new_attempt(client, candidate):
    sitting = open_sitting()
    login(client, "candidate")
    started = press_start(client, sitting.id)
    (attempt_id,) = attempt_ids()
    html = started.get_data(as_text=True)
    assert started.status_code == 200 and "Location" not in started.headers
    assert f'id="attempt" data-page-url="/attempts/{attempt_id}"' in html
    items = db.session.scalars(
        select(AttemptItem.position).where(AttemptItem.attempt_id == attempt_id)
    ).all()
    shown = re.findall(r'<fieldset class="question[^"]*"[^>]*data-position="(\d+)"', html)
    assert sorted(map(int, shown)) == sorted(items) and len(items) == 10
    assert re.search(r'data-csrf="[^"]+"', html) and 'name="csrf_token"' in html
    # Byte for byte the page a reload gets (GET /attempts/<id>), but for clock and tokens.
    reloaded = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert same_page(html) == same_page(reloaded)


def test_the_start_has_the_headers_of_the_test_page(client, candidate):
    sitting = open_sitting()
    login(client, "candidate")
    started = press_start(client, sitting.id)
    reloaded = client.get(f"/attempts/{attempt_ids()[0]}")
    headers = {k: v for k, v in started.headers.items() if k not in PER_RESPONSE}
    assert headers == {k: v for k, v in reloaded.headers.items() if k not in PER_RESPONSE}
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_a_start_sent_again_resumes_the_same_attempt(client, candidate):
    """A reload of the page the start answered, in a browser without script, sends the
    start's form again: the same attempt comes back, with its answers, and no new one."""
    sitting = open_sitting()
    login(client, "candidate")
    first = press_start(client, sitting.id).get_data(as_text=True)
    (attempt_id,) = attempt_ids()
    token = re.search(r'data-csrf="([^"]+)"', first).group(1)
    position = int(re.search(r'data-position="(\d+)"', first).group(1))
    item = db.session.scalar(
        select(AttemptItem).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == position
        )
    )
    deadline = db.session.get(Attempt, attempt_id).deadline
    saved = client.post(
        f"/attempts/{attempt_id}/answers",
        json={"position": position, "flagged": True},
        headers={"X-CSRFToken": token},
    )
    assert saved.status_code == 200 and item is not None
    again = press_start(client, sitting.id)
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and f'data-page-url="/attempts/{attempt_id}"' in html
    assert re.search(
        rf'data-position="{position}"[^>]*>.*?class="flag-box"[^>]*checked', html, re.S
    )
    assert attempt_ids() == [attempt_id]
    assert db.session.scalar(select(func.count()).select_from(AttemptItem)) == 10
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).deadline == deadline


def test_a_start_after_the_deadline_shows_the_result(client, candidate):
    """The attempt in progress has run out meanwhile: the start closes it and goes on to
    its result page, as its test page does."""
    sitting = open_sitting()
    login(client, "candidate")
    press_start(client, sitting.id)
    attempt = db.session.get(Attempt, attempt_ids()[0])
    attempt.deadline = utcnow() - timedelta(minutes=5)
    db.session.commit()
    again = press_start(client, sitting.id)
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/attempts/{attempt.id}/result")
    assert attempt_ids() == [attempt.id]


def test_the_text_size_changed_on_the_started_page_comes_back_to_the_test_page(client, candidate):
    sitting = open_sitting()
    login(client, "candidate")
    html = press_start(client, sitting.id).get_data(as_text=True)
    size_form = re.search(r'<form method="post" action="/text-size".*?</form>', html, re.S).group(0)
    back = re.search(r'name="next" value="([^"]+)"', size_form).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', size_form).group(1)
    changed = client.post("/text-size", data={"csrf_token": token, "size": "2", "next": back})
    assert changed.headers["Location"] == f"/attempts/{attempt_ids()[0]}"


def used_up(client, sitting) -> None:
    press_start(client, sitting.id)
    attempt_id = attempt_ids()[0]
    token = csrf_token(client, f"/attempts/{attempt_id}")
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})


@pytest.mark.parametrize(
    ("sitting_of", "before", "form", "message"),
    [
        (lambda: open_sitting(opens=utcnow() + timedelta(hours=2)), None, {},
         "本场考试尚未开始。"),
        (lambda: open_sitting(access_code="8421"), None, {"access_code": "1234"},
         "考场口令不正确。"),
        (open_sitting, used_up, {}, "您在本场考试的作答次数已用完。"),
    ],
    ids=["not open yet", "code wrong", "attempts used up"],
)  # fmt: skip
def test_a_refused_start_still_shows_the_start_page(
    client, candidate, sitting_of, before, form, message
):
    sitting = sitting_of()
    login(client, "candidate")
    if before:
        before(client, sitting)
    attempts = attempt_ids()
    refused = press_start(client, sitting.id, **form)
    html = refused.get_data(as_text=True)
    assert refused.status_code in (200, 400)
    assert re.search(r'class="flash flash-error"[^>]*>' + re.escape(message), html)
    assert 'id="attempt"' not in html and "<dt>作答次数</dt>" in html  # the start page
    assert attempt_ids() == attempts


def test_the_page_after_the_start_reads_only_the_new_paper_in_autocommit(client, candidate):
    """After its commit the start reads its attempt and items for the page, and nothing it
    had read before (the user, the sitting), in no transaction: on PostgreSQL the user's
    refresh, a BEGIN and a ROLLBACK (which also made psycopg forget its prepared
    statements) were three round trips more in every start at the open. The count of the
    registered (which sizes the page's first ask at the zero) is read once a minute per
    process, not per start: here an earlier page of the crowd has read it."""
    sitting = open_sitting()
    login(client, "candidate")
    token = csrf_token(client, f"/sessions/{sitting.id}")
    registered_count(sitting.id)
    with statements(marking_autocommit=True) as seen:
        started = client.post(f"/sessions/{sitting.id}", data={"csrf_token": token})
    assert started.status_code == 200
    assert [s for s, _autocommit in seen].count("COMMIT") == 1
    after = seen[seen.index(("COMMIT", False)) + 1 :]
    assert [(s.split(" FROM ")[1].split()[0], autocommit) for s, autocommit in after] == [
        ("attempt", True),
        ("attempt_item", True),
    ]
