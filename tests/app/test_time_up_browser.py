"""The test page at the timer's zero, in a real browser (issue 12: the timer's zero is not a
stampede): it stays, says in place that the paper is being scored, asks the status
endpoint with backoff and jitter from the end of the answer grace on, and shows the result
only once a worker has scored the paper; a whole session no longer loads the result page
in the same second. The waiting state fits a phone in large print and passes axe-core.

The polls' delays are read from what the page asks of ``setTimeout`` from the zero on; an
init script records them and runs each 50 times sooner, so no test waits minutes.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from app.extensions import db
from app.models import Attempt
from app.models.types import utcnow
from tests.app import test_submitting
from tests.app.exam_fixtures import close_when_the_grace_ends, open_sitting
from tests.app.test_browser import answer, log_in
from tests.app.test_pages_browser import VIEWPORTS
from tests.app.test_result_status_browser import (
    JITTER,
    RECORD_DELAYS,
    assert_the_scoring_box_fits,
)
from tests.app.test_submitting import expire, run_jobs
from tests.app.ux_world import wait_for_test_page
from tests.factories import make_user

pytestmark = pytest.mark.browser

real_queue = test_submitting.real_queue  # a fixture: papers wait for a worker

WORDS = "时间到，系统将按截止时已保存的作答自动交卷，正在评分…"
PHONE, DESKTOP = VIEWPORTS["phone"], VIEWPORTS["desktop"]
SHOTS = Path("/tmp/time-up-shots")

# From the zero on (the page's exam:paper-closed event), delays of a second or more are
# recorded and run 50 times sooner; each answer of the status endpoint is recorded too.
# Both are kept in sessionStorage, read once the result page has replaced the test page.
RECORD_FROM_ZERO = """
const polls = {delays: [], answers: []};
const keep = () => sessionStorage.setItem("timeUpPolls", JSON.stringify(polls));
let timeUp = false;
document.addEventListener("exam:paper-closed", () => { timeUp = true; }, true);
const realSetTimeout = window.setTimeout.bind(window);
window.setTimeout = function (callback, ms, ...args) {
  if (!timeUp || ms < 400) return realSetTimeout(callback, ms, ...args);
  polls.delays.push(ms);
  keep();
  return realSetTimeout(callback, ms / 50, ...args);
};
const realFetch = window.fetch.bind(window);
window.fetch = function (url, options) {
  const answered = realFetch(url, options);
  if (String(url).includes("/status")) {
    answered.then((r) => r.clone().json()).then((b) => { polls.answers.push(b); keep(); }, () => {});
  }
  return answered;
};
"""
POLLS = "JSON.parse(sessionStorage.getItem('timeUpPolls') || '{\"delays\": [], \"answers\": []}')"


def started_paper(page, live_url: str) -> int:
    """Log in, start the usual sitting; the test page is open."""
    sitting = open_sitting()
    log_in(page, live_url)
    page.click(f"text={sitting.title}")
    page.click("#submit")
    wait_for_test_page(page)
    return int(page.url.rsplit("/", 1)[1])


def expected_bases(first_wait_seconds: float, answers: list[dict]) -> list[float]:
    """The delays before each poll, before jitter: the grace left at zero (at least 1 s),
    then after each answer 1 s doubling to 15 s, or the wait the server said if longer."""
    bases, delay = [max(1000, first_wait_seconds * 1000)], 1000
    for body in answers:
        bases.append(max(delay, body["wait_seconds"] * 1000))
        delay = min(delay * 2, 15000)
    return bases


def test_at_zero_the_page_stays_says_it_is_scored_and_shows_the_result_once_scored(
    browser, live_url, ctx, app, real_queue
):
    make_user("candidate", name="张晓明")
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(RECORD_FROM_ZERO)
    # Every jitter at its lowest draw: the first poll comes at the grace's end, not before
    # it (at × 0.85 it came up to 15 % before, and was told to wait again); the others at
    # 0.85 of their wait. Their spread is the hand-in's test's (test_result_status_browser).
    page.add_init_script("Math.random = () => 0;")
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.method + " " + r.url))
    attempt_id = started_paper(page, live_url)
    test_page = page.url
    grace = app.config["ANSWER_GRACE_SECONDS"]
    app.config["ANSWER_GRACE_SECONDS"] = 2
    try:
        deadline = utcnow() + timedelta(seconds=6)
        db.session.execute(
            update(Attempt).where(Attempt.id == attempt_id).values(deadline=deadline)
        )
        db.session.commit()
        page.reload()
        wait_for_test_page(page)
        answer(page, page.locator("fieldset.question").first)
        status = page.locator("#scoring-status")
        expect(status).to_have_text(WORDS, timeout=15_000)
        assert status.get_attribute("role") == "status"
        expect(page.locator("#scoring-box")).to_contain_text("成绩出来后本页会自动刷新")
        expect(page.locator("#countdown")).to_have_text("时间到")
        expect(page.locator("fieldset.question input[name]").first).to_be_disabled()
        # The server closes the paper once the grace is over; a worker has not scored it.
        close_when_the_grace_ends(deadline)
        for _ in range(200):
            answers = page.evaluate(POLLS)["answers"]
            if answers and answers[-1]["state"] == "submitted" and len(answers) >= 3:
                break
            page.wait_for_timeout(100)
        assert answers[-1]["state"] == "submitted" and not answers[-1]["scored"]
        assert page.url == test_page  # still the test page, still saying it is scored
        expect(status).to_have_text(WORDS)
        assert not [r for r in requested if r.endswith(("/result", "/submit"))]
        wait_seconds = float(page.get_attribute("#scoring-box", "data-wait-seconds"))
        assert 0 < wait_seconds <= 3  # the grace, from when the countdown shows 00:00
        history = page.evaluate("history.length")
    finally:
        app.config["ANSWER_GRACE_SECONDS"] = grace
    elsewhere = context.new_page()  # a reload now: the result page, still waiting
    elsewhere.goto(test_page)
    assert elsewhere.url == f"{live_url}/attempts/{attempt_id}/result"
    expect(elsewhere.locator(".score-pending")).to_have_text(WORDS)
    elsewhere.close()
    assert run_jobs() == 1
    page.wait_for_url(f"{live_url}/attempts/{attempt_id}/result", timeout=20_000)
    expect(page.locator(".time-up")).to_contain_text("时间到，系统已按截止时的作答自动交卷")
    assert "/ 20 分" in page.inner_text(".score")
    assert page.evaluate("history.length") == history  # replaced: Back skips the test page
    polls = page.evaluate(POLLS)
    delays, answers = polls["delays"], polls["answers"]
    assert [a["scored"] for a in answers][-1] is True and not any(a["scored"] for a in answers[:-1])
    bases = expected_bases(wait_seconds, answers[:-1])
    assert len(delays) == len(bases)
    assert delays[0] == pytest.approx(bases[0]), (delays, bases)  # the grace: a floor
    for delay, base in zip(delays[1:], bases[1:], strict=True):
        assert delay == pytest.approx(JITTER[0] * base), (delay, base)
    assert max(bases) == 15000  # backed off to 15 s while the paper waited for a worker
    assert not [r for r in requested if r.startswith("POST") and r.endswith("/submit")]
    # The result came with the status answer that said "scored", shown in place: no page
    # more for each of a session's candidates at the close's busiest seconds.
    assert not [r for r in requested if r.endswith("/result")]
    context.close()


@pytest.mark.parametrize(
    ("viewport", "text_size"),
    [(PHONE, "标准字号"), (PHONE, "特大字号"), (DESKTOP, "标准字号"), (DESKTOP, "特大字号")],
    ids=["phone", "phone-large", "desktop", "desktop-large"],
)
def test_the_waiting_state_fits_the_screen_in_large_print_and_passes_axe(
    browser, live_url, ctx, viewport, text_size
):
    make_user("candidate", name="张晓明")
    page = browser.new_page(viewport=viewport)
    page.add_init_script(RECORD_DELAYS % 0)  # no poll runs: the waiting state stays
    attempt_id = started_paper(page, live_url)
    page.click(f"button[aria-label={text_size}]")
    expire(attempt_id, seconds_ago=1)  # reopened in the grace: the timer is at zero at once
    page.goto(f"{live_url}/attempts/{attempt_id}")
    expect(page.locator("#scoring-status")).to_have_text(WORDS)
    size = "large" if text_size == "特大字号" else "standard"
    shot = SHOTS / f"time-up-{viewport['width']}-{size}.png"
    assert_the_scoring_box_fits(page, viewport["width"], shot)
    page.close()


def one_of_ten_started(browser, live_url: str, app, monkeypatch):
    """Ten registered at one result a second (a 5 s grace), the candidate started with
    every draw of the page's at the middle and its polls recorded, none run: the page and
    the attempt."""
    names = ("candidate", *(f"c{n}" for n in range(9)))
    for name in names:
        make_user(name)
    monkeypatch.setitem(app.config, "RESULTS_PER_SECOND", 1)
    monkeypatch.setitem(app.config, "ANSWER_GRACE_SECONDS", 5)
    sitting = open_sitting(names)
    page = browser.new_page()
    page.add_init_script(RECORD_DELAYS % 0)  # recorded, none run: no poll is answered
    page.add_init_script("Math.random = () => 0.5;")
    log_in(page, live_url)
    page.click(f"text={sitting.title}")
    page.click("#submit")
    wait_for_test_page(page)
    return page, int(page.url.rsplit("/", 1)[1])


def test_at_zero_a_crowds_pages_spread_their_first_ask_over_the_crowds_spread(
    browser, live_url, ctx, app, monkeypatch
):
    """Ten registered at one result a second: the page's first ask comes within 30 s past
    the grace (three times the results' time), not within the grace again
    (app.exam.waits); here every draw at the middle: 15 s past it. At a 10,000 close the
    first asks so come at a third of the results' pace, not all in the grace's 30 s."""
    page, attempt_id = one_of_ten_started(browser, live_url, app, monkeypatch)
    assert page.get_attribute("#attempt", "data-first-ask-spread") == "30"
    expire(attempt_id, seconds_ago=1)  # reopened in the grace: the timer is at zero at once
    page.goto(f"{live_url}/attempts/{attempt_id}")
    expect(page.locator("#scoring-status")).to_have_text(WORDS)
    grace_left = float(page.get_attribute("#scoring-box", "data-wait-seconds")) * 1000
    assert 1000 < grace_left <= 4000
    assert page.evaluate("window.pollDelays") == [pytest.approx(grace_left + 0.5 * 30_000)]
    page.close()


def test_at_zero_a_lone_candidate_asks_after_the_grace_its_save_told_not_the_crowds(
    browser, live_url, ctx, app, monkeypatch
):
    """Ten registered at one result a second, one started: the page rendered is sized for
    the ten (30 s), its save answers that its paper ends alone (3 s), and at the zero the
    first ask comes over the grace left, not 15 s past it (app.exam.zero_crowd)."""
    page, attempt_id = one_of_ten_started(browser, live_url, app, monkeypatch)
    expire(attempt_id, seconds_ago=-6)  # the timer reaches zero in 6 s
    page.reload()
    wait_for_test_page(page)
    assert page.get_attribute("#attempt", "data-first-ask-spread") == "30"
    answer(page, page.locator("fieldset.question").first)
    expect(page.locator("#attempt")).to_have_attribute("data-first-ask-spread", "3")
    expect(page.locator("#scoring-status")).to_have_text(WORDS, timeout=15_000)
    grace_left = float(page.get_attribute("#scoring-box", "data-wait-seconds")) * 1000
    assert 3000 < grace_left <= 6000  # the zero: the second at which less than one is left
    assert page.evaluate("window.pollDelays") == [pytest.approx(grace_left * 1.5)]
    page.close()
