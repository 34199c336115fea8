"""A certificate whose PDF fails to render: the failure is recorded on it, the sweep tries
again after growing waits (not every minute), ``flask cert pending`` and the admin home
list it with how long it has waited and why, and ``flask cert issue`` retries it at once
and says it completed the PDF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.certificate import pdfs
from app.exam.attempts import close_attempt
from app.extensions import db
from app.jobs.queue import huey
from app.jobs.tasks import LOST_AFTER, sweep_now
from app.models import Attempt, Certificate, Role
from app.models.types import utcnow
from tests.app import test_submitting
from tests.app.certificate_fixtures import (
    COMPETENCY,
    all_right_and_open,
    open_sitting,
    setup_exams,
    take,
)
from tests.app.test_submitting import run_jobs
from tests.auth import login
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("signing", "fresh_catalog")

RENDER = pdfs.render_certificate

real_queue = test_submitting.real_queue  # a fixture: jobs wait for a worker


class BrokenRenderer:
    """The renderer failing as a certificate with a broken font would, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        raise RuntimeError("字体文件损坏")


def _certificate() -> Certificate:
    db.session.expire_all()
    return db.session.scalars(select(Certificate)).one()


def _pass_with_broken_pdf(monkeypatch, username: str = "wang") -> BrokenRenderer:
    """A pass scored and numbered by the job, its PDF failing to render."""
    setup_exams()
    broken = BrokenRenderer()
    monkeypatch.setattr(pdfs, "render_certificate", broken)
    user = make_user(username, name="王喆")
    attempt = take(user, open_sitting(COMPETENCY, [user]), 5)
    assert attempt.passed and broken.calls == 1 and not _certificate().pdf_ready
    return broken


def test_a_pdf_that_keeps_failing_is_retried_after_growing_waits(ctx, monkeypatch):
    started = utcnow()
    clock = [started]
    monkeypatch.setattr(pdfs, "utcnow", lambda: clock[0])
    broken = _pass_with_broken_pdf(monkeypatch)
    for minute in range(1, 61):  # an hour of sweeps, one a minute
        clock[0] = started + timedelta(minutes=minute, seconds=30)
        sweep_now(clock[0], LOST_AFTER)
    # Tried again after waits of 1, 2, 4, 8 and 16 minutes, not at each of the 60 sweeps.
    assert broken.calls == 6
    certificate = _certificate()
    assert certificate.pdf_failures == 6 and "字体文件损坏" in certificate.pdf_error
    assert certificate.pdf_retry_at == started + timedelta(minutes=31 + 32, seconds=30)
    assert pdfs.retry_wait(30) == pdfs.LONGEST_WAIT


def test_the_jobs_retry_marks_the_pass_checked_without_rendering_again(
    ctx, real_queue, monkeypatch
):
    """The job fails on the PDF and the queue retries it 10 s later: the certificate waits
    for the sweep's retry, and the pass is no longer re-enqueued by every sweep."""
    setup_exams()
    broken = BrokenRenderer()
    monkeypatch.setattr(pdfs, "render_certificate", broken)
    attempt = all_right_and_open("wang", "王喆")
    assert close_attempt(attempt.id, "candidate", utcnow())
    assert run_jobs() == 2 and broken.calls == 1  # the score, then its certificates
    assert db.session.get(Attempt, attempt.id).certificates_checked_at is None
    assert run_jobs(huey._get_timestamp() + timedelta(seconds=11)) == 1  # the queue's retry
    assert broken.calls == 1
    assert db.session.get(Attempt, attempt.id).certificates_checked_at is not None
    # A sweep within the minute the PDF waits: nothing to enqueue, nothing to render.
    assert sweep_now(utcnow() + timedelta(seconds=30), timedelta(0)) == 0
    assert broken.calls == 1 and run_jobs() == 0


def test_flask_cert_pending_lists_a_certificate_without_its_pdf(ctx, runner, monkeypatch):
    _pass_with_broken_pdf(monkeypatch)
    number = _certificate().number
    result = runner.invoke(args=["cert", "pending"])
    assert result.exit_code == 0
    assert number in result.output and "王喆" in result.output
    assert "已等待 0 分钟" in result.output
    assert "生成失败 1 次" in result.output and "字体文件损坏" in result.output
    assert "没有待签发的证书" not in result.output


def test_flask_cert_issue_retries_at_once_and_says_it_completed_the_pdf(ctx, runner, monkeypatch):
    _pass_with_broken_pdf(monkeypatch)
    certificate = _certificate()
    failed = runner.invoke(args=["cert", "issue", str(certificate.attempt_id)])
    assert failed.exit_code == 1
    assert f"证书 {certificate.number} 的 PDF 未能生成（第 2 次失败）" in failed.output
    monkeypatch.setattr(pdfs, "render_certificate", RENDER)  # the font is repaired
    result = runner.invoke(args=["cert", "issue", str(certificate.attempt_id)])
    assert result.exit_code == 0, result.output
    assert "已补全 1 份证书的 PDF" in result.output and "没有需要签发" not in result.output
    repaired = _certificate()
    assert repaired.pdf_ready and repaired.pdf_error is None and repaired.pdf_retry_at is None
    assert "没有待签发的证书" in runner.invoke(args=["cert", "pending"]).output


def test_the_admin_home_lists_a_certificate_without_its_pdf_and_why(app, ctx, monkeypatch):
    _pass_with_broken_pdf(monkeypatch)
    make_user("admin", name="系统管理员", role=Role.SYSTEM_ADMIN)
    certificate = _certificate()
    certificate.issued_at = utcnow() - timedelta(minutes=10)  # not just being rendered
    db.session.commit()
    client = app.test_client()
    login(client, "admin")
    home = client.get("/admin/").get_data(as_text=True)
    assert "PDF 还没有生成" in home and certificate.number in home
    assert "原因：PDF 生成失败 1 次" in home and "字体文件损坏" in home
    assert "合格的作答都已取得证书" not in home
