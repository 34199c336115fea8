"""The test page's cached question fragments show exactly what the templates render."""

from __future__ import annotations

import random
import re

import pytest
from flask import current_app
from sqlalchemy import select

from app.bank.services import publish
from app.exam.catalog import question_of
from app.exam.display import ItemView
from app.exam.fragments import question_html
from app.extensions import db
from app.models import QuestionRevision
from question_bank.bank_format import parse_bank
from question_bank.types import REGISTRY
from tests.app.exam_fixtures import shipped_bank
from tests.app.ordering_fixtures import ORDER_BANK
from tests.app.test_attempts import begin, save
from tests.factories import make_user

TRICKY_BANK = """\
bank: tricky
title: 含特殊字符的题库
topics:
  t: 主题
questions:
  - id: s1
    type: single
    topic: t
    stem: 第<#number#>条 & "引号" 'x' <b>粗</b>
    options: {A: "<#text1#>", B: "<#position#> & <i>", C: 甲 > 乙}
    answer: B
  - id: f1
    type: fill
    topic: t
    stem: 党的<#key0#>是____，也是____。
    answer: [甲, 乙]
"""


def _publish(source: str) -> None:
    bank, report = parse_bank(source.encode())
    assert report.ok, [d.format() for d in report.errors]
    publish(bank)


def _view(revision_id: int, position: int, rng: random.Random) -> ItemView:
    """The item as paper_view builds it, for a fresh paper, options in a drawn order."""
    question = question_of(revision_id)
    kind = REGISTRY[question.type]
    order = kind.option_order(question, rng, True)
    return ItemView(
        position, position + 1, question.type, kind.stem_parts(question),
        kind.choices(question, order), None, False, revision_id,
    )  # fmt: skip


def _templated(view: ItemView) -> str:
    return current_app.jinja_env.get_template("exam/_question.html").render(item=view)


def _every_revision() -> list[int]:
    return db.session.scalars(select(QuestionRevision.id)).all()


def test_every_shipped_question_of_every_type_renders_as_the_template_does(ctx):
    publish(shipped_bank())
    for source in (ORDER_BANK, TRICKY_BANK):
        _publish(source)
    revisions = _every_revision()
    assert {question_of(r).type for r in revisions} == set(REGISTRY)
    rng = random.Random(12)
    for revision in revisions:
        for position in (0, 9, rng.randrange(100)):  # a miss, then hits in other places
            view = _view(revision, position, rng)
            assert question_html(view) == _templated(view), (question_of(revision).id, position)


def test_bank_text_that_looks_like_a_marker_is_shown_as_written(ctx):
    _publish(TRICKY_BANK)
    for revision in _every_revision():
        html = question_html(_view(revision, 3, random.Random(1)))
        assert "<#" not in html
        if question_of(revision).id == "s1":
            assert (
                "第&lt;#number#&gt;条 &amp; &#34;引号&#34; &#39;x&#39; &lt;b&gt;粗&lt;/b&gt;"
                in html
            )
            assert "&lt;#text1#&gt;" in html and "&lt;#position#&gt; &amp; &lt;i&gt;" in html
            assert 'name="q3"' in html and '<span class="qno">4.</span>' in html
        else:
            assert "党的&lt;#key0#&gt;是" in html and 'aria-label="第 4 题第 2 空"' in html


@pytest.mark.parametrize("reloads", [1, 2])
def test_a_reloaded_page_shows_answers_and_flags_and_the_rest_fresh(client, ctx, reloads):
    make_user("candidate")
    attempt_id, token = begin(client)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    value = re.search(r'name="q0" value="([^"]+)"', page).group(1)
    save(client, attempt_id, {"position": 0, "response": value}, token)
    save(client, attempt_id, {"position": 1, "flagged": True}, token)
    for _ in range(reloads):
        page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert re.search(rf'name="q0" value="{value}"\s+checked', page)
    assert len(re.findall(r"\bchecked\b", page)) == 2  # the answer and the flag, no more
    assert re.search(r'<input type="checkbox" class="flag-box" checked>', page)
    assert re.search(r'data-position="0"[^>]*class="answered "', page)
    assert re.search(r'data-position="1"[^>]*class=" flagged"', page)
    assert '<span id="answered-count">1</span> / 10 已答' in page
