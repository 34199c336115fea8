"""The test page tells its script over how long, past the grace, to spread its first ask
for the score at the timer's zero: longer for a larger crowd (issue 12: a 10,000 close's
first asks came in the grace's 30 s after it, beside the results at their pace, and in a
slower hour every request of the close waited up to 3.7 s). The script's use of it is
tested in a browser (test_time_up_browser.py).
"""

from __future__ import annotations

import re

import pytest

from app.exam import prepared
from tests.app.exam_fixtures import open_sitting
from tests.app.test_attempts import start
from tests.auth import login
from tests.factories import make_user


@pytest.fixture(autouse=True)
def fresh_counts(monkeypatch):
    """Each test's sittings counted anew (a process keeps a count for a minute)."""
    monkeypatch.setattr(prepared, "_COUNTS", {})


def spread_on_test_page(client, registered: int) -> int:
    """The spread the test page gives, for a sitting of ``registered`` candidates."""
    names = tuple(f"c{n}" for n in range(registered))
    for name in names:
        make_user(name)
    sitting = open_sitting(names)
    login(client, names[0])
    page = client.get(f"/attempts/{start(client, sitting.id)}").get_data(as_text=True)
    return int(re.search(r'data-first-ask-spread="(\d+)"', page).group(1))


def test_a_small_sittings_pages_spread_their_first_ask_over_the_grace_as_before(client, ctx):
    grace = client.application.config["ANSWER_GRACE_SECONDS"]
    assert spread_on_test_page(client, 3) <= grace  # the page takes the grace, if longer


def test_a_crowd_spreads_its_first_asks_over_twice_the_time_its_results_take(
    client, ctx, monkeypatch
):
    """40 candidates at 2 results a second: the results take 20 s, the first asks 40 s."""
    monkeypatch.setitem(client.application.config, "RESULTS_PER_SECOND", 2)
    assert spread_on_test_page(client, 40) == 40


def test_no_page_spreads_its_first_ask_over_more_than_two_minutes(client, ctx, monkeypatch):
    """Beyond, the web wants more hosts and a faster pace, not candidates waiting longer."""
    monkeypatch.setitem(client.application.config, "RESULTS_PER_SECOND", 1)
    assert spread_on_test_page(client, 70) == 120
