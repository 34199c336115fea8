"""The test page at its first open, on the start rush's path (issue 12): what it asks of
the database, and that the page's counts and questions stay as the candidate reads them."""

from __future__ import annotations

import re

from tests.app.sql_seen import statements
from tests.app.test_attempts import begin, save
from tests.factories import make_user


def test_the_first_open_reads_the_user_the_attempt_with_its_sitting_and_the_paper(client, ctx):
    make_user("candidate")
    attempt_id, _token = begin(client)
    with statements() as seen:
        page = client.get(f"/attempts/{attempt_id}")
    assert page.status_code == 200
    reads = [s for s in seen if s.startswith("SELECT")]
    assert len(reads) == 3, reads  # no second read of the sitting for its title
    assert "JOIN exam_session" in reads[1]


def test_every_question_is_on_the_page_once_in_order_with_the_counts(client, ctx):
    make_user("candidate")
    attempt_id, token = begin(client)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    positions = [
        int(p)
        for p in re.findall(r'<fieldset class="question[^"]*"[^>]*data-position="(\d+)"', page)
    ]
    assert positions == list(range(10))
    assert '<span id="answered-count">0</span> / 10 已答' in page
    value = re.search(r'name="q2" value="([^"]+)"', page).group(1)
    save(client, attempt_id, {"position": 2, "response": value}, token)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    positions = [
        int(p)
        for p in re.findall(r'<fieldset class="question[^"]*"[^>]*data-position="(\d+)"', page)
    ]
    assert positions == list(range(10))
    assert '<span id="answered-count">1</span> / 10 已答' in page
    assert re.search(rf'name="q2" value="{value}"\s+checked', page)
