"""Taking a test over HTTP: start, save, resume, submit, results, and what is refused."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.exam import catalog
from app.exam.attempts import finalize
from app.exam.catalog import question_of
from app.extensions import db
from app.models import Attempt, AttemptItem, AuditEntry
from app.models.types import utcnow
from tests.app.exam_fixtures import KEY_LINE, close_now, open_sitting, review_of, review_refused
from tests.auth import csrf_token, login
from tests.factories import make_user


@pytest.fixture
def candidate(ctx):
    return make_user("candidate", name="张晓明")


def start(client, sitting_id: int, **form) -> int:
    token = csrf_token(client, f"/sessions/{sitting_id}")
    response = client.post(f"/sessions/{sitting_id}", data={"csrf_token": token, **form})
    page = response.get_data(as_text=True)
    found = re.search(r'id="attempt" data-page-url="/attempts/(\d+)"', page)
    assert response.status_code == 200 and found, page  # the start answers the test page
    return int(found.group(1))


def begin(client) -> tuple[int, str]:
    """Open the usual sitting, log the candidate in, start, and read the page's API token."""
    sitting = open_sitting()
    login(client, "candidate")
    attempt_id = start(client, sitting.id)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    return attempt_id, re.search(r'data-csrf="([^"]+)"', page).group(1)


def save(client, attempt_id: int, payload: dict, token: str):
    return client.post(
        f"/attempts/{attempt_id}/answers",
        data=json.dumps(payload),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )


def correct_response(item: AttemptItem):
    question = question_of(item.question_revision_id)
    if question.type == "single":
        return question.keys[0]
    if question.type == "multiple":
        return list(question.keys)
    if question.type == "judge":
        return question.keys == ("true",)
    return [accepted[0] for accepted in question.blanks]


def items_of(attempt_id: int) -> list[AttemptItem]:
    return db.session.scalars(
        select(AttemptItem)
        .where(AttemptItem.attempt_id == attempt_id)
        .order_by(AttemptItem.position)
    ).all()


def test_a_whole_test_scores_exactly_and_leaks_nothing_before_the_end(client, candidate):
    sitting = open_sitting()
    login(client, "candidate")
    seen: list[str] = [
        client.get("/").get_data(as_text=True),
        client.get(f"/sessions/{sitting.id}").get_data(as_text=True),
    ]
    attempt_id = start(client, sitting.id)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    seen.append(page)
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    items = items_of(attempt_id)
    assert len(items) == 10
    wrong_position = items[0].position
    for item in items:
        response = correct_response(item)
        if item.position == wrong_position:
            question = question_of(item.question_revision_id)
            response = next(k for k, _ in question.options if k != question.keys[0])
        reply = save(client, attempt_id, {"position": item.position, "response": response}, token)
        assert reply.status_code == 200, reply.get_data(as_text=True)
        seen.append(reply.get_data(as_text=True))
        assert set(reply.get_json()) == {"saved", "at", "first_ask_spread"}
    seen.append(client.get(f"/attempts/{attempt_id}").get_data(as_text=True))
    seen.append(
        client.get(f"/attempts/{attempt_id}/result", follow_redirects=True).get_data(as_text=True)
    )

    secrets, shown, told = set(), [], set()
    for item in items:
        question = question_of(item.question_revision_id)
        shown += [question.stem, *(text for _, text in question.options)]
        told |= {question.explanation, question.source}
        secrets |= {text for accepted in question.blanks for text in accepted}
    # A fill answer printed in some stem or option is no leak, nor one the candidate typed
    # (pages after the answers were saved show them back): those are checked before. Short
    # numbers ("10") also occur in page furniture (question numbers), so only words count.
    secrets = {
        s
        for s in secrets
        if len(s) >= 2 and not s.isascii() and not any(s in text for text in shown)
    }
    everything = "\n".join(seen)
    told = {s for s in told if s and not any(s in text for text in shown)}
    assert [s for s in told if s in everything] == []
    assert [s for s in secrets if s in "\n".join(seen[:3])] == []
    for word in ("正确答案", "解析：", "出处：", "verdict", '"correct"', "review-"):
        assert word not in everything
    assert not re.search(r"得 [0-9.]+ 分", everything)

    submit_token = csrf_token(client, f"/attempts/{attempt_id}")
    result = client.post(
        f"/attempts/{attempt_id}/submit", data={"csrf_token": submit_token}, follow_redirects=True
    )
    html = result.get_data(as_text=True)
    attempt = db.session.get(Attempt, attempt_id)
    assert (attempt.score, attempt.possible, attempt.passed) == (18, 20, True)
    assert "18 <small>/ 20 分</small>" in html and "合格" in html
    # Review policy "keys", immediately: still not while others may be answering.
    assert "答题详情将于本场考试所有考生作答结束后开放" in html
    assert review_of(client, attempt_id) == "" and review_refused(client, attempt_id)
    close_now(attempt.sitting)
    assert KEY_LINE in review_of(client, attempt_id)


