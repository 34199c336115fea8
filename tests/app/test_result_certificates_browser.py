"""The result of a pass in a real browser while its job issues the certificates: the
score shows first with 证书正在生成, and the download link follows without a manual
reload; the page asks the status with the same backoff and jitter as while scoring."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from app.certificate.services import issue_for_attempt
from app.exam.attempts import close_attempt
from app.extensions import db
from app.models import Attempt
from app.models.types import utcnow
from tests.app import test_submitting
from tests.app.certificate_fixtures import (
    all_right_and_open,
    setup_exams,
)
from tests.app.test_browser import log_in
from tests.app.test_result_status_browser import RECORD_DELAYS, recorded_delays, within_jitter
from tests.app.test_submitting import run_jobs

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("signing", "fresh_catalog")]

real_queue = test_submitting.real_queue  # a fixture: papers wait for a worker


def as_worker(app, work: Callable[[], object]) -> None:
    """Run ``work`` on a thread of its own, as a job worker would: Playwright's event loop
    runs on the test's thread, and signing a PDF starts one of its own."""
    errors: list[BaseException] = []

    def run() -> None:
        with app.app_context():
            try:
                work()
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert errors == []


def submitted_pass() -> int:
    """A paper with every answer right, handed in and waiting for a worker."""
    setup_exams()
    attempt = all_right_and_open("candidate", "张晓明")
    assert close_attempt(attempt.id, "candidate", utcnow())
    return attempt.id


def issue(attempt_id: int) -> None:
    issue_for_attempt(db.session.get(Attempt, attempt_id), utcnow())


def test_a_pass_shows_the_certificate_being_made_then_its_link_without_a_reload(
    browser, live_url, app, ctx, real_queue, monkeypatch
):
    attempt_id = submitted_pass()
    page = browser.new_page()
    log_in(page, live_url)
    page.goto(f"{live_url}/attempts/{attempt_id}/result")
    expect(page.locator(".score-pending")).to_be_visible()
    loads: list[str] = []  # pages loaded from here on: the result comes in place
    page.on("request", lambda r: r.resource_type == "document" and loads.append(r.url))
    with monkeypatch.context() as patch:  # the worker has scored, not yet issued
        patch.setattr("app.certificate.batch.issue_batch", lambda *a, **k: None)
        as_worker(app, run_jobs)
    expect(page.locator(".verdict")).to_have_text("合格", timeout=20_000)
    pending = page.locator("#certificate-status")
    expect(pending).to_contain_text("证书正在生成，请稍后刷新")
    page.wait_for_event("requestfinished", lambda r: "/status" in r.url, timeout=10_000)
    expect(pending).to_be_visible()  # not issued yet: still waiting
    as_worker(app, lambda: issue(attempt_id))
    link = page.get_by_role("link", name="下载证书（PDF）")
    expect(link).to_be_visible(timeout=20_000)
    assert page.locator("text=证书正在生成").count() == 0
    assert page.locator("#certificate-status").count() == 0  # nothing pending: no more polls
    assert loads == []  # the pass, then its certificates, each shown in place
    page.close()


def test_the_certificate_polls_back_off_with_jitter(
    browser, live_url, app, ctx, real_queue, monkeypatch
):
    attempt_id = submitted_pass()
    with monkeypatch.context() as patch:
        patch.setattr("app.certificate.batch.issue_batch", lambda *a, **k: None)
        as_worker(app, run_jobs)
    page = browser.new_page()
    page.add_init_script(RECORD_DELAYS % 5)
    log_in(page, live_url)
    polls = []
    page.on("requestfinished", lambda r: "/status" in r.url and polls.append(r.url))
    page.goto(f"{live_url}/attempts/{attempt_id}/result")
    expect(page.locator("#certificate-status")).to_contain_text("证书正在生成")
    delays = recorded_delays(page, polls, 5)
    bases = [1000, 1000, 2000, 4000, 8000, 15000]  # the first, then each answer's
    for delay, base in zip(delays, bases, strict=True):
        assert within_jitter(delay, base), (delay, base)
    assert len({round(d / b, 6) for d, b in zip(delays, bases, strict=True)}) > 1  # jittered
    page.close()
