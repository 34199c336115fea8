"""排序题 in a real browser, on a desktop and a 390 px phone: reordering with the keyboard
and by tapping, autosave surviving a reload, scoring on submit, practice feedback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.app.exam_fixtures import close_now
from tests.app.ordering_fixtures import open_ordering_sitting
from tests.app.test_browser import log_in
from tests.app.ux_world import wait_for_test_page
from tests.factories import make_user

pytestmark = [pytest.mark.browser]
VIEWPORTS = [{"width": 1280, "height": 900}, {"width": 390, "height": 844}]
SHOTS = os.environ.get("SCREENSHOT_DIR")


def keys_of(fieldset) -> list[str]:
    return fieldset.locator("[data-key]").evaluate_all("items => items.map(i => i.dataset.key)")


def arrange(fieldset, target: str, press) -> None:
    """Move each target item up to its place with its 上移 button, using ``press``."""
    for place, key in enumerate(target):
        steps = keys_of(fieldset).index(key) - place
        button = fieldset.locator(f'[data-key="{key}"] .ordering-move[data-step="-1"]')
        for _ in range(steps):
            press(button)
    assert keys_of(fieldset) == list(target)


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_order_by_keyboard_and_by_tap_autosave_reload_and_submit(browser, live_url, ctx, viewport):
    make_user("candidate", name="张晓明")
    sitting = open_ordering_sitting()
    context = browser.new_context(viewport=viewport, has_touch=True)
    page = context.new_page()
    log_in(page, live_url)
    page.goto(f"{live_url}/sessions/{sitting.id}")
    page.click("#submit")
    wait_for_test_page(page)
    page.wait_for_load_state("load")  # the page's scripts have run: buttons answer
    first, second = page.locator('fieldset[data-type="ordering"]').all()
    shot(page, f"ordering-start-{viewport['width']}")
    box = first.locator(".ordering-move").first.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44

    # Keyboard: focus a 上移 button and press Enter; focus stays on the moved item.
    def press_enter(button):
        button.focus()
        page.keyboard.press("Enter")

    moved = keys_of(first)[-1]
    press_enter(first.locator(f'[data-key="{moved}"] .ordering-move[data-step="-1"]'))
    focused = page.evaluate("document.activeElement.closest('[data-key]').dataset.key")
    assert focused == moved
    expect(page.locator("[data-ordering-status]").first).to_contain_text("移到第 3 位，共 4 项")
    arrange(first, "CADB", press_enter)
    # Touch: tap the buttons of the second question.
    # One item in its place (of B C A): whichever of two such orders needs a move.
    partly = "BAC" if keys_of(second) != list("BAC") else "ACB"
    arrange(second, partly, lambda button: button.tap())
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")
    assert page.locator(".palette a.answered").count() == 2
    shot(page, f"ordering-arranged-{viewport['width']}")

    page.reload()
    wait_for_test_page(page)
    first, second = page.locator('fieldset[data-type="ordering"]').all()
    assert keys_of(first) == list("CADB") and keys_of(second) == list(partly)
    assert page.locator(".palette a.answered").count() == 2
    page.click("#submit-button")
    page.click("#confirm-submit")
    page.wait_for_selector(".result")
    assert "4 / 6 分" in page.inner_text(".score")  # 3 + 3 × 1/3
    assert "正确答案：" not in page.inner_text("main")  # others may still be answering
    assert page.get_by_role("link", name="查看答题详情和正确答案").count() == 0
    close_now(sitting)
    page.reload()
    shot(page, f"ordering-result-{viewport['width']}")
    page.get_by_role("link", name="查看答题详情和正确答案").click()
    expect(page.locator("h1")).to_have_text("答题详情")
    assert "正确答案：" in page.inner_text("main")
    shot(page, f"ordering-review-{viewport['width']}")
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_practice_feedback_shows_the_right_order(browser, live_url, ctx, viewport):
    make_user("candidate", name="张晓明")
    open_ordering_sitting(())
    context = browser.new_context(viewport=viewport, has_touch=True)
    page = context.new_page()
    log_in(page, live_url)
    page.goto(f"{live_url}/practice/?bank=order-demo")
    page.click("text=开始练习")
    page.wait_for_selector(".ordering")
    fieldset = page.locator("form")
    target = "CADB" if page.locator("[data-key]").count() == 4 else "BCA"
    arrange(fieldset, target, lambda button: button.tap())
    shot(page, f"practice-arranged-{viewport['width']}")
    page.click("text=提交答案")
    page.wait_for_selector("#feedback")
    assert "回答正确" in page.inner_text("#feedback")
    words = page.inner_text("#feedback")
    assert ("第一步 → " in words and "第四步" in words) or ("甲项 → " in words and "丙项" in words)
    assert page.locator(".ordering-item.right").count() == len(target)
    shot(page, f"practice-feedback-{viewport['width']}")
    context.close()
