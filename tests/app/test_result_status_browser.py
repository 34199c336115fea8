"""The test page after 交卷 and the result page while the paper is scored, in a real
browser: the test page stays and says the paper is being scored, and shows the result
once a worker has scored it, and its status polls back off with jitter (and wait out the
answer grace at the timer's zero) so that a whole session's pages don't ask at once.

The backoff is read from the delays the page's script asks of ``setTimeout``: an init
script records them and runs the callbacks at once, so no test waits minutes.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Attempt
from app.models.attempt import SUBMITTED
from tests.app import test_submitting
from tests.app.exam_fixtures import open_sitting
from tests.app.test_browser import answer, log_in
from tests.app.test_pages_browser import AXE, RUN_AXE, VIEWPORTS, WCAG
from tests.app.test_submitting import expire, run_jobs
from tests.app.ux_world import wait_for_test_page
from tests.factories import make_user

pytestmark = pytest.mark.browser

real_queue = test_submitting.real_queue  # a fixture: papers wait for a worker

# Delays of a second or more are recorded and run at once, the first LIMIT of them only;
# on the test page (#attempt) only from the paper's close on: its countdown's are no polls.
RECORD_DELAYS = """
window.pollDelays = [];
let closed = false;
document.addEventListener("exam:paper-closed", () => { closed = true; }, true);
const realSetTimeout = window.setTimeout.bind(window);
window.setTimeout = function (callback, ms, ...args) {
  const polling = closed || !document.getElementById("attempt");
  if (!polling || ms < 400) return realSetTimeout(callback, ms, ...args);
  window.pollDelays.push(ms);
  return window.pollDelays.length <= %d ? realSetTimeout(callback, 0, ...args) : 0;
};
"""


PHONE = VIEWPORTS["phone"]
SHOTS = Path("/tmp/handed-in-shots")

# Each wait × 0.85–1.35 (result-status.js): never much before the wait it was told.
JITTER = (0.85, 1.35)


def within_jitter(delay: float, base: float) -> bool:
    return JITTER[0] * base <= delay < JITTER[1] * base


def recorded_delays(page, polls: list[str], runs: int) -> list[int]:
    """The page's recorded delays once ``runs`` polls (run at once, each waiting for its
    answer) are answered and the delay after the last is recorded but not run."""
    for _ in range(100):
        delays = page.evaluate("window.pollDelays")
        if len(delays) == runs + 1 and len(polls) == runs:
            break
        page.wait_for_timeout(100)
    assert len(delays) == runs + 1 and len(polls) == runs  # the last delay is not run
    return delays


def submitted_paper(page, live_url: str, text_size: str | None = None) -> int:
    """Log in, start the usual sitting (in ``text_size``, if given) and hand in the paper
    from the test page, which stays and says the paper is being scored (no page saying
    "wait" is loaded)."""
    sitting = open_sitting()
    log_in(page, live_url)
    page.click(f"text={sitting.title}")
    page.click("#submit")
    wait_for_test_page(page)
    if text_size:
        page.click(f"button[aria-label={text_size}]")
        wait_for_test_page(page)
    test_page = page.url
    attempt_id = int(test_page.rsplit("/", 1)[1])
    page.click("#submit-button")
    page.click("#confirm-submit")
    expect(page.locator("#scoring-status")).to_have_text("已交卷，正在评分…")
    expect(page.locator("#countdown")).to_have_text("已交卷")
    expect(page.locator("fieldset.question input[name]").first).to_be_disabled()
    assert page.url == test_page
    return attempt_id


def test_after_the_submit_the_page_shows_the_result_once_the_paper_is_scored(
    browser, live_url, ctx, real_queue
):
    make_user("candidate", name="张晓明")
    page = browser.new_page()
    pages = []
    page.on("request", lambda r: r.resource_type == "document" and pages.append(r.url))
    attempt_id = submitted_paper(page, live_url)
    page.wait_for_event("requestfinished", lambda r: "/status" in r.url, timeout=10_000)
    expect(page.locator("#scoring-status")).to_be_visible()  # not scored yet: still waiting
    assert db.session.get(Attempt, attempt_id).status == SUBMITTED
    assert run_jobs() == 1
    expect(page.locator(".verdict")).to_have_text("不合格", timeout=20_000)
    assert "/ 20 分" in page.inner_text(".score") and page.locator(".score-pending").count() == 0
    # After the test page (the start's answer), no page at all: the status answer that
    # said "scored" carried the result, shown in place at the result page's address
    # (before: the submit's own page, a page saying "wait", then the result page; then
    # the result page alone, a request more for each of a session's candidates).
    assert [url for url in pages if "/attempts/" in url] == []
    assert page.url == f"{live_url}/attempts/{attempt_id}/result"
    assert page.title().startswith("成绩 ·")
    assert page.evaluate("document.activeElement.tagName") == "H1"  # read out first
    # The test's link-free header links home again, as on every other page.
    expect(page.locator("header a.brand")).to_have_attribute("href", "/")
    page.reload()  # the same result, as its own page
    expect(page.locator(".verdict")).to_have_text("不合格")
    page.close()


def test_the_polls_back_off_with_jitter_up_to_fifteen_seconds(browser, live_url, ctx, real_queue):
    make_user("candidate", name="张晓明")
    page = browser.new_page()
    page.add_init_script(RECORD_DELAYS % 7)
    polls = []  # listened for before the submit: its first poll may run at once
    page.on("requestfinished", lambda r: "/status" in r.url and polls.append(r.url))
    submitted_paper(page, live_url)
    expect(page.locator(".score-pending")).to_be_visible()
    delays = recorded_delays(page, polls, 7)
    bases = [1000, 1000, 2000, 4000, 8000, 15000, 15000, 15000]  # the first, then each answer's
    for delay, base in zip(delays, bases, strict=True):
        assert within_jitter(delay, base), (delay, base)
    assert len({round(d / b, 6) for d, b in zip(delays, bases, strict=True)}) > 1  # jittered
    page.close()


def test_a_refused_hand_in_posts_the_form_its_own_way_with_every_answer(browser, live_url, ctx):
    """While 交卷 is posted the paper is frozen (what is posted is what the page shows); a
    post the server refuses (here a 401: the login ended) is sent again as the form's own
    post, with the same fields (enabled again: a disabled field posts nothing), and that
    post's page follows (here the result)."""
    make_user("candidate", name="张晓明")
    sitting = open_sitting()
    page = browser.new_page()
    log_in(page, live_url)
    page.click(f"text={sitting.title}")
    page.click("#submit")
    wait_for_test_page(page)
    attempt_id = int(page.url.rsplit("/", 1)[1])
    first = page.locator("fieldset.question").first
    position = first.get_attribute("data-position")
    answer(page, first)
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")
    held, posts = [], []

    def hold_the_first(route):
        posts.append(route.request)
        if len(posts) == 1:
            held.append(route)
        else:
            route.continue_()

    page.route("**/submit", hold_the_first)
    page.click("#submit-button")
    page.click("#confirm-submit")
    expect(page.locator("#save-state")).to_have_text("正在交卷…")
    expect(first.locator("input[name]").first).to_be_disabled()
    expect(page.locator("#submit-button")).to_be_disabled()
    for _ in range(100):  # the route's handler runs once Playwright dispatches the post
        if held:
            break
        page.wait_for_timeout(50)
    held[0].fulfill(
        status=401, content_type="application/json", body='{"error": "登录已失效", "expired": true}'
    )
    page.wait_for_url(f"{live_url}/attempts/{attempt_id}/result")
    expect(page.locator(".verdict")).to_be_visible()
    scripted, own = (parse_qs(post.post_data) for post in posts)
    assert posts[0].headers["accept"] == "application/json"
    assert "accept" not in posts[1].headers or "json" not in posts[1].headers["accept"]
    assert set(own) == set(scripted) and f"q{position}" in own
    page.close()


