"""Practice runs with instant feedback, and the wrong-answer notebook, through real forms."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.bank.services import publish
from app.extensions import db
from app.models import Bank, NotebookEntry, PracticeRun, QuestionRevision
from app.practice.notebook import record_wrong_answers
from question_bank.bank_format import parse_bank
from tests.auth import csrf_token, login
from tests.factories import make_user

BANK = """\
bank: party-basics
title: 党务基本知识题库
topics:
  charter: 中国共产党章程
  branch: 支部工作条例
questions:
  - {id: s1, type: single, topic: charter, stem: 单选一（　）。, options: {A: 甲, B: 乙}, answer: A, explanation: 解析s1, source: 出处s1}
  - {id: s2, type: single, topic: charter, stem: 单选二（　）。, options: {A: 丙, B: 丁}, answer: B, explanation: 解析s2, source: 出处s2}
  - {id: m1, type: multiple, topic: charter, stem: 多选（　）。, options: {A: 子, B: 丑, C: 寅}, answer: [A, C], explanation: 解析m1, source: 出处m1}
  - {id: j1, type: judge, topic: branch, stem: 判断一。, answer: true, explanation: 解析j1, source: 出处j1}
  - {id: j2, type: judge, topic: branch, stem: 判断二。, answer: false, explanation: 解析j2, source: 出处j2}
  - {id: f1, type: fill, topic: branch, stem: 填空____和____。, answer: [两, 三], explanation: 解析f1, source: 出处f1}
