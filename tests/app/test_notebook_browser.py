"""Issue 13 defect 18: the notebook letters options as the candidate saw them and shows
their answer and where the entry came from."""

from __future__ import annotations

import pytest

from app.exam.attempts import finalize
from app.exam.catalog import question_of
from app.exam.review import record_opened_reviews
from app.exam.starting import start_attempt
from app.extensions import db
from app.models.types import utcnow
from tests.app.exam_fixtures import close_now, open_sitting
from tests.app.test_attempts import correct_response
from tests.app.test_browser import log_in
from tests.app.test_take_keyboard_browser import SIZES, shot
from tests.factories import make_user

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("size", SIZES)
def test_the_notebook_shows_the_options_as_seen_and_the_answer_given(browser, live_url, ctx, size):
    candidate = make_user("candidate", name="张晓明")
    sitting = open_sitting()  # review: keys, immediately
    attempt = start_attempt(candidate, sitting, None, utcnow())
    singles = [item for item in attempt.items if item.revision.data["type"] == "single"]
    # the paper's option order differs from the bank's for some single-choice question
    missed = next(
        i for i in singles if i.option_order != [k for k, _ in question_of(i.revision.id).options]
    )
    question = question_of(missed.revision.id)
    wrong_key = next(k for k in missed.option_order if k not in question.keys)
    for item in attempt.items:
        item.response = wrong_key if item is missed else correct_response(item)
    db.session.commit()
    finalize(attempt.id, "candidate", utcnow())
    close_now(sitting)
    record_opened_reviews(utcnow())  # the minute sweep's part once the review opens

    page = browser.new_page(viewport=SIZES[size])
    log_in(page, live_url)
    page.goto(f"{live_url}/practice/notebook")
    entry = page.locator("article.wrong-entry", has_text=question.stem[:20])
    texts = dict(question.options)
    shown = [li.strip() for li in entry.locator(".options li").all_inner_texts()]
    letters = "ABCDEFG"
    assert [s.removesuffix("（你选的）") for s in shown] == [
        f"{letters[n]}．{texts[key]}" for n, key in enumerate(missed.option_order)
    ]
    seen_letter = letters[missed.option_order.index(wrong_key)]
    given = entry.locator(".given-answer").inner_text()
    assert given == f"你的答案：{seen_letter}．{texts[wrong_key]}"
    assert f"来自测试“{sitting.title}”" in entry.inner_text()
    shot(page, f"notebook-{size}")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    page.close()
