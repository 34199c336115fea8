"""The test page: the question the candidate is on is marked in the palette (aria-current,
a ring and an underline, not colour alone), and changing the text size while an answer is
still being saved waits for the save instead of losing it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import AttemptItem
from tests.app.test_live_view_browser import shot
from tests.app.test_take_keyboard_browser import SIZES, start

pytestmark = pytest.mark.browser


def current_numbers(page) -> list[str]:
    return page.eval_on_selector_all(
        ".palette a[aria-current]", "links => links.map(a => a.dataset.number)"
    )


@pytest.mark.parametrize("size", SIZES)
def test_the_palette_marks_the_current_question(browser, live_url, ctx, size):
    page = start(browser, live_url, size)
    assert current_numbers(page) == ["1"]
    if size == "phone":
        page.click("#palette-toggle")
    page.click(".palette a[data-number='4']")
    assert current_numbers(page) == ["4"]
    link = page.locator(".palette a[data-number='4']")
    expect(link).to_have_attribute("aria-current", "true")
    mark = link.evaluate(
        "a => { const s = getComputedStyle(a); return [s.outlineStyle, s.outlineWidth, s.textDecorationLine]; }"
    )
    assert mark == ["solid", "3px", "underline"]  # a shape, not a colour
    page.locator("#q7 input").first.focus()  # the keyboard moves on
    assert current_numbers(page) == ["7"]
    expect(page.locator(".palette a[data-number='4']")).not_to_have_attribute(
        "aria-current", "true"
    )
    page.click("#view-toggle")  # one question at a time: 下一题 moves the mark
    page.click("#step-next")
    assert len(current_numbers(page)) == 1
    if size == "phone":
        page.click("#palette-toggle")
    shot(page, f"palette-current-{size}")
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_changing_the_text_size_waits_for_the_answer_being_saved(browser, live_url, ctx, size):
    page = start(browser, live_url, size)
    held = []
    page.route("**/answers", lambda route: held.append(route))
    fill = page.locator("fieldset.question[data-type='fill']").first
    position = int(fill.get_attribute("data-position"))
    fill.locator("input.blank").first.fill("民主集中制")  # typed: not yet queued (800 ms)
    page.click("button[aria-label=大字号]")
    expect(page.locator("#save-state")).to_contain_text("保存后再切换字号")
    expect(page.locator("html")).to_have_class("text-size-0")  # not reloaded yet
    page.wait_for_timeout(300)
    assert held, "the typed answer was sent before the size changed"
    page.route("**/answers", lambda route: route.continue_())  # the network is back
    for route in held:
        route.continue_()
    expect(page.locator("html")).to_have_class("text-size-1")  # then the size changed
    expect(
        page.locator(f"fieldset.question[data-position='{position}'] input.blank").first
    ).to_have_value("民主集中制")
    db.session.expire_all()
    saved = db.session.scalar(select(AttemptItem.response).where(AttemptItem.position == position))
    assert saved == ["民主集中制"]
    page.wait_for_load_state("load")  # closing mid-download leaves the server a file open
    page.close()
