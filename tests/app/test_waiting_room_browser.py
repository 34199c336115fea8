"""The waiting room in a real browser on a 390 px phone: a countdown that says at the open
that the test has begun, without a reload, by the server's clock even when the device's
clock is wrong; 进入考场 is there before it (test_sealed_paper_browser.py), and pressing
the button after the open starts the test."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.models.types import utcnow
from tests.app.exam_fixtures import open_sitting
from tests.app.test_browser import log_in
from tests.app.test_pages_browser import AXE, RUN_AXE, WCAG
from tests.app.ux_world import wait_for_test_page
from tests.factories import make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/waitroom-shots")
# A device whose clock is an hour fast: its time must not decide when the button is enabled.
CLOCK_AN_HOUR_FAST = """(() => { const real = Date.now.bind(Date);
  Date.now = () => real() + 3600 * 1000; })();"""


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_countdown_says_the_open_without_a_reload_and_the_button_starts_the_test(
    browser, live_url, ctx
):
    make_user("candidate", name="张晓明")
    sitting = open_sitting(opens=utcnow() + timedelta(seconds=10))
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(CLOCK_AN_HOUR_FAST)
    page = context.new_page()
    log_in(page, live_url)
    page.goto(f"{live_url}/sessions/{sitting.id}")
    button = page.locator("#submit")
    expect(button).to_be_enabled()
    expect(button).to_have_value("进入考场")
    expect(page.locator("#open-countdown")).to_contain_text("距开考还有")
    expect(page.locator("#open-countdown")).to_contain_text("秒")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.evaluate("window.loadedOnce = true")  # gone if the page were reloaded
    expect(page.locator("#open-countdown")).to_have_text("考试已开始", timeout=15_000)
    assert utcnow() >= sitting.opens_at
    assert page.evaluate("window.loadedOnce") is True
    expect(page.locator("#open-countdown-hint")).to_contain_text("请点击")
    expect(button).to_have_value("开始答题")
    expect(page.locator("#open-countdown-status")).to_contain_text("考试已开始")
    shot(page, "waiting-room-at-the-open")
    button.click()
    page.wait_for_url(f"{live_url}/attempts/*")
    wait_for_test_page(page)
    context.close()


@pytest.mark.parametrize("text_size", ["标准字号", "特大字号"])
def test_the_waiting_room_fits_a_phone_in_large_print_and_passes_axe(
    browser, live_url, ctx, text_size
):
    make_user("candidate", name="张晓明")
    sitting = open_sitting(opens=utcnow() + timedelta(minutes=12, seconds=30), access_code="2468")
    page = browser.new_page(viewport=PHONE)
    log_in(page, live_url)
    page.click(f"button[aria-label={text_size}]")
    page.goto(f"{live_url}/sessions/{sitting.id}")
    expect(page.locator("#open-countdown")).to_contain_text("距开考还有 12 分")
    expect(page.locator("#submit")).to_have_value("进入考场")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    countdown = page.locator("#open-countdown").bounding_box()
    body = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('open-countdown')).fontSize)"
    )
    assert size >= 1.5 * body  # larger than the text around it
    assert countdown["x"] >= 0 and countdown["x"] + countdown["width"] <= PHONE["width"]
    page.locator("#open-countdown").scroll_into_view_if_needed()
    shot(page, f"waiting-room-{text_size}")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE, WCAG) == []
    page.close()


def test_an_open_page_left_until_the_close_says_so_and_disables_the_button(browser, live_url, ctx):
    make_user("candidate", name="张晓明")
    now = utcnow()
    sitting = open_sitting(opens=now - timedelta(minutes=5), closes=now + timedelta(seconds=10))
    page = browser.new_page(viewport=PHONE)
    log_in(page, live_url)
    page.goto(f"{live_url}/sessions/{sitting.id}")
    expect(page.locator("#submit")).to_be_enabled()
    expect(page.locator("#start-form")).to_contain_text("本场考试已结束。", timeout=15_000)
    expect(page.locator("#submit")).to_be_disabled()
    page.close()
