"""No key reaches a candidate who is sitting a test: practice, the notebook and other
reviews close while an attempt is live, the test page links nowhere else, and
exam-only banks and exams are never practised."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from app.admin.exams.exam_yaml import build_exam_yaml, form_data
from app.bank.services import publish
from app.exam.attempts import finalize
from app.exam.exams import save_exam
from app.exam.starting import start_attempt
from app.extensions import db
from app.models import Attempt, Bank, QuestionRevision
from app.models.types import utcnow
from app.practice.notebook import record_wrong_answers
from question_bank.bank_format import parse_bank
from question_bank.bank_writer import dump_bank
from question_bank.exam_format import parse_exam
from tests.app.exam_fixtures import (
    KEY_LINE,
    MINI_EXAM,
    close_now,
    open_sitting,
    review_of,
    review_refused,
    shipped_bank,
)
from tests.app.test_attempts import start
from tests.auth import csrf_token, login
from tests.factories import make_user

CLOSED = "考试期间练习和错题本暂停使用"
# Values for the URL arguments of practice routes; a new argument must be added here.
ARGUMENTS = {"run_id": None, "position": 1}


@pytest.fixture
def candidate(ctx):
    return make_user("candidate", name="张晓明")


def practice_run(client) -> int:
    """Start a practice run (before the test) and give its id."""
    token = csrf_token(client, "/practice/")
    data = {"csrf_token": token, "bank": "party-basics", "topics": ["charter"], "count": "5"}
    response = client.post("/practice/", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/practice/runs/(\d+)", response.headers["Location"]).group(1))


def practice_requests(app: Flask, run_id: int):
    """Every practice and notebook route of the URL map, with each of its methods."""
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("practice."):
            continue
        values = {name: ARGUMENTS[name] or run_id for name in rule.arguments}
        path = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


def test_every_practice_and_notebook_route_is_closed_during_a_test(app, client, candidate):
    sitting = open_sitting()
    login(client, "candidate")
    run_id = practice_run(client)  # a practice tab opened before the test
    record_wrong_answers(candidate.id, sitting.exam.bank_id, [("charter-0001", 1)])
    db.session.commit()
    attempt_id = start(client, sitting.id)
    token = csrf_token(client, "/")
    seen = []
    for endpoint, method, path in practice_requests(app, run_id):
        form = {"csrf_token": token, "bank": "party-basics", "question": "charter-0001"}
        page = client.open(path, method=method, data=form if method == "POST" else None)
        body = page.get_data(as_text=True)
        assert page.status_code == 403 and CLOSED in body, (endpoint, method, page.status_code)
        assert "张晓明" in body and "测试场次" in body  # says which test, and until when
        as_json = client.open(
            path, method=method, json={"question": "charter-0001"}, headers={"X-CSRFToken": token}
        )
        assert as_json.status_code == 403 and CLOSED in as_json.get_json()["error"], endpoint
        seen.append(endpoint)
    assert {"practice.index", "practice.submit", "practice.notebook_page"} <= set(seen)
    finalize(attempt_id, "candidate", utcnow())
    assert client.get("/practice/").status_code == 200, "open again once the test is handed in"


def test_practice_reopens_when_the_deadline_and_grace_have_passed(client, candidate):
    sitting = open_sitting()
    login(client, "candidate")
    attempt_id = start(client, sitting.id)
    assert client.get("/practice/notebook").status_code == 403
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id)
        .values(deadline=utcnow() - timedelta(minutes=5))
    )
    db.session.commit()
    assert client.get("/practice/notebook").status_code == 200


def test_the_test_page_links_nowhere_outside_the_test(client, candidate):
    sitting = open_sitting()
    login(client, "candidate")
    attempt_id = start(client, sitting.id)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    targets = re.findall(r'(?:href|action)="([^"]*)"', page)
    # the text size (大字) switch posts and comes straight back to this page
    allowed = (f"/attempts/{attempt_id}", "/static/", "/assets/", "#", "/logout", "/text-size")
    assert targets and all(t.startswith(allowed) for t in targets), targets
    assert "练习" not in page and "错题本" not in page


def test_an_earlier_review_shows_no_keys_during_a_test(client, candidate):
    first = open_sitting(max_attempts=1)  # review: keys, immediately
    login(client, "candidate")
    done = start(client, first.id)
    finalize(done, "candidate", utcnow())
    close_now(first)
    assert KEY_LINE in review_of(client, done)
    now = utcnow()
    second = open_sitting(opens=now - timedelta(minutes=1), closes=now + timedelta(hours=1))
    start_attempt(candidate, second, None, utcnow())
    page = client.get(f"/attempts/{done}/result").get_data(as_text=True)
    assert "考试期间答题详情暂停使用" in page
    assert review_of(client, done) == "" and review_refused(client, done)


def exam_only_bank() -> Bank:
    content = shipped_bank()
    source = dump_bank(content).replace("\ntopics:", "\npractice: false\ntopics:", 1)
    exam_only, report = parse_bank(source.encode())
    assert exam_only is not None and not exam_only.practice, report.ordered
    assert dump_bank(exam_only) == source, "practice: false survives export and import"
    publish(exam_only)
    return db.session.scalar(select(Bank))


def test_an_exam_only_bank_is_never_practised(client, candidate):
    publish(shipped_bank())
    login(client, "candidate")
    run_id = practice_run(client)
    revision = db.session.scalar(select(QuestionRevision).limit(1))
    record_wrong_answers(candidate.id, revision.bank_id, [(revision.question_key, revision.id)])
    db.session.commit()
    key = revision.data["explanation"]
    assert key in client.get("/practice/notebook").get_data(as_text=True)

    exam_only_bank()
    assert "党务基本知识题库" not in client.get("/practice/").get_data(as_text=True)
    token = csrf_token(client, "/practice/")
    refused = client.post(
        "/practice/",
        data={"csrf_token": token, "bank": "party-basics", "topics": ["charter"], "count": "5"},
    )
    assert refused.status_code == 404
    for path in (f"/practice/runs/{run_id}", f"/practice/runs/{run_id}/1"):
        page = client.get(path)
        assert page.status_code == 403 and "仅用于正式考试" in page.get_data(as_text=True)
    notebook = client.get("/practice/notebook").get_data(as_text=True)
    assert key not in notebook and revision.data["stem"] not in notebook
    rerun = client.post(
        "/practice/notebook/practice", data={"csrf_token": token, "bank": "party-basics"}
    )
    assert rerun.status_code == 302
    assert "仅用于正式考试" in client.get(rerun.headers["Location"]).get_data(as_text=True)


def test_an_exam_only_exam_closes_its_bank_to_practice(client, candidate):
    publish(shipped_bank())
    login(client, "candidate")
    assert "党务基本知识题库" in client.get("/practice/").get_data(as_text=True)
    exam = MINI_EXAM.replace("{when}", "after_close") + "practice: false\n"
    save_exam(exam.encode(), "mini.yaml")
    assert "党务基本知识题库" not in client.get("/practice/").get_data(as_text=True)
    save_exam(exam.replace("practice: false", "practice: true").encode(), "mini.yaml")
    assert "党务基本知识题库" in client.get("/practice/").get_data(as_text=True)


def test_practice_is_refused_as_json_too(client, candidate):
    sitting = open_sitting()
    login(client, "candidate")
    start(client, sitting.id)
    response = client.get("/practice/", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert CLOSED in json.loads(response.get_data(as_text=True))["error"]


def test_the_exam_form_keeps_an_exam_exam_only():
    source = MINI_EXAM.replace("{when}", "after_close") + "practice: false\n"
    data = form_data(source)
    assert data["exam_only"] is True
    rows = [dict(row) for row in data["sections"]]
    definition, report = parse_exam(build_exam_yaml(data | {"sections": rows}).source.encode())
    assert report.ok and definition.practice is False
    data["exam_only"] = False
    definition, _ = parse_exam(build_exam_yaml(data).source.encode())
    assert definition.practice is True
