"""A start's items, a submit's answers and a paper's verdicts: one statement each on
PostgreSQL (app/exam/item_updates.py).

An executemany sends PostgreSQL one statement per item (eighty for the shipped exam's
paper); at a close of thousands of papers those were the largest share of the
statements the server ran for the jobs (bench/RESULTS.md, session 26), and at the open
the starts' inserts (session 34). SQLite keeps the executemany, its cheapest form. What
the statements do must not change: the paper as drawn, newer answers only, every item's
verdict.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event
from sqlalchemy.exc import StatementError

from app.exam.answers import _NEWER_ANSWER
from app.exam.catalog import question_of
from app.exam.prepared import prepare_papers
from app.extensions import db
from app.models import Attempt
from app.models.attempt import FINALIZED
from app.models.types import utcnow
from tests.app.exam_fixtures import open_sitting
from tests.app.test_attempts import begin, correct_response, items_of, save, start
from tests.app.test_prepared_papers import paper_of, prepared_of
from tests.app.test_submitting import candidate, other_answer, submit_form
from tests.auth import login

__all__ = ["candidate"]  # a fixture


@contextmanager
def item_updates(kind: str = "UPDATE attempt_item") -> Iterator[list[tuple[bool, int]]]:
    """Each statement on attempt_item of this kind sent meanwhile: an executemany or not,
    and how many rows of parameters it carried."""
    seen: list[tuple[bool, int]] = []

    def record(_conn, _cursor, statement, parameters, _context, executemany) -> None:
        if statement.startswith(kind):
            seen.append((executemany, len(parameters) if executemany else 1))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def type_of(item) -> str:
    return question_of(item.question_revision_id).type


def form_values(item) -> str | list[str]:
    """The right answer as the page's fields post it (a judgement as "true" or "false")."""
    question = question_of(item.question_revision_id)
    return question.keys[0] if question.type == "judge" else correct_response(item)


def has_a_wrong_option(item) -> bool:
    question = question_of(item.question_revision_id)
    return any(key not in question.keys for key, _text in question.options)


def test_a_submits_answers_and_its_verdicts_are_one_statement_each_on_postgresql(client, candidate):
    attempt_id, token = begin(client)
    items = items_of(attempt_id)
    # Lists (the first of the page's answers), a true or false and a list of texts: JSON
    # values of each kind.
    multiples = [i for i in items if type_of(i) == "multiple"]
    # The saved one needs an option outside its key: some questions have every option right.
    kept = next(i for i in multiples if has_a_wrong_option(i))
    other_multiple = next(i for i in multiples if i is not kept)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    page_at = re.search(r'name="page_at" value="(\d+)"', page).group(1)
    time.sleep(0.01)
    newer = correct_response(kept)
    saved = save(client, attempt_id, {"position": kept.position, "response": newer}, token)
    assert saved.status_code == 200
    answered = [
        other_multiple,
        *(next(i for i in items if type_of(i) == k) for k in ("judge", "fill")),
    ]
    changed = str(int(utcnow().timestamp() * 1000))
    form = {f"q{i.position}": form_values(i) for i in answered}
    form |= {f"changed{i.position}": changed for i in answered}
    # The page still holds another answer to the saved one, older than it (the page's time).
    form[f"q{kept.position}"] = other_answer(kept)
    with item_updates() as seen:
        submitted = submit_form(client, attempt_id, page_at=page_at, **form)
    assert submitted.status_code == 302
    # The answers, then the verdicts (the scoring job runs in the request in tests).
    if db.engine.dialect.name == "postgresql":
        assert seen == [(False, 1), (False, 1)]
    else:
        assert seen == [(True, 4), (True, len(items))]
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status == FINALIZED
    stored = {i.position: i for i in items_of(attempt_id)}
    assert stored[kept.position].response == newer
    assert {stored[i.position].verdict for i in answered} | {stored[kept.position].verdict} == {
        "correct"
    }
    unanswered = set(stored) - {i.position for i in answered} - {kept.position}
    assert {stored[p].verdict for p in unanswered} == {"unanswered"}
    assert attempt.score == sum(stored[p].awarded for p in stored)


def test_a_starts_items_are_one_insert_on_postgresql_and_the_paper_as_drawn(client, candidate):
    sitting = open_sitting()
    assert prepare_papers(sitting.id, utcnow()) == 1
    prepared = prepared_of(candidate.id, sitting.id).items
    login(client, "candidate")
    with item_updates("INSERT INTO attempt_item") as seen:
        attempt_id = start(client, sitting.id)
    if db.engine.dialect.name == "postgresql":
        assert seen == [(False, 1)]
    else:
        assert seen == [(True, len(prepared))]
    assert paper_of(attempt_id) == prepared  # sections, revisions, options' orders (lists)
    points = [s["points"] for s in db.session.get(Attempt, attempt_id).stored_policy["sections"]]
    stored = items_of(attempt_id)
    assert [i.position for i in stored] == list(range(len(prepared)))
    assert [i.points for i in stored] == [Decimal(points[i.section]) for i in stored]
    assert {(i.flagged, i.response, i.answered_at, i.verdict) for i in stored} == {
        (False, None, None, None)
    }


ODD_TEXTS = ['引号"与\\反斜杠', "换行\n与\t制表", "🀄 e\u0301 \u200b", "</script>&amp;", ""]


def test_odd_answers_are_stored_as_given_through_the_one_statement(client, candidate):
    """The answers travel inside one JSON document on PostgreSQL: quotes, backslashes,
    line breaks, emoji, combining marks and zero-width spaces come out as they went in,
    beside lists and true or false, and a newer answer only replaces an older one."""
    attempt_id, _token = begin(client)
    db.session.rollback()
    changed = utcnow()
    rows = [(p, text, changed) for p, text in enumerate(ODD_TEXTS)]
    rows += [(len(ODD_TEXTS), ["A", "C"], changed), (len(ODD_TEXTS) + 1, False, changed)]
    with db.engine.begin() as connection:
        _NEWER_ANSWER.run(connection, attempt_id, rows)
        older = [(0, "旧的答案", changed - timedelta(seconds=1))]
        _NEWER_ANSWER.run(connection, attempt_id, older)
    stored = {i.position: (i.response, i.answered_at) for i in items_of(attempt_id)}
    assert [stored[p] for p, _response, _at in rows] == [(r, at) for _p, r, at in rows]


def test_a_moment_without_its_zone_is_refused_not_guessed(client, candidate):
    attempt_id, _token = begin(client)
    db.session.rollback()
    naive = [(0, "答案", datetime(2026, 12, 5, 8, 0))]
    refused = (ValueError, StatementError)  # ours on PostgreSQL, the column type's on SQLite
    with pytest.raises(refused, match="naive datetime"), db.engine.begin() as connection:
        _NEWER_ANSWER.run(connection, attempt_id, naive)
    assert items_of(attempt_id)[0].response is None
