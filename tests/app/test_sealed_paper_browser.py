"""Entering the room before the open, in Chromium on a 390 px phone: the test page comes
with the paper sealed and a countdown; at the attempt's start (by the server's clock, even
when the device's clock is an hour fast) the page asks for the key once, the questions
appear without a reload, and answering saves; a reload then gets the open page. An open
moved later keeps the paper sealed until the new start; without WebCrypto (plain HTTP)
the page reloads at the start and gets the open page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.admin.sittings import services
from app.extensions import db
from app.models import Attempt, AttemptItem, Role
from app.models.types import utcnow
from tests.app.exam_fixtures import open_sitting
from tests.app.test_browser import log_in
from tests.app.test_pages_browser import AXE, RUN_AXE, WCAG
from tests.app.test_waiting_room_browser import CLOCK_AN_HOUR_FAST, PHONE, shot
from tests.app.ux_world import wait_for_test_page
from tests.factories import make_user

pytestmark = pytest.mark.browser


def enter_room(browser, live_url, opens_in: float, init_script: str | None = None):
    """Log in, then make the sitting (so a slow login under load does not eat the wait)
    and enter its room."""
    context = browser.new_context(viewport=PHONE)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    log_in(page, live_url)
    sitting = open_sitting(opens=utcnow() + timedelta(seconds=opens_in))
    page.goto(f"{live_url}/sessions/{sitting.id}")
    page.click("#submit")  # 进入考场
    expect(page.locator("#sealed-countdown")).to_contain_text("距开考还有")
    return context, page, sitting


def test_the_paper_opens_by_itself_at_the_start_and_saves(browser, live_url, ctx):
    make_user("candidate", name="张晓明")
    context, page, _ = enter_room(browser, live_url, 8, CLOCK_AN_HOUR_FAST)
    keys: list[float] = []
    page.on("request", lambda r: "/paper-keys/" in r.url and keys.append(utcnow().timestamp()))
    assert page.locator("fieldset.question").count() == 0
    expect(page.locator("#submit-button")).to_be_hidden()
    expect(page.locator("#view-toggle")).to_be_hidden()
    expect(page.locator("#palette-toggle")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "sealed-paper-waiting")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE, WCAG) == []
    page.evaluate("window.loadedOnce = true")  # gone if the page were reloaded

    # The questions are in and the page's scripts run (wait_for_test_page, given the open).
    expect(page.locator("#countdown")).to_have_text(re.compile(r"\d"), timeout=20_000)
    attempt = db.session.scalars(select(Attempt)).one()
    assert page.evaluate("window.loadedOnce") is True
    assert len(keys) == 1 and keys[0] >= attempt.started_at.timestamp()
    expect(page.locator("#submit-button")).to_be_visible()
    expect(page.locator("#view-toggle")).to_be_visible()
    expect(page.locator("#palette-toggle")).to_be_visible()
    questions = page.locator("fieldset.question")
    assert questions.count() == db.session.query(AttemptItem).count()
    shot(page, "sealed-paper-opened")

    fieldset = page.locator('fieldset.question[data-type="single"]').first
    position = int(fieldset.get_attribute("data-position"))
    fieldset.locator("input[name]").first.check()
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")
    chosen = fieldset.locator("input[name]").first.get_attribute("value")
    db.session.expire_all()
    saved = db.session.scalar(
        select(AttemptItem.response).where(
            AttemptItem.attempt_id == attempt.id, AttemptItem.position == position
        )
    )
    assert saved == chosen

    page.reload()
    wait_for_test_page(page)
    assert page.locator("#sealed-paper").count() == 0
    assert fieldset.locator("input[name]").first.is_checked()
    context.close()


def test_a_later_open_keeps_the_paper_sealed_until_the_new_start(browser, live_url, ctx):
    """The page asks at the start it was given; the server says how long is left."""
    make_user("candidate", name="张晓明")
    admin = make_user("admin", role=Role.SYSTEM_ADMIN)
    context, page, sitting = enter_room(browser, live_url, 5)
    answers: list[tuple[float, int]] = []
    page.on(
        "response",
        lambda r: "/paper-keys/" in r.url and answers.append((utcnow().timestamp(), r.status)),
    )
    fields = services.SittingFields(
        sitting.exam_id, sitting.title, sitting.opens_at + timedelta(seconds=6),
        sitting.closes_at, None, sitting.max_attempts,
    )  # fmt: skip
    services.update(sitting, fields, admin, utcnow())
    attempt = db.session.scalars(select(Attempt)).one()
    expect(page.locator("#countdown")).to_have_text(re.compile(r"\d"), timeout=20_000)
    assert [status for _, status in answers] == [425, 200]
    assert answers[1][0] >= attempt.started_at.timestamp()
    context.close()


# A page over plain HTTP has no WebCrypto (crypto.subtle is only in secure contexts).
WITHOUT_WEBCRYPTO = "Object.defineProperty(window.crypto, 'subtle', { get: () => undefined });"


def test_without_webcrypto_the_page_reloads_at_the_start_and_gets_the_open_paper(
    browser, live_url, ctx
):
    make_user("candidate", name="张晓明")
    context, page, _ = enter_room(browser, live_url, 5, WITHOUT_WEBCRYPTO)
    assert page.evaluate("window.crypto.subtle") is None
    expect(page.locator("#countdown")).to_have_text(re.compile(r"\d"), timeout=20_000)
    assert page.locator("#sealed-paper").count() == 0
    assert page.locator("fieldset.question").count() == db.session.query(AttemptItem).count()
    context.close()
