"""Issue 13, large print (适老化): a 大字 switch remembered per user, line spacing of at
least 1.3, touch targets of at least 24 px, and the test page usable at 200 % zoom."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.app.exam_fixtures import open_sitting
from tests.app.test_browser import log_in
from tests.app.test_take_keyboard_browser import SIZES, shot
from tests.app.ux_world import wait_for_test_page
from tests.factories import make_user

pytestmark = [pytest.mark.browser]

TARGETS = "button, .palette a, label.option, label.flag, .skip-link, input[type=text]"
MEASURE = """sel => Array.from(document.querySelectorAll(sel)).filter(e => e.offsetParent !== null)
  .map(e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return {text: e.textContent.trim().slice(0, 12), w: r.width, h: r.height,
            line: parseFloat(s.lineHeight) / parseFloat(s.fontSize)}; })"""


@pytest.mark.parametrize("size", SIZES)
def test_text_size_is_remembered_and_the_test_page_fits(browser, live_url, ctx, size):
    make_user("candidate", name="张晓明")
    sitting = open_sitting()
    page = browser.new_page(viewport=SIZES[size])
    log_in(page, live_url)
    page.click("button[aria-label=特大字号]")
    expect(page.locator("html")).to_have_class("text-size-2")
    expect(page.locator("button[aria-label=特大字号]")).to_have_attribute("aria-pressed", "true")
    assert page.url == f"{live_url}/"
    page.close()

    other = browser.new_context(viewport=SIZES[size])  # another computer: the same size
    page = other.new_page()
    log_in(page, live_url)
    expect(page.locator("html")).to_have_class("text-size-2")
    page.goto(f"{live_url}/sessions/{sitting.id}")
    page.click("#submit")
    wait_for_test_page(page)
    page.wait_for_load_state("load")
    shot(page, f"large-print-take-{size}")
    width = SIZES[size]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for target in page.evaluate(MEASURE, TARGETS):
        assert target["w"] >= 24 and target["h"] >= 24, target
    for text in page.evaluate(MEASURE, "body, legend, .option, .button, .palette-title, p"):
        assert text["line"] >= 1.3, text
    other.close()


@pytest.mark.parametrize("text_size", ["标准字号", "特大字号"])
def test_the_test_page_at_200_percent_zoom_does_not_scroll_sideways(
    browser, live_url, ctx, text_size
):
    """1366×768 at 200 % zoom is a 683×384 viewport."""
    make_user("candidate", name="张晓明")
    sitting = open_sitting()
    page = browser.new_page(viewport={"width": 683, "height": 384})
    log_in(page, live_url)
    page.click(f"button[aria-label={text_size}]")
    page.goto(f"{live_url}/sessions/{sitting.id}")
    page.click("#submit")
    wait_for_test_page(page)
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 683
    page.click("#palette-toggle")
    page.click('.palette a[data-number="5"]')
    expect(page.locator("#q5")).to_be_focused()
    bar = page.locator(".exam-bar").bounding_box()
    assert page.locator("#q5").bounding_box()["y"] >= bar["y"] + bar["height"] - 1
    shot(page, f"zoom-200-{text_size}")
    page.close()
