"""Issuing a certificate holds the numbering lock (on SQLite, the database's write lock)
only to number and insert its row: rendering and signing run outside any transaction,
so the web's answer saves go on meanwhile; numbers still have no gaps or duplicates, a
row left without its PDF is finished, and the pages say when a PDF is not ready yet."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.auth.login_session import SessionLogin
from app.certificate import pdfs
from app.certificate.revocation import reissue
from app.certificate.services import issue_for_attempt
from app.exam.answers import save_answer
from app.exam.attempts import score_closed
from app.exam.starting import start_attempt
from app.extensions import db
from app.jobs.tasks import LOST_AFTER, sweep_now
from app.models import Attempt, AttemptItem, Certificate
from app.models.types import utcnow
from certificates.numbers import parse_number
from certificates.pdf_signature import verify_pdf
from tests.app.certificate_fixtures import (
    COMPETENCY,
    all_right_and_open,
    open_sitting,
    setup_exams,
    take,
    trust_root,
)
from tests.auth import login
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("signing", "fresh_catalog")


def _certificates() -> list[Certificate]:
    db.session.expire_all()
    return list(db.session.scalars(select(Certificate).order_by(Certificate.id)))


def _passed_without_certificate(monkeypatch, username: str) -> int:
    """A pass scored by the job with issuance left out, as before a worker gets to it."""
    with monkeypatch.context() as patch:
        patch.setattr("app.certificate.services.issue_for_attempt", lambda *a, **k: None)
        user = make_user(username, name=f"测试{username}")
        return take(user, open_sitting(COMPETENCY, [user]), 5).id


def _issue_in_thread(app, attempt_id: int, errors: list[BaseException], barrier=None) -> None:
    with app.app_context():
        try:
            attempt = db.session.get(Attempt, attempt_id)
            if barrier is not None:
                barrier.wait()
            issue_for_attempt(attempt, utcnow())
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.session.remove()


def test_an_answer_save_commits_at_once_while_a_certificate_renders(ctx, app, monkeypatch):
    setup_exams()
    passed_id = _passed_without_certificate(monkeypatch, "pass")
    other = make_user("other", name="另一考生")
    answering = start_attempt(other, open_sitting(COMPETENCY, [other]), None, utcnow())
    answering_id = answering.id
    db.session.commit()
    rendering, release = threading.Event(), threading.Event()
    real_render = pdfs.render_certificate

    def held_render(*args, **kwargs):
        rendering.set()
        release.wait(timeout=10)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(pdfs, "render_certificate", held_render)
    errors: list[BaseException] = []
    issuer = threading.Thread(target=_issue_in_thread, args=(app, passed_id, errors))
    issuer.start()
    try:
        assert rendering.wait(timeout=10)
        threading.Timer(2.0, release.set).start()  # before the fix the save waits for this
        started = time.perf_counter()
        save_answer(
            answering_id, SessionLogin(other.id, other.session_version), 0, utcnow(), response="A"
        )
        waited = time.perf_counter() - started
        assert not release.is_set() and waited < 1.0, f"the save waited {waited:.2f} s"
    finally:
        release.set()
        issuer.join(timeout=30)
    assert errors == []
    saved = db.session.scalar(
        select(AttemptItem.response).where(
            AttemptItem.attempt_id == answering_id, AttemptItem.position == 0
        )
    )
    assert saved == "A"
    [certificate] = _certificates()
    assert certificate.pdf_ready and verify_pdf(certificate.pdf, trust_root(app)).ok


def test_two_workers_issuing_at_once_leave_no_gap_and_no_duplicate(ctx, app, monkeypatch):
    setup_exams()
    attempt_ids = [_passed_without_certificate(monkeypatch, f"u{i}") for i in range(6)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(ids: list[int]) -> None:
        for attempt_id in ids:
            _issue_in_thread(app, attempt_id, errors, barrier if attempt_id in ids[:1] else None)

    threads = [threading.Thread(target=worker, args=(attempt_ids[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    certificates = _certificates()
    assert sorted(c.attempt_id for c in certificates) == sorted(attempt_ids)
    assert sorted(parse_number(c.number).sequence for c in certificates) == list(range(1, 7))
    assert all(c.pdf_ready for c in certificates)


def test_a_certificate_left_without_its_pdf_is_finished_by_the_sweep(ctx, app, monkeypatch):
    setup_exams()
    attempt = all_right_and_open("wang", "王喆")
    attempt = score_closed(attempt.id, "candidate", utcnow())

    def killed(certificate_id: int) -> bool:
        raise RuntimeError("worker killed after numbering")

    with monkeypatch.context() as patch:
        patch.setattr("app.certificate.services.finish", killed)
        with pytest.raises(RuntimeError):
            issue_for_attempt(attempt, utcnow())
    [numbered] = _certificates()
    assert not numbered.pdf_ready
    assert sweep_now(utcnow(), LOST_AFTER) == 0 and not _certificates()[0].pdf_ready
    sweep_now(utcnow() + LOST_AFTER + timedelta(seconds=1), LOST_AFTER)
    [certificate] = _certificates()
    assert certificate.number == numbered.number and certificate.pdf_ready
    assert verify_pdf(certificate.pdf, trust_root(app)).ok


def test_a_reissue_left_without_its_pdf_is_finished_by_the_sweep(ctx, app, monkeypatch):
    setup_exams()
    user = make_user("li", name="李华")
    take(user, open_sitting(COMPETENCY, [user]), 5)
    [old] = _certificates()
    with monkeypatch.context() as patch:
        patch.setattr("app.certificate.revocation.finish_each", lambda ids: 0)  # killed
        new_number = reissue(old.number, None, utcnow()).number
    assert not db.session.scalar(select(Certificate).filter_by(number=new_number)).pdf_ready
    sweep_now(utcnow() + LOST_AFTER + timedelta(seconds=1), LOST_AFTER)
    new = db.session.scalar(select(Certificate).filter_by(number=new_number))
    assert new.pdf_ready and verify_pdf(new.pdf, trust_root(app)).ok


def test_the_pages_of_a_certificate_not_ready_say_so(ctx, client, monkeypatch):
    setup_exams()
    user = make_user("zhou", name="周密")
    attempt = take(user, open_sitting(COMPETENCY, [user]), 5)
    [certificate] = _certificates()
    db.session.execute(update(Certificate).values(pdf=None))  # numbered, PDF not stored yet
    db.session.commit()
    download = f"/certificates/{certificate.id}.pdf"
    login(client, "zhou")
    for page in ("/", f"/attempts/{attempt.id}/result"):
        html = client.get(page).get_data(as_text=True)
        assert "证书正在生成，请稍后刷新" in html and certificate.number in html
        assert f'href="{download}"' not in html
    response = client.get(download)
    assert response.status_code == 503
    assert "证书正在生成，请稍后刷新" in response.get_data(as_text=True)
    verify = client.get(f"/v/{certificate.token}").get_data(as_text=True)
    assert "证书有效" in verify and "电子证书正在生成，请稍后刷新" in verify
    assert "电子证书正在生成" in client.get(f"/v/{certificate.token}.json").json["message"]
