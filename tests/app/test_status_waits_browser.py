"""A pass's result page behind many others' certificates, in a real browser: it asks when
the server says its certificates are likely ready, not every 15 s (issue 12: at a close
these polls took the cores the job workers needed).

The delays are read as in ``test_result_status_browser``: recorded, and run at once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Attempt
from app.models.attempt import FINALIZED
from tests.app import test_submitting
from tests.app.test_browser import log_in
from tests.app.test_result_certificates_browser import as_worker, submitted_pass
from tests.app.test_result_status_browser import (
    JITTER,
    RECORD_DELAYS,
    recorded_delays,
    within_jitter,
)
from tests.app.test_status_waits import copies_of
from tests.app.test_submitting import run_jobs

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("signing", "fresh_catalog")]

real_queue = test_submitting.real_queue  # a fixture: papers wait for a worker


def test_a_pass_behind_other_passes_asks_when_its_certificates_are_likely_ready(
    browser, live_url, app, ctx, real_queue, monkeypatch
):
    attempt_id = submitted_pass()
    with monkeypatch.context() as patch:  # scored, the certificates not yet issued
        patch.setattr("app.certificate.batch.issue_batch", lambda *a, **k: None)
        as_worker(app, run_jobs)
    closed_at = db.session.get(Attempt, attempt_id).finalized_at - timedelta(seconds=30)
    copies_of(attempt_id, 400, closed_at, status=FINALIZED, passed=True, score=100, possible=100)
    page = browser.new_page()
    page.add_init_script(RECORD_DELAYS % 1)
    log_in(page, live_url)
    polls = []
    page.on("requestfinished", lambda r: "/status" in r.url and polls.append(r.url))
    page.goto(f"{live_url}/attempts/{attempt_id}/result")
    box = page.locator("#certificate-status")
    expect(box).to_contain_text("证书正在生成")
    wait = int(box.get_attribute("data-wait-seconds"))
    assert 20 <= wait <= 60  # 400 passes ahead at the default rate: about 40 s
    delays = recorded_delays(page, polls, 1)
    first, second = delays  # each the server's wait, jittered (before: 1 s, then 1 s)
    assert within_jitter(first, wait * 1000)
    assert JITTER[0] * (wait - 3) * 1000 <= second < JITTER[1] * wait * 1000
    page.close()
