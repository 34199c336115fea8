"""Submitting is one short write; scoring, certificates and deadlines run in the job queue.

Most tests run huey in immediate mode (jobs run at once, in the request); those named
``real_queue`` use its SQLite storage, as deployed, and run the jobs as a worker would.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.exam import scoring
from app.exam.catalog import question_of
from app.exam.waits import LONGEST_WAIT
from app.extensions import db
from app.jobs import queue
from app.jobs.deadlines import close_expired
from app.jobs.queue import huey
from app.jobs.tasks import enqueue_owed, enqueue_scoring, scoring_marker, sweep_now
from app.models import Attempt, AttemptItem, JobFailure, Role
from app.models.attempt import FINALIZED, IN_PROGRESS, SUBMITTED
from app.models.types import utcnow
from tests.app.test_attempts import begin, correct_response, items_of, save
from tests.auth import csrf_token, login
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def candidate(ctx):
    return make_user("candidate", name="张晓明")


@pytest.fixture
def real_queue(app, tmp_path):
    """The queue on an SQLite file, as deployed: jobs wait until a worker runs them."""
    app.config.update(JOBS_IMMEDIATE=False, JOB_QUEUE_URL=f"sqlite:///{tmp_path / 'jobs.db'}")
    queue.configure(app)
    yield huey
    app.config["JOBS_IMMEDIATE"] = True
    queue.configure(app)


def run_jobs(timestamp=None) -> int:
    """What a worker does: run every queued job (and scheduled retries due by then)."""
    ran, timestamp = 0, timestamp or huey._get_timestamp()
    for task in huey.read_schedule(timestamp):
        huey.enqueue(task)
    while (task := huey.dequeue()) is not None:
        huey.execute(task, timestamp)
        ran += 1
    db.session.expire_all()  # a worker is another process: what this session holds is stale
    return ran


def other_answer(item: AttemptItem):
    """A valid answer different from the key (for a choice question)."""
    question = question_of(item.question_revision_id)
    return next(key for key, _text in question.options if key not in question.keys)


def first_single(attempt_id: int) -> AttemptItem:
    return next(
        i for i in items_of(attempt_id)
        if question_of(i.question_revision_id).type == "single"
    )  # fmt: skip


def submit_form(client, attempt_id: int, **fields):
    token = csrf_token(client, f"/attempts/{attempt_id}")
    return client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token, **fields})


def test_submit_answers_at_once_and_a_worker_scores(client, candidate, real_queue):
    attempt_id, token = begin(client)
    item = first_single(attempt_id)
    save(client, attempt_id, {"position": item.position, "response": correct_response(item)}, token)
    response = submit_form(client, attempt_id)
    assert response.status_code == 302
    assert db.session.get(Attempt, attempt_id, populate_existing=True).status == SUBMITTED
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "正在评分" in page and "result-status.js" in page and "<script>" not in page
    assert client.get(f"/attempts/{attempt_id}/status").json["scored"] is False
    assert run_jobs() == 1
    assert client.get(f"/attempts/{attempt_id}/status").json["scored"] is True
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "正在评分" not in page and "分" in page
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt.status == FINALIZED and attempt.finalized_by == "candidate"
    assert attempt.score is not None and attempt.score > 0


def test_the_pages_submit_is_told_the_wait_instead_of_sent_to_a_page(client, candidate, real_queue):
    """The test page's script posts 交卷 asking for JSON and stays, saying the paper is
    being scored: it gets the wait before its first ask, not a redirect to a page saying
    "wait". Posted again (its answer lost on the way), it is told the same, and nothing
    is recorded twice; once scored, no wait."""
    attempt_id, _token = begin(client)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    wants_json = {"Accept": "application/json"}

    def hand_in():
        return client.post(
            f"/attempts/{attempt_id}/submit", data={"csrf_token": token}, headers=wants_json
        )

    first = hand_in()
    assert first.status_code == 200 and first.json["submitted"] is True
    assert 0 <= first.json["wait_seconds"] <= LONGEST_WAIT
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt.status == SUBMITTED and attempt.finalized_by == "candidate"
    finalized_at = attempt.finalized_at
    again = hand_in()
    assert again.status_code == 200 and again.json["submitted"] is True
    assert db.session.get(Attempt, attempt_id, populate_existing=True).finalized_at == finalized_at
    assert run_jobs() == 1
    assert hand_in().json == {"submitted": True, "wait_seconds": 0}


def test_a_pages_submit_that_is_refused_gets_no_submitted(client, candidate):
    """What the page's script then posts the form's own way (the login page, the stale
    page's message): a forged token, an ended login. Neither closes the paper."""
    attempt_id, _token = begin(client)
    wants_json = {"Accept": "application/json"}
    forged = client.post(
        f"/attempts/{attempt_id}/submit", data={"csrf_token": "forged"}, headers=wants_json
    )
    assert forged.status_code == 401 and "submitted" not in forged.json
    client.post("/logout", data={"csrf_token": csrf_token(client, f"/attempts/{attempt_id}")})
    token = csrf_token(client, "/login")
    ended = client.post(
        f"/attempts/{attempt_id}/submit", data={"csrf_token": token}, headers=wants_json
    )
    assert ended.status_code == 401 and "submitted" not in ended.json
    assert db.session.get(Attempt, attempt_id, populate_existing=True).status == IN_PROGRESS


def test_a_stale_tabs_submit_keeps_newer_saved_answers(client, candidate):
    """Issue 10 item 6: tab A loaded the paper, tab B then answered differently; A's
    submit (its older choice on the page) must not overwrite B's newer answer."""
    attempt_id, token = begin(client)
    item = first_single(attempt_id)
    stale_page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    page_at = re.search(r'name="page_at" value="(\d+)"', stale_page).group(1)
    time.sleep(0.01)
    newer = correct_response(item)
    assert (
        save(client, attempt_id, {"position": item.position, "response": newer}, token).status_code
        == 200
    )
    submit_form(client, attempt_id, page_at=page_at, **{f"q{item.position}": other_answer(item)})
    db.session.expire_all()
    stored = next(i for i in items_of(attempt_id) if i.position == item.position)
    assert stored.response == newer and stored.verdict == "correct"


def test_a_submit_saves_answers_changed_after_the_stored_one(client, candidate):
    attempt_id, token = begin(client)
    item = first_single(attempt_id)
    save(client, attempt_id, {"position": item.position, "response": other_answer(item)}, token)
    later = int((utcnow().timestamp() + 0.5) * 1000)
    time.sleep(0.6)
    submit_form(
        client, attempt_id, page_at="1", **{f"q{item.position}": correct_response(item),
        f"changed{item.position}": str(later)},
    )  # fmt: skip
    db.session.expire_all()
    assert next(i for i in items_of(attempt_id) if i.position == item.position).verdict == "correct"


def test_an_older_save_cannot_overwrite_a_newer_one(client, candidate):
    attempt_id, token = begin(client)
    item = first_single(attempt_id)
    now_ms = int(utcnow().timestamp() * 1000)
    newer = {"position": item.position, "response": correct_response(item), "changed_at": now_ms}
    older = {"position": item.position, "response": other_answer(item), "changed_at": now_ms - 5000}
    assert save(client, attempt_id, newer, token).status_code == 200
    refused = save(client, attempt_id, older, token)
    assert refused.status_code == 409 and "更新的答案" in refused.json["error"]
    assert save(client, attempt_id, newer, token).status_code == 200  # a retry is fine
    db.session.expire_all()
    stored = next(i for i in items_of(attempt_id) if i.position == item.position)
    assert stored.response == correct_response(item)


def expire(attempt_id: int, seconds_ago: int = 120) -> None:
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id)
        .values(deadline=utcnow() - timedelta(seconds=seconds_ago))
    )
    db.session.commit()


