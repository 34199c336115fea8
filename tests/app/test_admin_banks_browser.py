"""Uploading a bank in a real browser: upload → errors beside lines → fixed upload →
diff → 发布, on desktop and phone widths (Chromium driven by Playwright)."""

from __future__ import annotations

import pytest

from app.bank.services import load_version
from app.models import Role
from tests.app.bank_admin_fixtures import SMALL_BANK, publish_small
from tests.factories import make_user

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
    ids=["desktop", "phone"],
)
def test_upload_diff_publish(browser, live_url, ctx, tmp_path, viewport):
    publish_small()
    make_user("admin", role=Role.SYSTEM_ADMIN)
    bad, good = tmp_path / "bad.yaml", tmp_path / "small.yaml"
    bad.write_text(SMALL_BANK.replace("    answer: A\n", "    anwser: A\n"), encoding="utf-8")
    good.write_text(SMALL_BANK.replace("中央政治局}", "中央书记处}"), encoding="utf-8")
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        page.goto(f"{live_url}/login")
        page.fill("#username", "admin")
        page.fill("#password", "correct-horse-1")
        page.click("#submit")
        page.goto(f"{live_url}/admin/banks/")
        page.click("text=上传题库文件")

        page.set_input_files("#file", str(bad))
        page.click("#submit")
        page.wait_for_selector(".source-line.bad")
        assert "未知字段“anwser”，是否应为“answer”？" in page.inner_text(".upload-errors")
        assert page.locator(".source-line.bad", has_text="anwser: A").count() == 1

        page.set_input_files("#file", str(good))
        page.click("#submit")
        page.wait_for_selector("text=修改 1")
        assert "B. 中央政治局" in page.inner_text("td.old") and "B. 中央书记处" in page.inner_text(
            "td.new"
        )
        assert load_version("small")[0].number == 1

        pending = page.url
        page.click("input[value='发布']")
        page.wait_for_selector("text=已发布 small 第 2 版")
        assert load_version("small")[1].questions[0].options[1] == ("B", "中央书记处")
        page.goto(pending)
        assert "发布为第 2 版" in page.inner_text("main")
        assert page.locator("input[value='发布']").count() == 0
    finally:
        context.close()
