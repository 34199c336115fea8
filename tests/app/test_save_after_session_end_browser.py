"""The test page whose login ends mid-test loses no answer, in a real browser.

The candidate logs out on another device (which ends every session of theirs), then
answers on the computer. The save is refused as expired (test_save_after_session_end);
before, ``fetch`` followed the redirect to the login page and the page said 已保存 for
an answer never stored. Now the page says the login ended, keeps the answer
(unsaved-answers.js), goes through the login page and back, and sends it again.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.app.exam_fixtures import open_sitting, stored_response
from tests.app.test_browser import answer, log_in
from tests.app.ux_world import wait_for_test_page
from tests.factories import make_user

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/ux2-shots")
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _answering_then_logged_out_elsewhere(browser, live_url: str, size: str):
    """A candidate on the test page with one answer saved, then logged out on a phone
    (which ends every session of theirs); returns the computer's context, its page and
    the attempt's id."""
    make_user("candidate", name="张晓明")
    sitting = open_sitting()
    computer = browser.new_context(viewport=SIZES[size])
    page = computer.new_page()
    log_in(page, live_url)
    page.goto(f"{live_url}/sessions/{sitting.id}")
    page.click("#submit")
    wait_for_test_page(page)
    attempt_id = int(page.url.rstrip("/").split("/")[-1])
    answer(page, page.locator("fieldset.question").nth(0))
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")
    phone = browser.new_context()
    other = phone.new_page()
    log_in(other, live_url)
    other.click("button:has-text('退出')")
    other.wait_for_url(f"{live_url}/login")
    phone.close()
    return computer, page, attempt_id


@pytest.mark.parametrize("size", SIZES)
def test_an_answer_given_after_logging_out_elsewhere_is_saved_after_logging_in_again(
    browser, live_url, ctx, size
):
    computer, page, attempt_id = _answering_then_logged_out_elsewhere(browser, live_url, size)
    questions = page.locator("fieldset.question")

    second = questions.nth(1)
    position = int(second.get_attribute("data-position"))
    answer(page, second)
    expect(page.locator("#save-state")).to_contain_text("本题答案尚未保存")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"login-ended-{size}.png"))
    expect(second.locator(".item-state")).to_have_text("尚未保存")
    page.wait_for_url(f"{live_url}/login?next=*")
    assert stored_response(attempt_id, position) is None

    page.fill("#username", "candidate")
    page.fill("#password", "correct-horse-1")
    page.click("#submit")
    page.wait_for_url(f"{live_url}/attempts/{attempt_id}")
    # The page back from the login sends the kept answer, then loads again to show it as
    # the server holds it (the page it came back to had it unanswered).
    again = page.locator(f'fieldset.question[data-position="{position}"]')
    expect(again.locator("input[name]").first).to_be_checked()
    wait_for_test_page(page)
    assert stored_response(attempt_id, position) is not None
    answer(page, questions.nth(2))  # and the page saves as before
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")
    computer.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_submit_after_logging_out_elsewhere_returns_to_the_test_page_to_hand_in_again(
    browser, live_url, ctx, size
):
    """交卷 posted after the login ended goes through the login page and back to the test
    page, which says the paper was not handed in (before: a 405 page in English)."""
    computer, page, attempt_id = _answering_then_logged_out_elsewhere(browser, live_url, size)

    page.click("#submit-button")
    page.click("#confirm-submit")
    page.wait_for_url(f"{live_url}/login?next=*")
    page.fill("#username", "candidate")
    page.fill("#password", "correct-horse-1")
    page.click("#submit")
    page.wait_for_url(f"{live_url}/attempts/{attempt_id}")
    expect(page.locator(".flash")).to_contain_text("试卷尚未交出")
    wait_for_test_page(page)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"submit-interrupted-{size}.png"))
    page.click("#submit-button")
    page.click("#confirm-submit")
    page.wait_for_url(f"{live_url}/attempts/{attempt_id}/result")
    computer.close()
