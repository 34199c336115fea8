"""Submit, the result page and its status poll on the rush's path: what each asks of the
database, and that the status answer keeps its meaning (issue 12's per-request budgets).

Counting statements is how these tests see CPU: each one costs a few hundred
microseconds of the request, and the ones removed here were repeated reads.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import update

from app.exam.attempts import SERVER_CLOSE_LEEWAY
from app.exam.catalog import question_of
from app.exam.exams import save_exam
from app.extensions import db
from app.models import Attempt, AttemptItem, BankVersion, SittingGrant, User
from app.models.attempt import FINALIZED, IN_PROGRESS, SUBMITTED
from tests.app import test_submitting
from tests.app.exam_fixtures import MINI_EXAM
from tests.app.sql_seen import statements
from tests.app.test_attempts import begin, correct_response, items_of, save
from tests.app.test_submitting import expire, run_jobs, submit_form
from tests.auth import csrf_token, login
from tests.factories import make_user

candidate, real_queue = test_submitting.candidate, test_submitting.real_queue  # fixtures


def test_the_status_says_the_state_whether_scored_and_how_long_to_wait(
    client, candidate, real_queue
):
    attempt_id, _token = begin(client)
    answering = client.get(f"/attempts/{attempt_id}/status").json
    assert set(answering) == {"state", "scored", "certificates_ready", "wait_seconds"}
    assert answering["state"] == IN_PROGRESS and answering["scored"] is False
    assert 30 * 60 < answering["wait_seconds"] <= 30 * 60 + 30  # the time limit and grace
    submit_form(client, attempt_id)
    assert client.get(f"/attempts/{attempt_id}/status").json == {
        "state": SUBMITTED, "scored": False, "certificates_ready": False, "wait_seconds": 0,
    }  # fmt: skip
    run_jobs()
    assert client.get(f"/attempts/{attempt_id}/status").json == {
        "state": FINALIZED, "scored": True, "certificates_ready": True, "wait_seconds": 0,
    }  # fmt: skip


def test_a_page_waiting_for_the_score_gets_the_result_with_the_answer_that_says_scored(
    client, candidate, real_queue
):
    """The test page and the scoring page ask with ``?result=1``: the answer that says
    "scored" carries the result page's section, shown in place, so a close's crowd loads
    no result page (bench/RESULTS.md, session 33). Nothing is written for it, and the
    certificate box's polls (no ``result``) do not get it."""
    attempt_id, _token = begin(client)
    submit_form(client, attempt_id)
    waiting = client.get(f"/attempts/{attempt_id}/status?result=1").json
    assert waiting["scored"] is False and "result_html" not in waiting
    run_jobs()
    with statements() as seen:
        answer = client.get(f"/attempts/{attempt_id}/status?result=1").json
    assert answer["scored"] is True
    assert not [s for s in seen if s.startswith(("UPDATE", "INSERT", "DELETE"))]
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    section = re.search(r'<section class="card result".*?</section>', page, re.S)
    assert section and answer["result_html"].strip() == section.group(0)
    assert "不合格" in answer["result_html"] and "合格线" in answer["result_html"]
    assert "result_html" not in client.get(f"/attempts/{attempt_id}/status").json
    make_user("other")
    other = client.application.test_client()
    login(other, "other")
    assert other.get(f"/attempts/{attempt_id}/status?result=1").status_code == 404


def test_the_answer_that_carries_a_fail_s_result_loads_no_user(client, candidate, real_queue):
    """At a close the scored answers carry the result to thousands of pages in a minute: a
    fail's section (attempts left, the retake's wait) needs the user's id, which the
    attempt holds, not a load of the user's whole row (a statement and an ORM object)."""
    attempt_id, _token = begin(client)
    submit_form(client, attempt_id)
    run_jobs()
    db.session.remove()
    with statements() as seen:
        answer = client.get(f"/attempts/{attempt_id}/status?result=1").json
    assert "不合格" in answer["result_html"] and "作答次数已用完" in answer["result_html"]
    assert not [s for s in seen if re.search(r'FROM "?user"? ', s)]  # (the poll JOINs it)


