"""After a fail, the result page links practice of exactly the weak topics (issue 13:
"after a fail, a link to practise the weak topics"), and only for a bank that may be
practised."""

from __future__ import annotations

import re
from html import unescape

import pytest

from app.bank.services import publish
from tests.app.certificate_fixtures import (
    COMPETENCY,
    open_sitting,
    setup_exams,
    take,
)
from tests.app.exam_fixtures import shipped_bank
from tests.auth import login
from tests.factories import make_user


def ticked(html: str) -> set[str]:
    return set(re.findall(r'<input[^>]*checked[^>]*name="topics"[^>]*value="([^"]+)"', html)) | set(
        re.findall(r'<input[^>]*name="topics"[^>]*value="([^"]+)"[^>]*checked', html)
    )


@pytest.mark.usefixtures("fresh_catalog")
def test_a_fail_links_practice_of_its_weak_topics(client, ctx):
    setup_exams()
    user = make_user("feng", name="冯五")
    sitting = open_sitting(COMPETENCY, [user])
    attempt = take(user, sitting, 1)
    login(client, "feng")
    html = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    link = re.search(r'href="([^"]*)">练习这些内容</a>', html)
    assert link and unescape(link.group(1)) == "/practice/?bank=cert-bank&topic=charter"
    practice = client.get(unescape(link.group(1))).get_data(as_text=True)
    assert ticked(practice) == {"charter"}


def test_the_practice_page_ticks_the_topics_asked_for_and_ignores_unknown_ones(client, ctx):
    publish(shipped_bank())
    make_user("feng")
    login(client, "feng")
    everything = ticked(client.get("/practice/?bank=party-basics").get_data(as_text=True))
    assert {"charter", "branch", "dues"} <= everything
    asked = "/practice/?bank=party-basics&topic=branch&topic=dues&topic=no-such-topic"
    assert ticked(client.get(asked).get_data(as_text=True)) == {"branch", "dues"}
    only_unknown = client.get("/practice/?bank=party-basics&topic=nope").get_data(as_text=True)
    assert ticked(only_unknown) == everything
