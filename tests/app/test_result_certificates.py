"""The result of a pass viewed while its job issues the certificates (the score is
committed first): it says the certificate is being generated and asks the status until
it is ready; a fail, a pass whose certificates are ready and one whose PDF failed (it
waits for the sweep's retry) load no poll."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.certificate.services import issue_for_attempt
from app.extensions import db
from app.models import Attempt, Certificate
from app.models.types import utcnow
from tests.app.certificate_fixtures import (
    COMPETENCY,
    open_sitting,
    setup_exams,
    take,
)
from tests.auth import login
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("signing", "fresh_catalog")

POLL = "result-status.js"


def scored_before_its_certificates(monkeypatch, right: int = 5) -> int:
    """A paper scored by the job, which has not yet come to the certificates."""
    setup_exams()
    user = make_user("zhou", name="周敏")
    with monkeypatch.context() as patch:
        patch.setattr("app.certificate.services.issue_for_attempt", lambda *a, **k: None)
        return take(user, open_sitting(COMPETENCY, [user]), right).id


def _seen(client, attempt_id: int) -> tuple[str, dict]:
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    return page, client.get(f"/attempts/{attempt_id}/status").get_json()


def test_a_pass_whose_certificates_are_not_issued_yet_says_so_and_polls(ctx, client, monkeypatch):
    attempt_id = scored_before_its_certificates(monkeypatch)
    login(client, "zhou")
    page, status = _seen(client, attempt_id)
    assert "合格" in page and "证书正在生成，请稍后刷新" in page
    assert 'data-ready-when="certificates_ready"' in page and POLL in page
    assert status["scored"] is True and status["certificates_ready"] is False
    issue_for_attempt(db.session.get(Attempt, attempt_id), utcnow())
    page, status = _seen(client, attempt_id)
    assert status["certificates_ready"] is True
    assert "下载证书（PDF）" in page and "证书正在生成" not in page and POLL not in page


def test_a_pdf_being_rendered_is_waited_for_and_a_failed_one_is_not(ctx, client, monkeypatch):
    attempt_id = scored_before_its_certificates(monkeypatch)
    issue_for_attempt(db.session.get(Attempt, attempt_id), utcnow())
    db.session.execute(update(Certificate).values(pdf=None))  # numbered, PDF not stored yet
    db.session.commit()
    login(client, "zhou")
    page, status = _seen(client, attempt_id)
    assert "证书正在生成，请稍后刷新" in page and POLL in page
    assert status["certificates_ready"] is False
    db.session.execute(update(Certificate).values(pdf_failures=1, pdf_error="字体文件损坏"))
    db.session.commit()
    page, status = _seen(client, attempt_id)
    assert "证书文件生成遇到问题，系统会自动重试" in page and POLL not in page
    assert "证书文件生成遇到问题，系统会自动重试" in client.get("/").get_data(as_text=True)
    assert status["certificates_ready"] is True
    assert db.session.scalar(select(Certificate.number)) in page


def test_a_fail_loads_no_poll(ctx, client, monkeypatch):
    attempt_id = scored_before_its_certificates(monkeypatch, right=2)
    login(client, "zhou")
    page, status = _seen(client, attempt_id)
    assert "不合格" in page and "证书" not in page and POLL not in page
    assert status["scored"] is True and status["certificates_ready"] is True
