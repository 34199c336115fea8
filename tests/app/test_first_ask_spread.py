"""The test page tells its script over how long, past the grace, to spread its first ask
for the score at the timer's zero: longer for a larger crowd (issue 12: a 10,000 close's
first asks came in the grace's 30 s after it, beside the results at their pace, and in a
slower hour every request of the close waited up to 3.7 s). The page rendered is sized
for everyone registered; each save tells it the crowd counted around its own deadline, so
a sitting open for days to a large unit makes none of its few candidates wait minutes for
a score. The script's use of both is tested in a browser (test_time_up_browser.py).
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import update

from app.exam import prepared
from app.extensions import db
from app.models import Attempt
from app.models.types import utcnow
from tests.app.exam_fixtures import open_sitting
from tests.app.test_attempts import correct_response, save, start
from tests.app.test_submitting import first_single
from tests.auth import login
from tests.factories import make_user

SPREAD = re.compile(r'data-first-ask-spread="(\d+)"')


def registered(count: int) -> tuple[str, ...]:
    names = tuple(f"c{n}" for n in range(count))
    for name in names:
        make_user(name)
    return names


def spread_on_test_page(client, registered_count: int) -> int:
    """The spread the test page gives, for a sitting of ``registered_count`` candidates."""
    names = registered(registered_count)
    sitting = open_sitting(names)
    login(client, names[0])
    page = client.get(f"/attempts/{start(client, sitting.id)}").get_data(as_text=True)
    return int(SPREAD.search(page).group(1))


def started(app, sitting, names) -> list[tuple[FlaskClient, int]]:
    """Each of ``names`` logged in (a browser each) and started: browsers and attempts."""
    browsers = []
    for name in names:
        browser = app.test_client()
        login(browser, name)
        browsers.append((browser, start(browser, sitting.id)))
    return browsers


def spread_told_by_a_save(client, attempt_id: int) -> tuple[int, int]:
    """The spread on the candidate's test page, and the one the answer to its first save
    tells it."""
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    item = first_single(attempt_id)
    saved = save(client, attempt_id, {"position": item.position, "response": correct_response(item)}, token)  # fmt: skip
    assert saved.status_code == 200
    return int(SPREAD.search(page).group(1)), saved.get_json()["first_ask_spread"]


def end_at(attempt_ids: list[int], deadline) -> None:
    db.session.execute(update(Attempt).where(Attempt.id.in_(attempt_ids)).values(deadline=deadline))
    db.session.commit()


def test_a_small_sittings_pages_spread_their_first_ask_over_the_grace_as_before(client, ctx):
    grace = client.application.config["ANSWER_GRACE_SECONDS"]
    assert spread_on_test_page(client, 3) <= grace  # the page takes the grace, if longer


def test_a_crowd_spreads_its_first_asks_over_three_times_the_time_its_results_take(
    client, ctx, monkeypatch
):
    """40 candidates at 2 results a second: the results take 20 s, the first asks 60 s."""
    monkeypatch.setitem(client.application.config, "RESULTS_PER_SECOND", 2)
    assert spread_on_test_page(client, 40) == 60


def test_no_page_spreads_its_first_ask_over_more_than_two_minutes(client, ctx, monkeypatch):
    """Beyond, the web wants more hosts and a faster pace, not candidates waiting longer."""
    monkeypatch.setitem(client.application.config, "RESULTS_PER_SECOND", 1)
    assert spread_on_test_page(client, 70) == 120


def test_a_save_tells_a_lone_candidate_of_a_large_sitting_the_spread_of_its_own_crowd(
    client, ctx, monkeypatch
):
    """40 registered at 2 results a second, the sitting open for two hours (the 30-minute
    paper ends before its close): the page is sized for the 40, the first save for the one
    candidate who has started, whose score then comes right after the grace."""
    monkeypatch.setitem(client.application.config, "RESULTS_PER_SECOND", 2)
    sitting = open_sitting(registered(40))
    ((browser, attempt_id),) = started(client.application, sitting, ["c0"])
    assert spread_told_by_a_save(browser, attempt_id) == (60, 2)


def test_a_save_counts_the_running_papers_ending_within_a_minute_of_its_own(
    client, ctx, monkeypatch
):
    """Of 8 started, 4 end within 50 s of c0's paper (one of them handed in already) and
    3 ten minutes later: c0's crowd is 4, so 6 s at 2 results a second."""
    monkeypatch.setitem(client.application.config, "RESULTS_PER_SECOND", 2)
    names = registered(40)
    sitting = open_sitting(names)
    browsers = started(client.application, sitting, names[7:0:-1] + names[:1])  # c0 last
    attempt_ids = [attempt_id for _browser, attempt_id in browsers]
    deadline = utcnow() + timedelta(minutes=20)
    for offset, attempt_id in zip((-50, -20, 0, 25), attempt_ids[:4], strict=True):
        end_at([attempt_id], deadline + timedelta(seconds=offset))
    end_at(attempt_ids[4:7], deadline + timedelta(minutes=10))
    db.session.execute(
        update(Attempt).where(Attempt.id == attempt_ids[3]).values(status="submitted")
    )
    end_at(attempt_ids[7:], deadline)
    assert spread_told_by_a_save(*browsers[7]) == (60, 6)  # c0 and the 3 running


def test_a_save_on_a_paper_the_close_cuts_short_counts_everyone_yet_to_start(
    client, ctx, monkeypatch
):
    """A scheduled session: the sitting closes before the 30 minutes are up, so every
    paper ends at its close, and the 39 who have not started yet may still end there."""
    monkeypatch.setitem(client.application.config, "RESULTS_PER_SECOND", 2)
    sitting = open_sitting(registered(40), closes=utcnow() + timedelta(minutes=20))
    ((browser, attempt_id),) = started(client.application, sitting, ["c0"])
    assert spread_told_by_a_save(browser, attempt_id) == (60, 60)


def test_a_paper_given_time_past_the_close_counts_only_the_papers_ending_with_it(
    client, ctx, monkeypatch
):
    """As with extra minutes granted: its deadline 10 minutes past the close, where none
    of the 39 yet to start can end (their papers end at the close)."""
    monkeypatch.setitem(client.application.config, "RESULTS_PER_SECOND", 2)
    sitting = open_sitting(registered(40), closes=utcnow() + timedelta(minutes=20))
    ((browser, attempt_id),) = started(client.application, sitting, ["c0"])
    end_at([attempt_id], sitting.closes_at + timedelta(minutes=10))
    assert spread_told_by_a_save(browser, attempt_id) == (60, 2)


def test_a_page_after_the_crowd_was_counted_builds_no_count(client, ctx, monkeypatch):
    """Every test page of the minute reuses the count of the registered: it neither runs
    nor builds the count's statement (a union of the named and the units' members, which
    cost each page more than the lookup)."""
    names = registered(2)
    sitting = open_sitting(names)
    login(client, names[0])
    attempt_id = start(client, sitting.id)  # its page counts the registered
    built = []
    monkeypatch.setattr(prepared, "registered", lambda *args: built.append(args))
    page = client.get(f"/attempts/{attempt_id}")
    assert page.status_code == 200 and SPREAD.search(page.get_data(as_text=True))
    assert built == []