def test_resume_after_reload_and_restart_keeps_answers_and_deadline(client, app, candidate):
    sitting = open_sitting()
    login(client, "candidate")
    attempt_id = start(client, sitting.id)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    deadline = re.search(r'data-deadline="([^"]+)"', page).group(1)
    first = items_of(attempt_id)[0]
    answer = correct_response(first)
    save(
        client, attempt_id, {"position": first.position, "response": answer, "flagged": True}, token
    )
    catalog.clear_caches()  # as after a server restart
    other_device = app.test_client()
    login(other_device, "candidate")
    again = other_device.get(f"/sessions/{sitting.id}").get_data(as_text=True)
    assert "继续答题" in again
    resumed = other_device.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert f'data-deadline="{deadline}"' in resumed
    assert re.search(rf'name="q{first.position}" value="{answer}"\s+checked', resumed)
    assert 'class="flag-box" checked' in resumed


def test_answers_after_the_deadline_are_refused_and_the_attempt_is_finalized(
    client, app, candidate
):
    attempt_id, token = begin(client)
    item = items_of(attempt_id)[0]
    assert (
        save(
            client,
            attempt_id,
            {"position": item.position, "response": correct_response(item)},
            token,
        ).status_code
        == 200
    )
    grace = timedelta(seconds=app.config["ANSWER_GRACE_SECONDS"])
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id)
        .values(deadline=utcnow() - grace - timedelta(seconds=1))
    )
    db.session.commit()
    late = save(client, attempt_id, {"position": item.position, "response": None}, token)
    assert late.status_code == 409 and "时间已到" in late.get_json()["error"]
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.finalized and attempt.finalized_by == "deadline"
    assert attempt.score == items_of(attempt_id)[0].points  # the saved answer counted


def test_an_answer_within_the_grace_is_accepted(client, candidate):
    attempt_id, token = begin(client)
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id)
        .values(deadline=utcnow() - timedelta(seconds=5))
    )
    db.session.commit()
    item = items_of(attempt_id)[0]
    assert (
        save(
            client,
            attempt_id,
            {"position": item.position, "response": correct_response(item)},
            token,
        ).status_code
        == 200
    )


def test_expired_attempts_are_finalized_by_the_scheduler_command(runner, client, candidate):
    sitting = open_sitting()
    login(client, "candidate")
    attempt_id = start(client, sitting.id)
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id)
        .values(deadline=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    assert "已自动交卷 1 份" in runner.invoke(args=["attempts", "finalize-expired"]).output
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).finalized


BAD_PAYLOADS = [
    ("not json", "position=1", 400),
    ("position missing", json.dumps({"response": "A"}), 400),
    ("position as text", json.dumps({"position": "0", "response": "A"}), 400),
    ("position not on paper", json.dumps({"position": 999, "response": "A"}), 400),
    ("negative position", json.dumps({"position": -1, "response": "A"}), 400),
    ("huge text", json.dumps({"position": 0, "response": "A" * 100_000}), 400),
    ("nested garbage", json.dumps({"position": 0, "response": {"$gt": ""}}), 400),
]


@pytest.mark.parametrize(("case", "body", "status"), BAD_PAYLOADS, ids=[b[0] for b in BAD_PAYLOADS])
def test_malformed_and_hostile_answers_are_refused(client, candidate, case, body, status):
    attempt_id, token = begin(client)
    reply = client.post(
        f"/attempts/{attempt_id}/answers",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert reply.status_code == status
    assert reply.get_json()["error"]
    assert (
        db.session.scalar(
            select(func.count()).select_from(AttemptItem).where(AttemptItem.response.is_not(None))
        )
        == 0
    )


def test_an_answer_without_csrf_token_is_refused(client, candidate):
    sitting = open_sitting()
    login(client, "candidate")
    attempt_id = start(client, sitting.id)
    reply = client.post(
        f"/attempts/{attempt_id}/answers",
        data=json.dumps({"position": 0, "response": "A"}),
        content_type="application/json",
    )
    assert reply.status_code == 400


def test_another_candidates_attempt_and_result_are_not_found(client, app, candidate):
    make_user("other", name="李四")
    sitting = open_sitting(("candidate", "other"))
    login(client, "candidate")
    attempt_id = start(client, sitting.id)
    intruder = app.test_client()
    login(intruder, "other")
    token = csrf_token(intruder, "/")
    assert intruder.get(f"/attempts/{attempt_id}").status_code == 404
    assert intruder.get(f"/attempts/{attempt_id}/result").status_code == 404
    assert save(intruder, attempt_id, {"position": 0, "response": "A"}, token).status_code == 404
    assert (
        intruder.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token}).status_code
        == 404
    )
    db.session.expire_all()
    assert not db.session.get(Attempt, attempt_id).finalized


