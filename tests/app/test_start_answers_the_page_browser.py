"""Pressing 开始答题 in the waiting room at the open, in Chromium: the start's POST answers
the test page itself (no second request for it), the address bar then shows
/attempts/<id>, a reload (or going back and forward) gets the page by GET without sending
the start again, and answering and saving work on the page the start answered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Attempt, AttemptItem
from app.models.types import utcnow
from tests.app.exam_fixtures import open_sitting
from tests.app.test_browser import log_in
from tests.app.ux_world import wait_for_test_page
from tests.factories import make_user

pytestmark = pytest.mark.browser


def documents(page) -> list[tuple[str, str]]:
    """Every page the browser loads from now on (method, path): not scripts, not saves."""
    seen: list[tuple[str, str]] = []
    page.on(
        "request",
        lambda r: (
            seen.append((r.method, r.url.split("/", 3)[3]))
            if r.resource_type == "document"
            else None
        ),
    )
    return seen


def test_the_start_shows_the_test_page_at_its_own_address(browser, live_url, ctx):
    make_user("candidate", name="张晓明")
    page = browser.new_page()
    log_in(page, live_url)  # first: on a loaded machine it took most of the 3 s below
    sitting = open_sitting(opens=utcnow() + timedelta(seconds=3))
    page.goto(f"{live_url}/sessions/{sitting.id}")
    expect(page.locator("#open-countdown")).to_have_text("考试已开始", timeout=10_000)
    loaded = documents(page)
    page.click("#submit")
    wait_for_test_page(page)
    attempt_id = db.session.scalar(select(Attempt.id))
    assert page.url == f"{live_url}/attempts/{attempt_id}"
    assert loaded == [("POST", f"sessions/{sitting.id}")]  # the page came with the start

    fieldset = page.locator('fieldset.question[data-type="single"]').first
    position = int(fieldset.get_attribute("data-position"))
    fieldset.locator("input[name]").first.check()
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")
    chosen = fieldset.locator("input[name]").first.get_attribute("value")

    page.reload()
    wait_for_test_page(page)
    assert loaded[1:] == [("GET", f"attempts/{attempt_id}")]  # no start sent again
    assert page.url == f"{live_url}/attempts/{attempt_id}"
    assert fieldset.locator("input[name]").first.is_checked()
    assert db.session.scalars(select(Attempt.id)).all() == [attempt_id]
    db.session.expire_all()
    saved = db.session.scalar(
        select(AttemptItem.response).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == position
        )
    )
    assert saved == chosen

    fieldset.locator("input[name]").nth(1).check()  # the reloaded page saves as well
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")

    page.go_back()  # the waiting room, then forward to the test page: by GET too
    page.wait_for_url(f"{live_url}/sessions/{sitting.id}")
    page.go_forward()
    wait_for_test_page(page)
    assert page.url == f"{live_url}/attempts/{attempt_id}"
    assert [method for method, _path in loaded].count("POST") == 1
    assert db.session.scalars(select(Attempt.id)).all() == [attempt_id]
    page.close()
