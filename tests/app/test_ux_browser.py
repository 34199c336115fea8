"""Issue 13's defects where the behaviour is in the browser, at desktop and phone sizes."""

from __future__ import annotations

import pytest

from tests.app.ux_world import CERTIFICATE_TOKEN, build_world, log_in

pytestmark = [pytest.mark.browser]

SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
A4_CSS_PX = 720  # 210 mm less 2 × 12 mm margins, at 96 px per inch (about 703 px), rounded up


@pytest.fixture
def world(ctx):
    return build_world()


@pytest.mark.parametrize("size", SIZES)
def test_the_one_time_password_prints_without_menus(browser, live_url, world, size):
    """Defect 11: the password page printed the menus."""
    page = browser.new_page(viewport=SIZES[size])
    log_in(page, live_url, "admin")
    page.goto(f"{live_url}/admin/people/{world.candidate.id}")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("text=重置密码 >> nth=-1")
    password = page.locator(".password").inner_text().strip()
    page.wait_for_load_state()  # the stylesheet too: without it the print rules are not there yet
    page.emulate_media(media="print")
    assert not page.is_visible(".topbar") and not page.is_visible(".admin-nav")
    assert not page.is_visible(".footer")  # it prints as a login slip holding the password:
    assert page.locator(".slip").get_by_text(password).is_visible()
    page.close()


def test_result_tables_fit_a4_in_print(browser, live_url, world):
    """Defect 11: result tables were cut off on A4."""
    page = browser.new_page(viewport={"width": A4_CSS_PX, "height": 1000})
    log_in(page, live_url, "admin")
    for path in ("/admin/results/units/2", "/admin/audit/", "/admin/people/"):
        page.goto(live_url + path)
        page.emulate_media(media="print")
        widest = "Math.max(...[...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().right))"
        assert page.evaluate(widest) <= A4_CSS_PX, path
        page.emulate_media(media="screen")
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_person_saved_unchanged_in_the_browser_keeps_their_unit(browser, live_url, world, size):
    """Defect 1, as 王芳's unit admin met it: change only the phone, press 保存."""
    page = browser.new_page(viewport=SIZES[size])
    log_in(page, live_url, "unitadmin")
    page.goto(f"{live_url}/admin/people/{world.candidate.id}")
    assert page.locator("#unit option:checked").inner_text().endswith("市财政局办公室")
    page.fill("#phone", "13900139000")
    page.click("#submit")
    assert "已保存" in page.inner_text(".flash")
    assert page.locator("#unit option:checked").inner_text().endswith("市财政局办公室")
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_verification_result_is_plain_with_labels_on_one_line(browser, live_url, world, size):
    """Defect 5: large and bold throughout, 证书编/号 wrapping mid-word."""
    page = browser.new_page(viewport=SIZES[size])
    page.goto(f"{live_url}/v/{CERTIFICATE_TOKEN}")
    weight = "getComputedStyle(document.querySelector('.verify-result td')).fontWeight"
    assert page.evaluate(weight) == "400"
    assert page.inner_text(".verify-status") == "有效"
    lines = """[...document.querySelectorAll('.verify-result th')].map(th => {
        const range = document.createRange(); range.selectNodeContents(th);
        return [th.textContent, new Set([...range.getClientRects()].map(r => r.top)).size];
    })"""
    for label, count in page.evaluate(lines):
        assert count == 1, f"{label} wraps over {count} lines"
    page.close()