def test_another_candidates_status_is_not_found_and_a_stranger_must_log_in(client, candidate):
    attempt_id, _token = begin(client)
    make_user("other")
    other = client.application.test_client()
    login(other, "other")
    assert other.get(f"/attempts/{attempt_id}/status").status_code == 404
    assert other.get(f"/attempts/{attempt_id + 1000}/status").status_code == 404
    stranger = client.application.test_client()
    assert stranger.get(f"/attempts/{attempt_id}/status").status_code == 302


def test_the_status_poll_is_one_statement_that_checks_the_login_too(client, candidate):
    """Polled tens of thousands of times at a close: no load of the user, no second read
    for the certificates; the attempt joined with its user's session version."""
    attempt_id, _token = begin(client)
    with statements() as seen:
        assert client.get(f"/attempts/{attempt_id}/status").status_code == 200
    [read] = [s.replace('"', "") for s in seen]  # PostgreSQL quotes the user table
    assert read.startswith("SELECT attempt.status, attempt.deadline, attempt.passed, ")
    assert "user.session_version" in read and " JOIN user " in read


def test_a_poll_whose_login_ended_elsewhere_is_told_so(client, candidate):
    """Logged out on another device (the session version raised): the poll gets 401 with
    ``expired``, and the page goes through the login page and back."""
    attempt_id, _token = begin(client)
    db.session.execute(update(User).values(session_version=User.session_version + 1))
    db.session.commit()
    polled = client.get(f"/attempts/{attempt_id}/status", headers={"Accept": "application/json"})
    assert polled.status_code == 401 and polled.json["expired"] is True


def test_a_poll_of_a_login_that_must_change_its_password_is_refused(client, candidate):
    """An admin's demand for a new password closes every page but the password form: the
    poll too, though it reads no user (``login_claimed``)."""
    attempt_id, _token = begin(client)
    db.session.execute(update(User).values(must_change_password=True))
    db.session.commit()
    polled = client.get(f"/attempts/{attempt_id}/status", headers={"Accept": "application/json"})
    assert polled.status_code == 403 and "修改初始密码" in polled.json["error"]


def test_the_poll_leaves_the_close_to_the_server_and_closes_only_when_it_is_late(
    client, candidate, real_queue
):
    """Just past the grace the server's close (one statement for the crowd) is due: the
    poll writes nothing and says to wait. Past the leeway it closes the paper itself, so a
    paper is closed and scored even if the server's close never came."""
    attempt_id, _token = begin(client)
    expire(attempt_id, seconds_ago=31)
    with statements() as seen:
        answer = client.get(f"/attempts/{attempt_id}/status").json
    assert answer["state"] == IN_PROGRESS and answer["scored"] is False
    assert not [s for s in seen if s.startswith(("UPDATE", "INSERT"))]
    assert run_jobs() == 0  # nothing queued: the paper is still open

    late = 30 + SERVER_CLOSE_LEEWAY.total_seconds() + 1
    expire(attempt_id, seconds_ago=int(late))
    assert client.get(f"/attempts/{attempt_id}/status").json == {
        "state": SUBMITTED, "scored": False, "certificates_ready": False, "wait_seconds": 0,
    }  # fmt: skip
    assert run_jobs() == 1
    assert client.get(f"/attempts/{attempt_id}/status").json["scored"] is True


def test_a_submit_reads_nothing_inside_its_write_and_nothing_after_it(
    client, candidate, real_queue
):
    """On SQLite the write lock is held from the first write to the commit: no read or
    Python work in between, and the redirect does not reload the attempt."""
    attempt_id, token = begin(client)
    items = items_of(attempt_id)
    save(client, attempt_id, {"position": 0, "response": correct_response(items[0])}, token)
    form = {"csrf_token": csrf_token(client, f"/attempts/{attempt_id}")}
    form |= {f"q{item.position}": "A" for item in items[1:3]}
    with statements() as seen:
        response = client.post(f"/attempts/{attempt_id}/submit", data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}/result")
    first_write = next(i for i, s in enumerate(seen) if s.startswith("UPDATE"))
    assert seen[first_write].startswith("UPDATE attempt SET status=")
    assert seen[first_write + 1].startswith("UPDATE attempt_item SET response=")
    assert seen[first_write + 2 :] == ["COMMIT"]  # before: the attempt read again after it
    assert run_jobs() == 1  # the scoring, in a worker