def test_the_workers_close_and_score_an_abandoned_paper_and_say_time_was_up(
    client, candidate, real_queue
):
    """Issue 10 item 7 and nothing waits for cron: the candidate closed the browser; the
    periodic sweep closes the paper as the deadline's, a worker scores it, and the result
    says so."""
    attempt_id, token = begin(client)
    item = first_single(attempt_id)
    save(client, attempt_id, {"position": item.position, "response": correct_response(item)}, token)
    expire(attempt_id)
    assert sweep_now(utcnow(), timedelta(seconds=60)) == 1
    assert run_jobs() == 1
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt.status == FINALIZED and attempt.finalized_by == "deadline"
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "时间到，系统已按截止时的作答自动交卷" in page


def test_a_test_page_opened_past_its_grace_closes_the_paper_with_what_was_saved(
    client, candidate, real_queue
):
    """The candidate comes back to the test page (a bookmark, a reload) after the deadline
    and its grace, before the server's close: the page does not open for answering; the
    paper is closed with what was saved, once, and scored by a worker. The page reads in
    autocommit, and this one write still runs in its own transaction."""
    attempt_id, token = begin(client)
    item = first_single(attempt_id)
    save(client, attempt_id, {"position": item.position, "response": correct_response(item)}, token)
    expire(attempt_id)
    db.session.remove()  # each request of a server starts with a fresh session
    page = client.get(f"/attempts/{attempt_id}")
    assert page.status_code == 302 and page.location.endswith(f"/attempts/{attempt_id}/result")
    assert client.get(f"/attempts/{attempt_id}").status_code == 302
    assert run_jobs() == 1
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt.status == FINALIZED and attempt.finalized_by == "deadline"
    assert attempt.score > 0