@pytest.mark.parametrize("text_size", ["标准字号", "特大字号"], ids=["standard", "large"])
def test_the_handed_in_state_fits_a_phone_in_large_print_and_passes_axe(
    browser, live_url, ctx, real_queue, text_size
):
    make_user("candidate", name="张晓明")
    page = browser.new_page(viewport=PHONE)
    page.add_init_script(RECORD_DELAYS % 0)  # no poll runs: the state stays
    submitted_paper(page, live_url, text_size)
    expect(page.locator("#scoring-box")).to_contain_text("成绩出来后本页会自动刷新")
    size = "large" if text_size == "特大字号" else "standard"
    assert_the_scoring_box_fits(page, PHONE["width"], SHOTS / f"handed-in-390-{size}.png")
    page.close()


@pytest.mark.parametrize("text_size", ["标准字号", "特大字号"], ids=["standard", "large"])
def test_the_result_shown_in_place_fits_a_phone_in_large_print_and_passes_axe(
    browser, live_url, ctx, real_queue, text_size
):
    """The result the status answer carries, shown in place of the test page's paper: the
    heading in view and focused, the page no wider than the screen, nothing of the paper
    left, and axe finds nothing; a screenshot kept."""
    make_user("candidate", name="张晓明")
    page = browser.new_page(viewport=PHONE)
    attempt_id = submitted_paper(page, live_url, text_size)
    assert run_jobs() == 1
    expect(page.locator(".verdict")).to_have_text("不合格", timeout=20_000)
    assert page.url == f"{live_url}/attempts/{attempt_id}/result"
    heading = page.locator("section.result h1")
    expect(heading).to_be_focused()
    expect(heading).to_be_in_viewport()
    assert page.locator("#paper, #attempt, .exam-bar").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    size = "large" if text_size == "特大字号" else "standard"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"result-in-place-390-{size}.png"), full_page=True)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE, WCAG) == []
    page.close()