def test_a_submit_reads_no_user_its_login_is_checked_in_the_papers_lookup(
    client, candidate, real_queue
):
    """A session's early submitters come in its busiest minute: the submit reads the paper
    with its user's session version in one statement (``login_claimed``), as the save and
    the poll, not the user and then the attempt as objects."""
    attempt_id, _token = begin(client)
    form = {"csrf_token": csrf_token(client, f"/attempts/{attempt_id}")}
    with statements() as seen:
        response = client.post(f"/attempts/{attempt_id}/submit", data=form)
    assert response.status_code == 302
    reads = [s.replace('"', "") for s in seen if s.startswith("SELECT")]  # PostgreSQL quotes
    assert not [s for s in reads if s.startswith("SELECT user.")], reads  # no user loaded
    lookup = reads[0]
    assert lookup.startswith("SELECT attempt.status, ") and " JOIN user " in lookup
    assert "user.session_version" in lookup and "user.must_change_password" in lookup
    assert db.session.get(Attempt, attempt_id, populate_existing=True).status == SUBMITTED


def test_a_submit_of_another_candidates_paper_or_by_a_login_owing_a_new_password_is_refused(
    client, candidate
):
    """What the user's load and the attempt's owner check refused before the submit read
    no user: another's paper is not found; a login that must change its password first
    (an admin's demand) hands nothing in. Neither closes the paper."""
    attempt_id, _token = begin(client)
    make_user("other")
    other = client.application.test_client()
    login(other, "other")
    token = csrf_token(other, "/")
    wants_json = {"Accept": "application/json"}
    stolen = other.post(
        f"/attempts/{attempt_id}/submit", data={"csrf_token": token}, headers=wants_json
    )
    assert stolen.status_code == 404 and "submitted" not in stolen.json
    db.session.execute(
        update(User).where(User.username == "candidate").values(must_change_password=True)
    )
    db.session.commit()
    token = csrf_token(client, "/password")
    owing = client.post(
        f"/attempts/{attempt_id}/submit", data={"csrf_token": token}, headers=wants_json
    )
    assert owing.status_code == 403 and "修改初始密码" in owing.json["error"]
    assert db.session.get(Attempt, attempt_id, populate_existing=True).status == IN_PROGRESS


def test_a_submit_past_the_grace_closes_the_paper_by_the_deadline(client, candidate, real_queue):
    """A page that posts 交卷 after the grace (a phone asleep at the zero, a network
    down) finds the paper closed by the deadline with what was saved, and is told so."""
    attempt_id, _token = begin(client)
    item = test_submitting.first_single(attempt_id)
    expire(attempt_id, seconds_ago=120)
    form = {
        "csrf_token": csrf_token(client, "/"),
        f"q{item.position}": test_submitting.other_answer(item),
    }
    handed_in = client.post(
        f"/attempts/{attempt_id}/submit", data=form, headers={"Accept": "application/json"}
    )
    assert handed_in.status_code == 200 and handed_in.json["submitted"] is True
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt.status == SUBMITTED and attempt.finalized_by == "deadline"
    stored = db.session.get(AttemptItem, (attempt_id, item.position), populate_existing=True)
    assert stored.response is None  # posted after the grace: too late to count


def _result_reads(client, attempt_id: int) -> int:
    with statements() as seen:
        page = client.get(f"/attempts/{attempt_id}/result")
    assert page.status_code == 200 and "正在评分" not in page.get_data(as_text=True)
    return len([s for s in seen if s.startswith("SELECT")])


