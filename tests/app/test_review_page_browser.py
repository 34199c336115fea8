"""答题详情 in a real browser, on a desktop and a 390 px phone: reached from the result page
once the review opens, every question with the answer given and its key, no wider than
the screen, and no WCAG 2.2 A/AA violation found by axe-core."""

from __future__ import annotations

import pytest

from app.exam.attempts import finalize
from app.exam.starting import start_attempt
from app.extensions import db
from app.models.types import utcnow
from tests.app.exam_fixtures import close_now, open_sitting
from tests.app.test_browser import log_in
from tests.app.test_pages_browser import VIEWPORTS, _problems
from tests.factories import make_user

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_review_opens_from_the_result_page_and_fits_the_screen(browser, live_url, ctx, size):
    candidate = make_user("candidate", name="张晓明")
    sitting = open_sitting()
    attempt = start_attempt(candidate, sitting, None, utcnow())
    for item in attempt.items:
        item.response, item.answered_at = "A", utcnow()
    db.session.commit()
    finalize(attempt.id, "candidate", utcnow())
    close_now(sitting)

    viewport = VIEWPORTS[size]
    page = browser.new_page(viewport=viewport)
    log_in(page, live_url)
    page.goto(f"{live_url}/attempts/{attempt.id}/result")
    page.get_by_role("link", name="查看答题详情和正确答案").click()
    assert page.url.endswith(f"/attempts/{attempt.id}/review")
    assert page.locator("h1").inner_text() == "答题详情"
    assert page.locator("fieldset.question").count() == len(attempt.items)
    assert page.locator(".review").count() == len(attempt.items)
    assert "正确答案：" in page.inner_text("main")
    assert not _problems(page, "review", viewport["width"])
    page.get_by_role("link", name="返回成绩").first.click()
    assert page.url.endswith(f"/attempts/{attempt.id}/result")
    page.close()