def test_at_the_timers_zero_the_result_page_waits_for_the_server(client, candidate, real_queue):
    """Within the grace after the deadline the page asks for the result: it is told to
    wait (nothing is posted as the candidate's), and the server closes the paper itself."""
    attempt_id, _token = begin(client)
    expire(attempt_id, seconds_ago=1)
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "时间到，系统将按截止时已保存的作答自动交卷" in page
    status = client.get(f"/attempts/{attempt_id}/status").json
    assert status["state"] == IN_PROGRESS and 0 < status["wait_seconds"] <= 30
    expire(attempt_id, seconds_ago=31)
    now = utcnow()
    enqueue_owed(close_expired(now), now)  # the server's close (app.jobs.deadlines)
    assert client.get(f"/attempts/{attempt_id}/status").json["state"] == SUBMITTED
    run_jobs()
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt.finalized and attempt.finalized_by == "deadline"


def test_the_take_page_does_not_post_the_paper_at_zero():
    """The page's script at zero: no form submit (which the server would record as the
    candidate's own); it stays and waits for the score (result-status.js) instead of
    loading the result page (test_time_up_browser shows it in a browser)."""
    script = (ROOT / "app" / "static" / "attempt.js").read_text()
    at_zero = script[script.index("function timeUp") :]
    assert "form.submit()" not in at_zero and "requestSubmit" not in at_zero
    assert "location" not in at_zero and '"exam:paper-closed"' in at_zero


def test_a_failing_job_is_retried_and_shown_to_admins(client, candidate, real_queue, monkeypatch):
    attempt_id, _token = begin(client)
    real_score, failures = scoring.score_once, []

    def flaky(*args):
        if not failures:
            failures.append(1)
            raise RuntimeError("数据库暂时不可用")
        return real_score(*args)

    monkeypatch.setattr(scoring, "score_once", flaky)
    submit_form(client, attempt_id)
    run_jobs()
    assert db.session.get(Attempt, attempt_id, populate_existing=True).status == SUBMITTED
    failure = db.session.scalars(select(JobFailure)).one()
    assert "score_attempt" in failure.task and failure.retries_left == 3
    make_user("admin", role=Role.SYSTEM_ADMIN)
    admin = client.application.test_client()
    login(admin, "admin")
    home = admin.get("/admin/").get_data(as_text=True)
    assert "后台任务失败 1 次" in home and "数据库暂时不可用" in home
    run_jobs(huey._get_timestamp() + timedelta(seconds=11))  # the retry, when it is due
    assert db.session.get(Attempt, attempt_id, populate_existing=True).status == FINALIZED


def test_a_job_for_an_attempt_that_does_not_exist_is_dropped_not_failed(
    client, candidate, real_queue
):
    """A queue kept beside a database restored from before its attempts: each such job
    once raised AttributeError, was retried three times and shown to admins as failing."""
    attempt_id, _token = begin(client)
    assert enqueue_scoring(attempt_id + 1000, utcnow())
    assert run_jobs() == 1
    assert db.session.scalars(select(JobFailure)).all() == []
    assert run_jobs(huey._get_timestamp() + timedelta(seconds=11)) == 0  # no retry waits


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _worker(database_url: str, jobs_url: str, tmp_path: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ, "FLASK_APP": "app", "DATABASE_URL": database_url, "JOB_QUEUE_URL": jobs_url,
        "INSTANCE_PATH": str(tmp_path / "instance"), "JOBS_IMMEDIATE": "0",
    }  # fmt: skip
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "jobs", "worker", "--workers", "1"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip


def test_a_killed_worker_loses_no_job(app, client, candidate, real_queue, database_url, tmp_path):
    """kill -9 a real worker process while it scores; even if the queue lost every job,
    the restarted worker finds the unscored paper in the database and scores it."""
    attempt_id, _token = begin(client)
    submit_form(client, attempt_id)
    log = tmp_path / "worker.log"
    blocker = db.engine.connect()
    blocker.begin()
    blocker.execute(update(Attempt).where(Attempt.id == attempt_id).values(seed=Attempt.seed))
    worker = _worker(database_url, app.config["JOB_QUEUE_URL"], tmp_path, log)
    try:
        # A job clears its waiting marker first thing (the sweep re-queues only papers
        # closed a minute ago): once it is gone, the worker is scoring.
        marker = scoring_marker(attempt_id)
        _wait_for(lambda: huey.get(marker, peek=True) is None, 60, "the worker to take the job")
        time.sleep(0.5)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    finally:
        blocker.rollback()
        blocker.close()
    assert db.session.get(Attempt, attempt_id, populate_existing=True).status == SUBMITTED
    huey.flush()  # the worst case: the queue kept nothing
    worker = _worker(database_url, app.config["JOB_QUEUE_URL"], tmp_path, log)
    try:
        _wait_for(
            lambda: db.session.get(Attempt, attempt_id, populate_existing=True).finalized,
            60, "the restarted worker to score the paper",
        )  # fmt: skip
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert json.dumps(str(db.session.get(Attempt, attempt_id).score))
