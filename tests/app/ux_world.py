"""A small world for browser tours of every page: units, one person of each role, a
sitting with a finished attempt and one in progress, and the pages each role can open."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from app.exam.attempts import finalize
from app.exam.starting import start_attempt
from app.extensions import db
from app.models import Attempt, Certificate, Exam, Role, Unit, User
from app.models.audit import record
from app.models.types import utcnow
from tests.app.exam_fixtures import open_sitting
from tests.factories import make_user

PASSWORD = "correct-horse-1"
CERTIFICATE_TOKEN = "Vq3x9LrT0aKcPz7mW2nB5sD8fG1hJ4kY"


@dataclass(frozen=True)
class World:
    pages: dict[str, list[str]]  # username ("" for anonymous) -> paths
    finished: Attempt
    running: Attempt
    candidate: User


def build_world() -> World:
    root = Unit(name="市级机关工委")
    finance = Unit(name="市财政局", parent=root)
    office = Unit(name="市财政局办公室", parent=finance)
    db.session.add_all([root, finance, office])
    db.session.commit()
    admin = make_user("admin", name="系统管理员", role=Role.SYSTEM_ADMIN, unit=root)
    make_user("unitadmin", name="财政局管理员", role=Role.UNIT_ADMIN, unit=finance)
    candidate = make_user("candidate", name="王芳", unit=office, phone="13800138000",
                          position="党支部书记", employee_number="CZ0001")  # fmt: skip
    make_user("taker", name="李建国", unit=office)
    sitting = open_sitting(("candidate", "taker"))
    now = utcnow()
    finished = start_attempt(candidate, sitting, None, now - timedelta(minutes=3, seconds=25))
    for item in finished.items:
        item.response, item.answered_at = "A", now
    db.session.commit()
    finished = finalize(finished.id, "candidate", now)
    taker = db.session.scalar(select(User).where(User.username == "taker"))
    running = start_attempt(taker, sitting, None, now)
    db.session.add(Certificate(
        number="ZN2026000017", type_id="competency", user_id=candidate.id, attempt_id=finished.id,
        holder_name=candidate.name, title="党务工作者职业能力认证证书", level="良好",
        issued_on=date(2026, 11, 30), expires_on=date(2029, 11, 29), issuer="市级机关工委",
        rules_version="1", rules_digest="0" * 64, token=CERTIFICATE_TOKEN, pdf=b"%PDF-1.7",
    ))  # fmt: skip
    record(
        admin, "person.update", "candidate", before={"phone": None}, after={"phone": "13800138000"}
    )
    db.session.commit()
    exam = db.session.scalar(select(Exam))
    qid = finished.items[0].revision.question_key
    s, a, e = sitting.id, finished.id, exam.id
    pages = {
        "": ["/login", "/verify", "/v/damaged-link", f"/v/{CERTIFICATE_TOKEN}"],
        "candidate": ["/", f"/sessions/{s}", f"/attempts/{a}/result", "/practice/",
                      "/practice/notebook", "/password"],
        "taker": [f"/attempts/{running.id}"],
        "unitadmin": ["/", "/admin/", "/admin/people/", f"/admin/people/{candidate.id}",
                      f"/admin/people/sessions/{s}/registrations", f"/admin/results/sessions/{s}",
                      f"/admin/live/sessions/{s}", f"/admin/people/sessions/{s}/slips"],
        "admin": [
            "/admin/", "/admin/banks/", "/admin/banks/party-basics/",
            f"/admin/banks/party-basics/questions/{qid}",
            f"/admin/banks/party-basics/questions/{qid}/edit",
            "/admin/banks/party-basics/questions/new", "/admin/banks/party-basics/versions",
            "/admin/banks/upload", "/admin/exams/", "/admin/exams/new", f"/admin/exams/{e}/edit",
            f"/admin/exams/{e}/yaml", f"/admin/exams/{e}/sample?seed=1", "/admin/exams/sessions/new", f"/admin/exams/sessions/{s}",
            f"/admin/exams/sessions/{s}/edit", "/admin/people/", f"/admin/people/{candidate.id}",
            "/admin/people/units", f"/admin/people/units/{office.id}", "/admin/people/import",
            "/admin/people/sessions", f"/admin/people/sessions/{s}/registrations",
            f"/admin/people/sessions/{s}/registrations/units/{finance.id}/remove",
            "/admin/results/", f"/admin/results/sessions/{s}", f"/admin/results/units/{finance.id}",
            f"/admin/results/attempts/{a}", f"/admin/results/exams/{e}/statistics",
            "/admin/results/rescore", "/admin/results/dashboard", "/admin/audit/",
            "/admin/certificates/", "/admin/certificates/1", f"/admin/live/sessions/{s}",
            f"/admin/live/sessions/{s}?show=absent", f"/admin/people/sessions/{s}/slips",
        ],
    }  # fmt: skip
    return World(pages, finished, running, candidate)


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_load_state()


def wait_for_test_page(page) -> None:
    """Until the test page's script runs: the countdown shows a time only once attempt.js
    has set up its listeners (leaving the page, saving), so an event dispatched after
    this is seen. Waiting for the element alone raced the script under load."""
    from playwright.sync_api import expect

    expect(page.locator("#countdown")).to_have_text(re.compile(r"\d"))
