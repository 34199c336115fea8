"""Every admin route, as each kind of user: exactly what each should get.

The routes are read from the app's URL map, so a new admin page that this table does not
classify fails here until someone decides who may see it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask

from app.admin.banks.uploads import store_upload
from app.exam.attempts import finalize
from app.exam.starting import start_attempt
from app.extensions import db
from app.models import Bank, Certificate, Exam, Role, Unit
from app.models.types import utcnow
from tests.app.exam_fixtures import BANK_FILE, open_sitting, shipped_bank
from tests.auth import csrf_token, login
from tests.factories import make_user

SYSTEM_ONLY = {"admin_banks", "admin_exams", "admin_sittings", "admin_audit", "admin_certificates"}
SYSTEM_ONLY_ENDPOINTS = {
    "admin_results.rescore_index",
    "admin_results.rescore_bank",
    "admin_results.statistics",
    "admin_results.statistics_export",
    "admin_people.unit",  # a unit's management page (rename, move); unit admins see the tree
}
# Objects owned by a unit: outside the admin's subtree they do not exist (404).
UNIT_OWNED = {
    "admin_people.person": "user_id",
    "admin_results.unit": "unit_id",
    "admin_results.unit_export": "unit_id",
    "admin_results.attempt": "attempt_id",
    "admin_people.confirm_remove_unit": "unit_id",  # asks before a unit's registration goes
}
# Pages that are open to every admin but show each only their own subtree's people.
SCOPED_LISTINGS = {
    "admin.index", "admin_people.index", "admin_people.units", "admin_people.sittings",
    "admin_people.registrations", "admin_people.import_people", "admin_people.import_template",
    "admin_people.lookup",
    "admin_results.index", "admin_results.sitting", "admin_results.sitting_export", "admin_results.dashboard",
    "admin_live.sitting", "admin_people.slips",
}  # fmt: skip


@pytest.fixture
def world(app: Flask, ctx):
    """工委 > 财政局 > 办公室 (the candidate), 工委 > 教育局; a finished attempt."""
    root = Unit(name="市级机关工委")
    finance = Unit(name="市财政局", parent=root)
    office = Unit(name="办公室", parent=finance)
    education = Unit(name="市教育局", parent=root)
    db.session.add_all([root, finance, office, education])
    db.session.commit()
    sysadmin = make_user("sys", role=Role.SYSTEM_ADMIN, unit=root)
    make_user("fin", role=Role.UNIT_ADMIN, unit=finance)
    make_user("edu", role=Role.UNIT_ADMIN, unit=education)
    candidate = make_user("candidate", name="欧阳秘书", unit=office)
    sitting = open_sitting(("candidate",))
    attempt = start_attempt(candidate, sitting, None, utcnow())
    finalize(attempt.id, "candidate", utcnow() + timedelta(minutes=1))
    bank = shipped_bank()
    upload = store_upload(BANK_FILE.read_bytes(), "bank.yaml", bank, sysadmin)
    certificate = Certificate(
        number="ZN2026000001", type_id="competency", user_id=candidate.id, attempt_id=attempt.id,
        holder_name=candidate.name, title="职业能力认证证书", level=None, issued_on=date(2026, 1, 1),
        expires_on=date(2029, 1, 1), issuer="市级机关工委", rules_version="1",
        rules_digest="0" * 64, token="t" * 32, pdf=b"%PDF",
    )  # fmt: skip
    db.session.add(certificate)
    db.session.commit()
    return {
        "name": bank.name, "qid": bank.questions[0].id, "number": 1, "token": upload.id,
        "exam_id": db.session.scalar(db.select(Exam.id)), "sitting_id": sitting.id,
        "attempt_id": attempt.id, "user_id": candidate.id, "unit_id": office.id, "fmt": "csv", "kind": "xlsx",
        "bank_id": db.session.scalar(db.select(Bank.id)), "certificate_id": certificate.id,
    }  # fmt: skip


def admin_get_routes(app: Flask) -> list[tuple[str, str]]:
    rules = [
        r for r in app.url_map.iter_rules() if r.rule.startswith("/admin") and "GET" in r.methods
    ]
    return sorted((r.endpoint, r.rule) for r in rules)


def url_for_rule(rule: str, world: dict) -> str:
    path = re.sub(r"<(?:[^:<>]+:)?([a-z_]+)(?:\([^)]*\))?>", lambda m: str(world[m.group(1)]), rule)
    return path + ("?old=1&new=1" if path.endswith("/diff") else "")


def expected(endpoint: str, who: str, url: str) -> set[int]:
    if who == "anonymous":  # a page goes to the login page; a script asking for JSON is told
        return {401} if url.endswith(".json") else {302}
    if who == "candidate":
        return {403}
    if who == "sys":
        return {200}
    if endpoint.split(".")[0] in SYSTEM_ONLY or endpoint in SYSTEM_ONLY_ENDPOINTS:
        return {403}
    if endpoint in UNIT_OWNED:
        return {200} if who == "fin" else {404}
    assert endpoint in SCOPED_LISTINGS, (
        f"{endpoint}: classify this new admin route in the access table"
    )
    return {200}


@pytest.mark.parametrize("who", ["anonymous", "candidate", "edu", "fin", "sys"])
def test_every_admin_page_gives_each_user_exactly_what_they_should(app, client, world, who):
    if who != "anonymous":
        login(client, who)
    wrong = []
    for endpoint, rule in admin_get_routes(app):
        url = url_for_rule(rule, world)
        response = client.get(url)
        if response.status_code not in expected(endpoint, who, url):
            wrong.append((url, response.status_code, sorted(expected(endpoint, who, url))))
        if who == "anonymous" and url.endswith(".json"):
            assert response.get_json()["expired"] is True, url
        elif who == "anonymous":
            assert "/login" in response.headers.get("Location", ""), url
        if who == "edu" and response.status_code == 200:
            body = response.get_data().decode("utf-8", "replace")
            assert "欧阳秘书" not in body, f"{url} shows another unit's candidate"
    assert wrong == []


def test_every_admin_form_refuses_candidates_and_anonymous_users(app, client, world):
    posts = sorted(
        (r.endpoint, r.rule)
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/admin") and "POST" in r.methods
    )
    assert len(posts) >= 20
    for _endpoint, rule in posts:
        response = client.post(url_for_rule(rule, world), data={})
        assert response.status_code in (302, 400), rule  # 400: no CSRF token; never done
    login(client, "candidate")
    token = csrf_token(client, "/")
    for _endpoint, rule in posts:
        assert (
            client.post(url_for_rule(rule, world), data={"csrf_token": token}).status_code == 403
        ), rule


def test_a_unit_admin_cannot_register_another_units_candidate_by_forging_the_form(client, world):
    login(client, "edu")
    path = f"/admin/people/sessions/{world['sitting_id']}/registrations"
    token = csrf_token(client, path)
    client.post(f"{path}/units", data={"csrf_token": token, "unit_id": world["unit_id"]})
    from app.models import SittingUnit

    registered = db.session.scalars(db.select(SittingUnit.unit_id)).all()
    assert world["unit_id"] not in registered