"""
RIGHT = {
    "s1": {"answer": "A"},
    "s2": {"answer": "B"},
    "m1": {"answer": ["A", "C"]},
    "j1": {"answer": "true"},
    "j2": {"answer": "false"},
    "f1": {"answer": ["两", " 三 "]},
}
WRONG = {
    "s1": {"answer": "B"},
    "s2": {"answer": "A"},
    "m1": {"answer": ["A"]},
    "j1": {"answer": "false"},
    "j2": {"answer": "true"},
    "f1": {"answer": ["一", "二"]},
}
QUESTION = re.compile(r'name="question" type="hidden" value="([^"]+)"')


@pytest.fixture
def bank(ctx) -> Bank:
    content, report = parse_bank(BANK.encode())
    assert content is not None, report
    publish(content)
    return db.session.scalar(select(Bank))


@pytest.fixture
def candidate(bank, client: FlaskClient) -> FlaskClient:
    make_user("alice")
    login(client, "alice")
    return client


def start(client: FlaskClient, **fields) -> object:
    data = {"bank": "party-basics", "topics": ["charter", "branch"], "count": "5", **fields}
    data["csrf_token"] = csrf_token(client, "/practice/")
    return client.post("/practice/", data=data, follow_redirects=True)


def post_answer(client: FlaskClient, page: str, key: str, fields: dict, follow: bool = True):
    run_id = re.search(r"/practice/runs/(\d+)", page).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "question": key, **fields}
    return client.post(f"/practice/runs/{run_id}/answer", data=data, follow_redirects=follow)


def play(client: FlaskClient, first_page: str, answers: dict[str, dict]) -> tuple[str, list[str]]:
    """Answer every question of a run from its first page; the summary and the keys seen."""
    page, keys = first_page, []
    run_path = re.search(r"/practice/runs/\d+", first_page).group(0)
    while (match := QUESTION.search(page)) and "提交答案" in page:
        key = match.group(1)
        keys.append(key)
        assert f"解析{key}" not in page and "正确答案" not in page
        feedback = post_answer(client, page, key, answers[key]).get_data(as_text=True)
        assert f"解析{key}" in feedback and f"出处{key}" in feedback and "正确答案" in feedback
        page = client.get(run_path, follow_redirects=True).get_data(as_text=True)
    return page, keys


def test_full_run_gives_feedback_and_a_summary(candidate):
    first = start(candidate)
    assert first.request.path.endswith("/1") and "第 1 / 5 题" in first.get_data(as_text=True)
    summary, keys = play(candidate, first.get_data(as_text=True), RIGHT)
    assert len(set(keys)) == 5 and "答对 <strong>5</strong> / 5 题" in summary
    run = db.session.scalar(select(PracticeRun))
    assert run.seed and [i.question_key for i in run.items] == keys
    assert db.session.scalar(select(func.count()).select_from(NotebookEntry)) == 0


def test_feedback_names_the_correct_answer_and_the_given_one(candidate):
    page = start(candidate, topics=["charter"], types=["multiple", "single"]).get_data(as_text=True)
    key = QUESTION.search(page).group(1)
    html = post_answer(candidate, page, key, WRONG[key]).get_data(as_text=True)
    assert "回答错误" in html and "你的答案" in html and f"解析{key}" in html
    correct = re.search(r"正确答案：</strong>(.*?)</p>", html).group(1)
    given = re.search(r"你的答案：</strong>(.*?)</p>", html).group(1)
    expected = {"s1": ("甲", "乙"), "s2": ("丁", "丙"), "m1": ("子", "子")}[key]
    assert expected[0] in correct and given.endswith(expected[1])
    assert key != "m1" or ("寅" in correct and "丑" not in correct)
    again = post_answer(candidate, html, key, RIGHT[key])
    assert "回答错误" in again.get_data(as_text=True), "the first answer stands"
    entry = db.session.scalar(select(NotebookEntry))
    assert (entry.question_key, entry.times_wrong) == (key, 1)


def test_fill_blanks_are_compared_after_normalizing(candidate):
    page = start(candidate, topics=["branch"], types=["fill"]).get_data(as_text=True)
    assert "所选范围只有 1 道题" in page
    html = post_answer(candidate, page, "f1", {"answer": ["两", " 三 "]}).get_data(as_text=True)
    assert "回答正确" in html and "第 1 空：两；第 2 空：三" in html


def test_notebook_collects_wrong_answers_and_clears_on_a_right_one(candidate, bank):
    _, wrong_keys = play(candidate, start(candidate).get_data(as_text=True), WRONG)
    notebook = candidate.get("/practice/notebook").get_data(as_text=True)
    assert "5 道待巩固" in notebook and all(f"解析{k}" in notebook for k in wrong_keys)
    token = csrf_token(candidate, "/practice/notebook")
    rerun = candidate.post(
        "/practice/notebook/practice",
        data={"csrf_token": token, "bank": "party-basics"},
        follow_redirects=True,
    )
    answers = {k: RIGHT[k] if k == wrong_keys[0] else WRONG[k] for k in RIGHT}
    _, keys = play(candidate, rerun.get_data(as_text=True), answers)
    assert sorted(keys) == sorted(wrong_keys)
    db.session.expire_all()
    entries = {e.question_key: e for e in db.session.scalars(select(NotebookEntry))}
    cleared = entries[wrong_keys[0]]
    assert cleared.cleared_at is not None and cleared.times_wrong == 1
    assert all(entries[k].times_wrong == 2 and not entries[k].cleared_at for k in wrong_keys[1:])
    assert "4 道待巩固" in candidate.get("/practice/notebook").get_data(as_text=True)
    history = candidate.get("/practice/notebook?all=1").get_data(as_text=True)
    assert f"解析{wrong_keys[0]}" in history and "答对移出" in history


def test_record_wrong_answers_for_exam_results(bank):
    user = make_user("bob")
    query = select(QuestionRevision.question_key, QuestionRevision.id)
    revisions = dict(db.session.execute(query).tuples().all())
    record_wrong_answers(user.id, bank.id, [("s1", revisions["s1"]), ("j1", revisions["j1"])])
    record_wrong_answers(user.id, bank.id, [("s1", revisions["s1"] - 1)])
    db.session.commit()
    entries = {e.question_key: e for e in db.session.scalars(select(NotebookEntry))}
    assert entries["s1"].times_wrong == 2 and entries["s1"].last_source == "exam"
    assert entries["s1"].question_revision_id == revisions["s1"], "newest revision kept"
    assert entries["j1"].times_wrong == 1


def test_another_users_run_is_not_found(candidate, client):
    page = start(candidate).get_data(as_text=True)
    run_id = re.search(r"/practice/runs/(\d+)", page).group(1)
    key = QUESTION.search(page).group(1)
    candidate.post("/logout", data={"csrf_token": csrf_token(candidate, "/practice/")})
    make_user("mallory")
    login(client, "mallory")
    assert client.get(f"/practice/runs/{run_id}").status_code == 404
    assert client.get(f"/practice/runs/{run_id}/1").status_code == 404
    token = csrf_token(client, "/practice/")
    forged = {"csrf_token": token, "question": key, **RIGHT[key]}
    assert client.post(f"/practice/runs/{run_id}/answer", data=forged).status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"question": "not-in-run"}, "该题不在本次练习中"),
        ({"answer": "Z"}, "所选的不是本题的选项"),
        ({}, "请先作答再提交"),
    ],
)
def test_hostile_answers_are_refused(candidate, fields, message):
    page = start(candidate, topics=["charter"], types=["single"], count="5")
    html = page.get_data(as_text=True)
    key = QUESTION.search(html).group(1)
    response = post_answer(candidate, html, fields.pop("question", key), fields, follow=False)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"topics": ["charter", "<script>"]}, "题库中没有这些知识范围：&lt;script&gt;"),
        ({"topics": []}, "请至少选择一个知识范围"),
        ({"types": ["essay"]}, "题型只能是"),
        ({"count": "4"}, "题量应为 5 到 50 道"),
        ({"count": "51"}, "题量应为 5 到 50 道"),
        ({"count": "十"}, "题量应为整数"),
    ],
)
def test_bad_start_forms_are_refused(candidate, fields, message):
    response = start(candidate, **fields)
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PracticeRun)) == 0


def test_unknown_bank_and_missing_csrf_are_refused(candidate):
    assert start(candidate, bank="no-such-bank").status_code == 404
    plain = candidate.post("/practice/", data={"topics": ["charter"], "count": "5"})
    assert plain.status_code == 400
    assert candidate.get("/practice/notebook").status_code == 200


def test_practice_needs_login(client, bank):
    assert client.get("/practice/").status_code == 302
