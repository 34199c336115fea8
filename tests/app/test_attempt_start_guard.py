"""Starting an attempt under attack: concurrent starts cannot beat the retake rules, and
the access code cannot be guessed by brute force or told apart by its refusal."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.exam.attempts import AttemptRefused, finalize
from app.exam.starting import start_attempt
from app.extensions import db
from app.models import AccessCodeFailure, Attempt, Sitting, User
from app.models.types import utcnow
from tests.app import certificate_fixtures as certs
from tests.app.exam_fixtures import open_sitting
from tests.app.test_attempts import start
from tests.auth import csrf_token, login
from tests.factories import make_user


def attempts() -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt))


def start_at_once(app, user_id: int, sitting_ids: list[int], codes: list[str | None]):
    """One thread per (sitting, code), all released together; what each one got."""
    barrier = threading.Barrier(len(sitting_ids))
    outcomes: list[str] = []

    def run(sitting_id: int, code: str | None) -> None:
        with app.app_context():
            user, sitting = db.session.get(User, user_id), db.session.get(Sitting, sitting_id)
            barrier.wait()
            try:
                outcomes.append(f"attempt {start_attempt(user, sitting, code, utcnow()).id}")
            except AttemptRefused as refused:
                outcomes.append(refused.message)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=run, args=pair) for pair in zip(sitting_ids, codes, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.usefixtures("fresh_catalog")
def test_starts_in_sittings_of_one_exam_at_once_make_one_attempt(app, ctx):
    certs.setup_exams()
    user = make_user("sun")
    sittings = [certs.open_sitting(certs.COMPETENCY, [user]) for _ in range(4)]
    db.session.commit()
    outcomes = start_at_once(app, user.id, [s.id for s in sittings], [None] * 4)
    assert attempts() == 1, outcomes
    refusals = [o for o in outcomes if not o.startswith("attempt ")]
    assert len(refusals) == 3 and all("两次测试之间须间隔 24 小时" in r for r in refusals)


def test_starts_in_one_sitting_at_once_make_one_attempt(app, ctx):
    user = make_user("candidate")
    sitting = open_sitting(("candidate",), max_attempts=3)
    outcomes = start_at_once(app, user.id, [sitting.id] * 4, [None] * 4)
    assert attempts() == 1 and len(set(outcomes)) == 1, outcomes


@pytest.fixture
def coded(ctx):
    make_user("candidate", name="张晓明")
    return open_sitting(access_code="8421")


def try_code(client, sitting_id: int, code: str) -> str:
    token = csrf_token(client, f"/sessions/{sitting_id}")
    response = client.post(
        f"/sessions/{sitting_id}", data={"csrf_token": token, "access_code": code}
    )
    if 'id="attempt"' in response.get_data(as_text=True):
        return "started"
    return re.search(
        r'class="flash flash-error"[^>]*>(.*?)</div>', response.get_data(as_text=True)
    ).group(1)


def test_wrong_codes_earn_a_growing_wait_and_the_right_code_waits_too(coded):
    user = db.session.scalar(select(User))
    now = utcnow()
    messages = []
    for guess in range(5):
        with pytest.raises(AttemptRefused) as refused:
            start_attempt(user, coded, f"{guess:04d}", now)
        messages.append(refused.value.message)
    assert all(m.startswith("考场口令不正确。") for m in messages)
    assert "请等待 1 分 0 秒" in messages[-1]
    with pytest.raises(AttemptRefused) as refused:  # the right code, during the wait
        start_attempt(user, coded, "8421", now + timedelta(seconds=30))
    assert "请等待 30 秒" in refused.value.message and attempts() == 0
    with pytest.raises(AttemptRefused) as refused:  # a sixth wrong code: twice the wait
        start_attempt(user, coded, "0005", now + timedelta(minutes=1, seconds=1))
    assert "请等待 2 分 0 秒" in refused.value.message
    assert start_attempt(user, coded, "8421", now + timedelta(minutes=3, seconds=2))
    assert db.session.scalar(select(AccessCodeFailure)) is None, "a right code starts afresh"


def test_every_wrong_code_gets_the_same_words_in_the_page(app, client, coded):
    login(client, "candidate")
    first = try_code(client, coded.id, "1111")
    other = app.test_client()
    make_user("second")
    db.session.add(coded)
    coded.candidates.append(db.session.scalar(select(User).where(User.username == "second")))
    db.session.commit()
    login(other, "second")
    assert "考场口令不正确" in first
    assert first == try_code(other, coded.id, "9999")


def test_the_wait_holds_for_every_worker(app, client, coded):
    login(client, "candidate")
    for guess in range(5):
        try_code(client, coded.id, f"{guess:04d}")
    elsewhere = app.test_client()  # another worker: only the database is shared
    login(elsewhere, "candidate")
    page = try_code(elsewhere, coded.id, "8421")
    assert "口令输错次数过多" in page and attempts() == 0


def test_concurrent_guesses_are_each_counted(app, coded):
    user = db.session.scalar(select(User))
    codes = [f"{n:04d}" for n in range(10)]
    outcomes = start_at_once(app, user.id, [coded.id] * 10, codes)
    failure = db.session.scalar(select(AccessCodeFailure))
    assert failure.failures == 5 and failure.locked_until is not None, outcomes
    assert sum("口令输错次数过多" in o for o in outcomes) >= 6  # five waits and the fifth try


def test_who_may_not_start_is_told_so_whatever_the_code(client, coded):
    user = db.session.scalar(select(User))
    attempt = start_attempt(user, coded, "8421", utcnow())
    finalize(attempt.id, "candidate", utcnow())
    login(client, "candidate")
    right, wrong = try_code(client, coded.id, "8421"), try_code(client, coded.id, "1234")
    assert "作答次数已用完" in right and right == wrong
    assert db.session.scalar(select(AccessCodeFailure)) is None, "no code was tried"


def test_a_sitting_without_a_code_starts_as_before(client, ctx):
    make_user("candidate")
    sitting = open_sitting()
    login(client, "candidate")
    assert start(client, sitting.id)
