"""Issue 13 defects 2, 19, 20, 21 and the timer warnings: the test page with the keyboard,
on a desktop and a phone, in a real browser."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from app.extensions import db
from app.models import Attempt
from app.models.types import utcnow
from tests.app.exam_fixtures import open_sitting
from tests.app.test_browser import log_in
from tests.app.ux_world import wait_for_test_page
from tests.factories import make_user

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
SHOTS = Path("/tmp/ux2-shots")


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def start(browser, live_url, size: str):
    make_user("candidate", name="张晓明")
    sitting = open_sitting()
    page = browser.new_page(viewport=SIZES[size])
    log_in(page, live_url)
    page.goto(f"{live_url}/sessions/{sitting.id}")
    page.click("#submit")
    wait_for_test_page(page)
    page.wait_for_load_state("load")
    return page


def luminance(rgb: str) -> float:
    values = [int(v) / 255 for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("size", SIZES)
def test_enter_never_submits_and_the_confirmation_defaults_to_keep_answering(
    browser, live_url, ctx, size
):
    """Defect 20: Enter in a blank opened 确定交卷吗？ with OK preselected."""
    page = start(browser, live_url, size)
    blank = page.locator("input.blank").first
    blank.fill("民主集中制")
    blank.press("Enter")
    page.wait_for_timeout(300)
    assert not page.locator("#submit-dialog").is_visible()
    page.locator('fieldset[data-type="single"] input[name]').first.press("Enter")
    assert not page.locator("#submit-dialog").is_visible()
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")

    page.click("#submit-button")
    expect(page.locator("#submit-dialog")).to_be_visible()
    expect(page.locator("#keep-answering")).to_be_focused()
    assert "未作答" in page.inner_text("#submit-dialog-message")
    shot(page, f"submit-dialog-{size}")
    page.keyboard.press("Enter")  # 继续答题
    expect(page.locator("#submit-dialog")).to_be_hidden()
    assert "/attempts/" in page.url and page.locator("#countdown").is_visible()
    page.click("#submit-button")
    page.keyboard.press("Escape")
    expect(page.locator("#submit-dialog")).to_be_hidden()
    page.click("#submit-button")
    page.click("#confirm-submit")
    page.wait_for_selector(".result")
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_skip_link_and_palette_jump_move_focus_below_the_bar(browser, live_url, ctx, size):
    """Defects 21 and 2: 87 Tabs to the first answer; a palette jump hid its question
    under the sticky bar; the palette scrolled out of reach (a drawer on phones)."""
    page = start(browser, live_url, size)
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "跳到试题":
            break
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["width"] > 0 and skip.is_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('fieldset.question') !== null")

    if size == "phone":
        assert not page.locator(".palette").is_visible()
        page.click("#palette-toggle")
        expect(page.locator("#palette-toggle")).to_have_attribute("aria-expanded", "true")
        shot(page, "palette-drawer-phone")
    page.click('.palette a[data-number="7"]')
    expect(page.locator("#q7")).to_be_focused()
    bar = page.locator(".exam-bar").bounding_box()
    question = page.locator("#q7").bounding_box()
    assert question["y"] >= bar["y"] + bar["height"] - 1
    assert question["y"] < bar["y"] + bar["height"] + 40
    shot(page, f"palette-jump-{size}")
    if size == "phone":
        assert not page.locator(".palette").is_visible()
    else:
        page.keyboard.press("End")
        page.mouse.wheel(0, 5000)
        page.wait_for_timeout(200)
        box = page.locator(".palette").bounding_box()
        assert 0 <= box["y"] < SIZES[size]["height"]
        shot(page, "palette-sticky-desktop")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_palette_states_by_mark_and_contrast_and_a_choice_can_be_cleared(
    browser, live_url, ctx, size
):
    """Defect 19: states by colour alone and faint; a single choice could not be cleared."""
    page = start(browser, live_url, size)
    single = page.locator('fieldset[data-type="single"]').first
    number = single.get_attribute("id")[1:]
    single.locator("input[name]").first.check()
    single.locator(".flag-box").check()
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")
    link = page.locator(f'.palette a[data-number="{number}"]')
    expect(link).to_have_attribute("aria-label", f"第 {number} 题，已作答，已标记")
    if size == "phone":
        page.click("#palette-toggle")
    marks = link.evaluate(
        "a => [getComputedStyle(a, '::before').content, getComputedStyle(a, '::after').content]"
    )
    assert marks == ['"✓"', '"⚑"']
    blank = page.locator(".palette a:not(.answered):not(.flagged)").first
    answered_bg = link.evaluate("a => getComputedStyle(a).backgroundColor")
    blank_bg = blank.evaluate("a => getComputedStyle(a).backgroundColor")
    flag_border = link.evaluate("a => getComputedStyle(a).borderTopColor")
    assert contrast(answered_bg, blank_bg) >= 3
    assert contrast(flag_border, blank_bg) >= 3
    shot(page, f"palette-states-{size}")
    if size == "phone":
        page.click("#palette-toggle")

    single.locator(".clear-choice").click()
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")
    expect(link).to_have_attribute("aria-label", f"第 {number} 题，未作答，已标记")
    page.reload()
    single = page.locator(f"#q{number}")
    assert single.locator("input[name]:checked").count() == 0
    assert "answered" not in (
        page.locator(f'.palette a[data-number="{number}"]').get_attribute("class")
    )

    icon = page.locator('link[rel="icon"]').get_attribute("href")
    assert page.request.get(f"{live_url}{icon}").ok
    page.goto(f"{live_url}/")
    colours = page.eval_on_selector_all(
        "main a:not(.button)", "links => links.map(a => getComputedStyle(a).color)"
    )
    assert colours and "rgb(0, 0, 238)" not in colours and "rgb(85, 26, 139)" not in colours
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_warnings_at_five_minutes_and_one_minute_left(browser, live_url, ctx, size):
    """Exam focus: the last minutes are shown and announced (aria-live="assertive")."""
    page = start(browser, live_url, size)
    warning = page.locator("#time-warning")
    assert warning.get_attribute("aria-live") == "assertive"
    assert not warning.is_visible()
    db.session.execute(update(Attempt).values(deadline=utcnow() + timedelta(minutes=4)))
    db.session.commit()
    page.reload()
    expect(warning).to_contain_text("不到 5 分钟")
    shot(page, f"warning-5-{size}")
    db.session.execute(update(Attempt).values(deadline=utcnow() + timedelta(seconds=50)))
    db.session.commit()
    page.reload()
    expect(warning).to_contain_text("不到 1 分钟")
    page.close()


LEAVE_TAB = """() => {
  Object.defineProperty(document, "visibilityState", {value: "hidden", configurable: true});
  document.dispatchEvent(new Event("visibilitychange"));
  Object.defineProperty(document, "visibilityState", {value: "visible", configurable: true});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


@pytest.mark.parametrize("size", SIZES)
def test_leaving_the_page_is_recorded_and_shown_to_admins(browser, live_url, ctx, size):
    """Exam focus (记录切屏): each departure is one event, listed with the attempt."""
    from sqlalchemy import select

    from app.models import FocusEvent, Role

    page = start(browser, live_url, size)
    page.evaluate(LEAVE_TAB)
    page.evaluate("() => { window.dispatchEvent(new Event('blur')); }")
    page.evaluate("() => { window.dispatchEvent(new Event('blur')); }")  # still away: not twice
    page.evaluate("() => { window.dispatchEvent(new Event('focus')); }")
    expect(page.locator("#save-state")).to_have_text("答案随答随存")
    page.wait_for_timeout(500)
    kinds = db.session.scalars(select(FocusEvent.kind)).all()
    assert sorted(kinds) == ["blur", "hidden"]  # two requests: either may arrive first
    attempt_id = db.session.scalar(select(Attempt.id))
    page.click("#submit-button")
    page.click("#confirm-submit")
    page.wait_for_selector(".result")
    page.close()

    make_user("sysadmin", role=Role.SYSTEM_ADMIN, name="管理员")
    admin = browser.new_page(viewport=SIZES[size])
    admin.goto(f"{live_url}/login")
    admin.fill("#username", "sysadmin")
    admin.fill("#password", "correct-horse-1")
    admin.click("#submit")
    admin.goto(f"{live_url}/admin/results/attempts/{attempt_id}")
    events = admin.inner_text(".focus-events")
    assert (
        events.startswith("2 次")
        and "切换标签页或离开页面" in events
        and "切换到其他窗口" in events
    )
    shot(admin, f"focus-events-admin-{size}")
    assert admin.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    admin.close()


@pytest.mark.parametrize("size", SIZES)
def test_one_question_at_a_time_is_remembered(browser, live_url, ctx, size):
    """One question at a time (上一题 / 下一题), remembered in this browser."""
    page = start(browser, live_url, size)
    page.click("#view-toggle")
    visible = page.locator("fieldset.question:visible")
    expect(visible).to_have_count(1)
    expect(page.locator("#step-where")).to_have_text("第 1 / 10 题")
    expect(page.locator("#step-prev")).to_be_disabled()
    page.click("#step-next")
    expect(page.locator("#q2")).to_be_visible()
    expect(page.locator("#q2")).to_be_focused()
    page.locator("#q2 input[name]").first.check()
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")
    if size == "phone":
        page.click("#palette-toggle")
    page.click('.palette a[data-number="9"]')
    expect(page.locator("#q9")).to_be_focused()
    expect(visible).to_have_count(1)
    shot(page, f"one-by-one-{size}")
    page.reload()
    page.wait_for_load_state("load")
    expect(page.locator("#view-toggle")).to_have_attribute("aria-pressed", "true")
    expect(visible).to_have_count(1)
    assert page.locator("#q2 input[name]").first.is_checked()
    page.click("#view-toggle")
    expect(page.locator("fieldset.question:visible")).to_have_count(10)
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    page.close()
