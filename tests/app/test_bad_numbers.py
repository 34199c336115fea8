"""Numbers no column can hold, dates no zone can convert, JSON nested a thousand deep:
a 4xx with a Chinese message, never a 500 (issue 10, items 16 and 19)."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask

from app.extensions import db
from app.models import Role, Unit
from tests.app.exam_fixtures import open_sitting
from tests.auth import csrf_token, login
from tests.factories import make_user

HUGE = str(2**64)
BAD_QUERY = f"page={HUGE}&unit={HUGE}&old={HUGE}&new={HUGE}&position={HUGE}&session={HUGE}"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def admin(app: Flask, ctx):
    unit = Unit(name="市财政局")
    db.session.add(unit)
    db.session.commit()
    make_user("sys", role=Role.SYSTEM_ADMIN, unit=unit)
    make_user("candidate", unit=unit)
    client = app.test_client()
    login(client, "sys")
    return client


def _int_rules(app: Flask):
    """Every rule but logging out (the walk stays logged in)."""
    return [r for r in app.url_map.iter_rules() if r.endpoint != "auth.logout"]


def _fill(rule: str, value: str) -> str:
    return re.sub(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>",
                  lambda m: value if m.group(1) == "int" else "x", rule)  # fmt: skip


def test_every_route_with_a_huge_number_in_its_url_or_query_is_a_4xx(app, admin, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # collect every 500
    token = csrf_token(admin, "/")
    wrong = []
    for rule in _int_rules(app):
        url = _fill(rule.rule, HUGE)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            query = "" if method == "POST" else "?" + BAD_QUERY
            response = admin.open(url + query, method=method, data={"csrf_token": token})
            if response.status_code >= 500:
                wrong.append((method, url + query, response.status_code))
    assert wrong == []
    assert admin.get("/admin/people/").status_code == 200, "still logged in at the end"


def test_a_huge_url_number_is_a_chinese_404(admin):
    response = admin.get(f"/admin/people/{HUGE}")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)
    assert admin.get("/admin/people/" + "9" * 5000).status_code == 404


def test_an_answer_body_with_nothing_to_save_is_a_400(app, ctx):
    make_user("candidate")
    sitting = open_sitting(("candidate",))
    client = app.test_client()
    login(client, "candidate")
    page = client.post(
        f"/sessions/{sitting.id}",
        data={"csrf_token": csrf_token(client, f"/sessions/{sitting.id}")},
    )
    attempt_path = re.search(r'data-page-url="([^"]+)"', page.get_data(as_text=True)).group(1)
    answers = f"{attempt_path}/answers"
    headers = {"X-CSRFToken": csrf_token(client, attempt_path)}
    empty = client.post(answers, json={"position": 1}, headers=headers)
    assert empty.status_code == 400 and CHINESE.search(empty.get_json()["error"])
    deep = client.post(answers, data="[" * 20_000 + "]" * 20_000,
                       content_type="application/json", headers=headers)  # fmt: skip
    assert deep.status_code == 400 and CHINESE.search(deep.get_json()["error"])
    large = client.post(answers, json={"position": 1, "response": "A" * 100_000}, headers=headers)
    assert large.status_code == 400 and CHINESE.search(large.get_json()["error"])
    huge = client.post(answers, json={"position": 2**70, "response": "A"}, headers=headers)
    assert huge.status_code in (400, 404) and CHINESE.search(huge.get_json()["error"])


def test_deeply_nested_json_to_the_verify_api_is_a_400(client, ctx):
    response = client.post("/verify.json", data='{"a":' * 10_000 + "1" + "}" * 10_000,
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 400


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_sitting_in_year_1_or_9999_is_refused_with_a_message(admin, when):
    from app.models import Exam

    exam_id = db.session.scalar(db.select(Exam.id))
    token = csrf_token(admin, "/admin/exams/sessions/new")
    response = admin.post(
        "/admin/exams/sessions/new",
        data={"csrf_token": token, "exam_id": exam_id or 1, "title": "场次", "opens_at": when,
              "closes_at": when, "max_attempts": 1},
    )  # fmt: skip
    assert response.status_code in (200, 400)
    assert "2000" in response.get_data(as_text=True)


def test_a_huge_exam_id_in_the_sitting_form_is_refused(admin):
    token = csrf_token(admin, "/admin/exams/sessions/new")
    response = admin.post(
        "/admin/exams/sessions/new",
        data={"csrf_token": token, "exam_id": HUGE, "title": "场次", "opens_at": "2026-12-01T09:00",
              "closes_at": "2026-12-01T11:00", "max_attempts": 1},
    )  # fmt: skip
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_audit_filters_with_extreme_dates_are_not_errors(admin, day):
    response = admin.get(f"/admin/audit/?date_from={day}&date_to={day}")
    assert response.status_code in (200, 400)


def test_a_405_is_in_chinese(client):
    response = client.put("/login")
    assert response.status_code == 405 and "不支持这种请求方式" in response.get_data(as_text=True)
    assert "GET" in response.headers["Allow"]


def test_api_errors_are_json_in_chinese(client):
    response = client.get("/v/nothing-here.json")
    assert response.status_code == 404
    assert CHINESE.search(json.dumps(response.get_json(), ensure_ascii=False))


def test_login_length_errors_are_in_chinese(client):
    token = csrf_token(client, "/login")
    page = client.post("/login", data={"username": "x" * 65, "password": "y", "csrf_token": token})
    text = page.get_data(as_text=True)
    assert "用户名过长" in text and "Field must be" not in text


def test_bank_pages_with_huge_page_and_version_numbers(admin):
    from app.bank.services import publish
    from tests.app.exam_fixtures import shipped_bank

    name = shipped_bank().name
    publish(shipped_bank())
    assert admin.get(f"/admin/banks/{name}/?page={HUGE}").status_code == 200
    assert admin.get(f"/admin/banks/{name}/diff?old={HUGE}&new={HUGE}").status_code == 404


def test_no_validator_falls_back_to_english():
    """Every Length and Required validator in the app carries its own Chinese message."""
    from pathlib import Path

    sources = Path(__file__).resolve().parents[2].joinpath("app").rglob("*.py")
    bare = [
        f"{path.name}: {match}"
        for path in sources
        for match in re.findall(
            r"(?:Length|DataRequired|InputRequired)\([^)]*\)", path.read_text(encoding="utf-8")
        )
        if "message" not in match and '"' not in match
    ]
    assert bare == []