def assert_the_scoring_box_fits(page, width: int, shot: Path) -> None:
    """The test page's scoring box (at zero, or once handed in) in view below the sticky
    bar, the page no wider than the screen, and axe finds nothing; a screenshot kept."""
    box = page.locator("#scoring-box")
    expect(box).to_be_in_viewport()
    bar = page.locator(".exam-bar").bounding_box()
    shown = box.bounding_box()
    assert shown["y"] >= bar["y"] + bar["height"] - 1  # not under the sticky bar
    assert shown["x"] >= 0 and shown["x"] + shown["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(shot))
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE, WCAG) == []


def test_at_the_timers_zero_the_first_poll_waits_out_the_grace(browser, live_url, ctx, app):
    """A page opened at zero, while the server still takes the last answers, is told the
    grace left and asks only after it (before, a second after opening, only to be told to
    wait): thousands of pages open at that second."""
    make_user("candidate", name="张晓明")
    sitting = open_sitting()
    page = browser.new_page()
    page.add_init_script(RECORD_DELAYS % 0)
    log_in(page, live_url)
    page.click(f"text={sitting.title}")
    page.click("#submit")
    wait_for_test_page(page)
    attempt_id = int(page.url.rsplit("/", 1)[1])
    expire(attempt_id, seconds_ago=1)
    page.goto(f"{live_url}/attempts/{attempt_id}/result")
    expect(page.locator(".score-pending")).to_contain_text("时间到")
    grace = app.config["ANSWER_GRACE_SECONDS"]
    wait = int(page.get_attribute("#scoring", "data-wait-seconds"))
    assert grace - 5 <= wait <= grace - 1
    delays = page.evaluate("window.pollDelays")
    assert len(delays) == 1 and within_jitter(delays[0], wait * 1000)
    page.close()