def test_unregistered_candidates_cannot_see_or_start_a_sitting(client, candidate):
    make_user("outsider")
    sitting = open_sitting()
    login(client, "outsider")
    assert client.get(f"/sessions/{sitting.id}").status_code == 404


def test_access_code_is_required_when_set(client, candidate):
    sitting = open_sitting(access_code="8421")
    login(client, "candidate")
    token = csrf_token(client, f"/sessions/{sitting.id}")
    wrong = client.post(
        f"/sessions/{sitting.id}", data={"csrf_token": token, "access_code": "1111"}
    )
    assert "考场口令不正确" in wrong.get_data(as_text=True)
    assert start(client, sitting.id, access_code="8421")


def test_a_sitting_not_yet_open_cannot_be_started(client, candidate):
    """Before its waiting room (an hour before the open: test_sealed_paper.py)."""
    sitting = open_sitting(
        opens=utcnow() + timedelta(hours=2), closes=utcnow() + timedelta(hours=3)
    )
    login(client, "candidate")
    token = csrf_token(client, f"/sessions/{sitting.id}")
    page = client.post(f"/sessions/{sitting.id}", data={"csrf_token": token}).get_data(as_text=True)
    assert "本场考试尚未开始" in page
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_a_retake_avoids_the_questions_of_the_previous_attempt(client, candidate):
    sitting = open_sitting(max_attempts=2)
    login(client, "candidate")
    first = start(client, sitting.id)
    finalize(first, "candidate", utcnow())
    second = start(client, sitting.id)
    assert second != first
    asked = {i.question_revision_id for i in items_of(first)}
    assert asked.isdisjoint({i.question_revision_id for i in items_of(second)})
    finalize(second, "candidate", utcnow())
    token = csrf_token(client, f"/sessions/{sitting.id}")
    assert "作答次数已用完" in client.post(
        f"/sessions/{sitting.id}", data={"csrf_token": token}
    ).get_data(as_text=True)


def test_review_waits_for_the_sitting_to_close_when_the_exam_says_so(client, candidate):
    sitting = open_sitting(when="after_close")
    login(client, "candidate")
    attempt_id = start(client, sitting.id)
    finalize(attempt_id, "candidate", utcnow())
    before = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "答题详情将于本场考试所有考生作答结束后" in before
    assert review_of(client, attempt_id) == "" and review_refused(client, attempt_id)
    sitting.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert KEY_LINE in review_of(client, attempt_id)


def test_two_submits_at_once_score_once(client, app, candidate):
    sitting = open_sitting()
    login(client, "candidate")
    attempt_id = start(client, sitting.id)
    tokens_and_clients = []
    for _ in range(6):
        browser = app.test_client()
        login(browser, "candidate")
        tokens_and_clients.append((browser, csrf_token(browser, f"/attempts/{attempt_id}")))
    barrier = threading.Barrier(len(tokens_and_clients))
    statuses: list[int] = []

    def submit(browser, token):
        with app.app_context():
            barrier.wait()
            statuses.append(
                browser.post(
                    f"/attempts/{attempt_id}/submit", data={"csrf_token": token}
                ).status_code
            )
            db.session.remove()

    threads = [threading.Thread(target=submit, args=pair) for pair in tokens_and_clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * len(threads)
    finals = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "attempt.finalize")
    )
    assert finals == 1


def test_answers_on_the_submitted_page_are_saved_before_scoring(client, candidate):
    """A save still queued in the browser at submit (or no JavaScript) loses nothing; a
    blank or malformed field never erases an answer already saved."""
    sitting = open_sitting()
    login(client, "candidate")
    attempt_id = start(client, sitting.id)
    items = items_of(attempt_id)
    first, second, third = items[0], items[1], items[2]
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    api_token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    save(
        client,
        attempt_id,
        {"position": second.position, "response": correct_response(second)},
        api_token,
    )
    token = csrf_token(client, f"/attempts/{attempt_id}")
    client.post(
        f"/attempts/{attempt_id}/submit",
        data={
            "csrf_token": token,
            f"q{first.position}": correct_response(first),  # never saved before
            f"q{second.position}": "",  # blank: the saved answer stands
            f"q{third.position}": "ZZZ",  # not an option: ignored
        },
    )
    db.session.expire_all()
    scored = {i.position: i.verdict for i in items_of(attempt_id)}
    assert scored[first.position] == "correct"
    assert scored[second.position] == "correct"
    assert scored[third.position] == "unanswered"
