"""The test page in a real browser: Chromium driven by Playwright against a live server.

Waits use Playwright's own assertions: a string given to ``wait_for_function`` is
evaluated in the page, which the Content-Security-Policy (no 'unsafe-eval') refuses."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.app.exam_fixtures import close_when_the_grace_ends, open_sitting
from tests.app.ux_world import wait_for_test_page
from tests.factories import make_user

pytestmark = pytest.mark.browser


def log_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", "candidate")
    page.fill("#password", "correct-horse-1")
    page.click("#submit")
    page.wait_for_url(f"{base}/")


def answer(page, fieldset) -> None:
    kind = fieldset.get_attribute("data-type")
    if kind == "fill":
        for blank in fieldset.locator("input.blank").all():
            blank.fill("测试答案")
        blank.blur()
    else:
        fieldset.locator("input[name]").first.check()


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
    ids=["desktop", "phone"],
)
def test_take_a_whole_test_reload_half_way_and_submit(browser, live_url, ctx, viewport):
    make_user("candidate", name="张晓明")
    sitting = open_sitting()
    page = browser.new_page(viewport=viewport)
    log_in(page, live_url)
    page.click(f"text={sitting.title}")
    page.click("#submit")
    wait_for_test_page(page)
    questions = page.locator("fieldset.question")
    count = questions.count()
    half = count // 2
    for i in range(half):
        answer(page, questions.nth(i))
    questions.nth(0).locator(".flag-box").check()
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")
    deadline = page.get_attribute("#attempt", "data-deadline")
    clock_before = page.inner_text("#countdown")

    page.reload()
    wait_for_test_page(page)
    assert page.get_attribute("#attempt", "data-deadline") == deadline
    assert page.inner_text("#countdown") <= clock_before  # it kept counting down, never restarted
    for i in range(half):
        fieldset = questions.nth(i)
        if fieldset.get_attribute("data-type") == "fill":
            assert fieldset.locator("input.blank").first.input_value() == "测试答案"
        else:
            assert fieldset.locator("input[name]").first.is_checked()
    assert questions.nth(0).locator(".flag-box").is_checked()
    assert page.locator(".palette a.answered").count() == half

    for i in range(half, count - 1):
        answer(page, questions.nth(i))
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")
    page.click("#submit-button")
    message = page.inner_text("#submit-dialog-message")
    assert f"第 {count} 题" in message and "还有 1 题未作答" in message
    page.click("#confirm-submit")
    page.wait_for_selector(".result")
    assert page.locator(".verdict").inner_text() in ("合格", "不合格")
    assert "/ 20 分" in page.inner_text(".score")
    page.close()


def test_saving_retries_when_the_network_drops(browser, live_url, ctx):
    make_user("candidate", name="张晓明")
    sitting = open_sitting()
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_url)
    page.goto(f"{live_url}/sessions/{sitting.id}")
    page.click("#submit")
    wait_for_test_page(page)
    context.set_offline(True)
    page.locator("fieldset.question").nth(0).locator("input[name]").first.check()
    expect(page.locator("#save-state")).to_contain_text("正在重试")
    context.set_offline(False)
    expect(page.locator("#save-state")).to_have_text("全部答案已保存", timeout=20000)
    page.reload()
    assert page.locator("fieldset.question").nth(0).locator("input[name]").first.is_checked()
    context.close()


def test_a_change_made_while_its_save_is_in_flight_is_saved_too(browser, live_url, ctx):
    """The first save is held in flight; the candidate changes the answer meanwhile. The
    held save's success must not count the newer change as saved (it once did: the page
    said 全部答案已保存 and the reload showed the older choice)."""
    make_user("candidate", name="张晓明")
    sitting = open_sitting()
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_url)
    page.goto(f"{live_url}/sessions/{sitting.id}")
    page.click("#submit")
    wait_for_test_page(page)
    page.wait_for_load_state("load")
    held = []

    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/answers", hold_the_first)
    options = page.locator('fieldset.question[data-type="single"]').first.locator("input[name]")
    options.nth(0).check()
    page.wait_for_timeout(300)
    assert len(held) == 1, "the first save is in flight"
    options.nth(1).check()
    held[0].continue_()
    expect(page.locator("#save-state")).to_have_text("全部答案已保存", timeout=20000)
    page.reload()
    options = page.locator('fieldset.question[data-type="single"]').first.locator("input[name]")
    assert options.nth(1).is_checked() and not options.nth(0).is_checked()
    context.close()


def test_at_the_timers_zero_the_page_waits_for_the_servers_own_close(browser, live_url, ctx, app):
    """Issue 10 item 7: at zero the page posts nothing as the candidate's submit; it goes to
    the result page, which waits until the server has closed the paper as the deadline's."""
    from datetime import timedelta

    from sqlalchemy import select, update

    from app.extensions import db
    from app.models import Attempt
    from app.models.types import utcnow

    make_user("candidate", name="张晓明")
    sitting = open_sitting()
    page = browser.new_page()
    posts: list[str] = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r.url))
    log_in(page, live_url)
    page.click(f"text={sitting.title}")
    page.click("#submit")
    wait_for_test_page(page)
    grace = app.config["ANSWER_GRACE_SECONDS"]
    app.config["ANSWER_GRACE_SECONDS"] = 2
    try:
        attempt_id = db.session.scalar(select(Attempt.id))
        deadline = utcnow() + timedelta(seconds=6)
        db.session.execute(update(Attempt).values(deadline=deadline))
        db.session.commit()
        page.reload()
        answer(page, page.locator("fieldset.question").first)
        close_when_the_grace_ends(deadline)  # as the job workers do; the page's poll does not
        page.wait_for_url(f"{live_url}/attempts/{attempt_id}/result", timeout=30_000)
        page.wait_for_selector(".time-up", timeout=60_000)
    finally:
        app.config["ANSWER_GRACE_SECONDS"] = grace
    assert "时间到，系统已按截止时的作答自动交卷" in page.inner_text(".time-up")
    assert not [url for url in posts if url.endswith("/submit")]
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt.finalized_by == "deadline" and attempt.items[0].response is not None
    page.close()