def test_a_passed_result_page_asks_only_what_it_shows(client, candidate):
    attempt_id, token = begin(client)
    for item in items_of(attempt_id):
        save(client, attempt_id, {"position": item.position, "response": correct_response(item)}, token)  # fmt: skip
    submit_form(client, attempt_id)
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "合格" in page and "不合格" not in page and "按内容得分" in page
    assert re.search(r"答题详情将于本场考试所有考生作答结束后开放查看", page)
    # The user, the attempt with its sitting and exam (its scores by topic with it), when
    # the review opens, the certificates (before: 10; then 5, with the items' marks summed
    # by topic). Whether another test is live is asked only once 答题详情 would open
    # (before: always, and the exam on its own).
    assert _result_reads(client, attempt_id) <= 4


def test_a_failed_result_page_asks_only_what_it_shows(client, candidate):
    attempt_id, _token = begin(client)
    submit_form(client, attempt_id)
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "不合格" in page and "合格线" in page and "本场次的作答次数已用完" in page
    assert "练习这些内容" in page  # every topic is weak, and the bank may be practised
    # Besides a pass's reads (not the certificates): the attempts taken with the extra
    # attempts granted, and whether the bank may be practised (before: 15; then 8, with
    # the exam read on its own and whether another test is live; then 6, with the marks).
    assert _result_reads(client, attempt_id) <= 5


TOPIC_ROWS = re.compile(r'<table class="table topic-scores">.*?</table>', re.S)


def test_the_scores_by_topic_are_stored_with_the_score_as_the_items_sum(client, candidate):
    attempt_id, token = begin(client)
    for item in items_of(attempt_id)[::3]:
        save(client, attempt_id, {"position": item.position, "response": correct_response(item)}, token)  # fmt: skip
    submit_form(client, attempt_id)
    db.session.expire_all()
    sums: dict[str, list] = {}
    for item in items_of(attempt_id):
        topic = sums.setdefault(question_of(item.question_revision_id).topic, [0, 0])
        topic[0] += item.awarded
        topic[1] += item.points
    stored = db.session.get(Attempt, attempt_id).topics
    assert [(t["key"], Decimal(t["awarded"]), Decimal(t["possible"])) for t in stored] == [
        (key, awarded, possible) for key, (awarded, possible) in sums.items()
    ]
    assert len(sums) > 1 and any(Decimal(t["awarded"]) > 0 for t in stored)
    shown = TOPIC_ROWS.search(client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True))
    # A paper scored before they were stored: its page sums the items, to the same table.
    db.session.execute(update(Attempt).where(Attempt.id == attempt_id).values(topics=None))
    db.session.commit()
    summed = TOPIC_ROWS.search(client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True))
    assert shown and summed and shown.group(0) == summed.group(0)


def test_a_failed_result_counts_the_extra_attempts_granted(client, candidate):
    attempt_id, _token = begin(client)
    attempt = db.session.get(Attempt, attempt_id)
    for extra in (1, 2):
        db.session.add(
            SittingGrant(sitting_id=attempt.sitting_id, user_id=candidate.id,
                         extra_attempts=extra, reason="断网")
        )  # fmt: skip
    db.session.commit()
    submit_form(client, attempt_id)
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "本场次还可作答 3 次" in page  # 1 allowed + 3 granted - 1 taken


@pytest.mark.parametrize("closed_by", ["this exam", "another exam", "the bank"])
def test_a_failed_result_offers_no_practice_in_an_exam_only_bank(client, candidate, closed_by):
    attempt_id, _token = begin(client)
    if closed_by == "the bank":
        db.session.execute(update(BankVersion).values(practice=False))
        db.session.commit()
    else:
        code = "mini" if closed_by == "this exam" else "mini-closed"
        source = MINI_EXAM.replace("{when}", "immediately").replace("exam: mini", f"exam: {code}")
        save_exam(f"{source}practice: false\n".encode(), f"{code}.yaml")
    submit_form(client, attempt_id)
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "得分较低的内容" in page and "练习这些内容" not in page
