"""Questions got wrong in a test go into the notebook once the keys may be seen, once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.exam.attempts import finalize
from app.exam.grants import grace
from app.exam.starting import start_attempt
from app.extensions import db
from app.jobs.deadlines import close_expired
from app.jobs.tasks import enqueue_owed
from app.models import Attempt, NotebookEntry
from app.models.types import utcnow
from question_bank.exam import ReviewPolicy
from tests.app.exam_fixtures import KEY_LINE, close_now, open_sitting, review_of
from tests.app.test_attempts import correct_response
from tests.auth import login
from tests.factories import make_user


@pytest.fixture
def candidate(ctx):
    return make_user("candidate", name="张晓明")


def answer_all_but(attempt, wrong: int) -> set[str]:
    """Answer the first ``wrong`` items wrongly (left empty) and the rest right."""
    missed = set()
    for item in attempt.items:
        if item.position < wrong:
            missed.add(item.revision.question_key)
        else:
            item.response = correct_response(item)
    db.session.commit()
    return missed


def entries(user_id: int) -> dict[str, int]:
    rows = db.session.scalars(select(NotebookEntry).where(NotebookEntry.user_id == user_id))
    return {row.question_key: row.times_wrong for row in rows}


def test_even_from_immediately_the_notebook_waits_for_the_sittings_end(client, candidate):
    sitting = open_sitting()  # review: keys, immediately
    attempt = start_attempt(candidate, sitting, None, utcnow())
    missed = answer_all_but(attempt, 3)
    finalize(attempt.id, "candidate", utcnow())
    assert entries(candidate.id) == {}  # others may still be answering
    close_now(sitting)
    login(client, "candidate")
    client.get(f"/attempts/{attempt.id}/result")
    assert entries(candidate.id) == dict.fromkeys(missed, 1)
    client.get(f"/attempts/{attempt.id}/result")  # a second look records nothing more
    finalize(attempt.id, "candidate", utcnow())
    assert entries(candidate.id) == dict.fromkeys(missed, 1)
    assert db.session.scalars(select(NotebookEntry)).first().last_source == "exam"


def test_the_result_a_waiting_page_gets_with_its_score_records_the_notebook_too(client, candidate):
    """The test page shows the result the status answer carries (``?result=1``) and
    loads no result page: that answer records the notebook as the page did."""
    sitting = open_sitting()  # review: keys, immediately
    attempt = start_attempt(candidate, sitting, None, utcnow())
    missed = answer_all_but(attempt, 3)
    finalize(attempt.id, "candidate", utcnow())
    close_now(sitting)
    login(client, "candidate")
    shown = client.get(f"/attempts/{attempt.id}/status?result=1").json["result_html"]
    assert "查看答题详情和正确答案" in shown
    assert entries(candidate.id) == dict.fromkeys(missed, 1)
    client.get(f"/attempts/{attempt.id}/status?result=1")  # asked again: nothing more
    assert entries(candidate.id) == dict.fromkeys(missed, 1)


def test_after_close_the_notebook_waits_for_the_review(client, candidate):
    sitting = open_sitting(when="after_close")
    attempt = start_attempt(candidate, sitting, None, utcnow())
    missed = answer_all_but(attempt, 2)
    finalize(attempt.id, "candidate", utcnow())
    login(client, "candidate")
    client.get(f"/attempts/{attempt.id}/result")
    assert entries(candidate.id) == {}  # the keys are not shown yet
    sitting.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    for _ in range(2):
        assert KEY_LINE in review_of(client, attempt.id)
    assert entries(candidate.id) == dict.fromkeys(missed, 1)


def test_the_scheduler_records_reviews_that_opened_for_candidates_who_never_look(runner, candidate):
    sitting = open_sitting(when="after_close")
    attempt = start_attempt(candidate, sitting, None, utcnow())
    missed = answer_all_but(attempt, 3)
    finalize(attempt.id, "candidate", utcnow())
    assert "为 0 份答卷记录错题本" in runner.invoke(args=["attempts", "finalize-expired"]).output
    sitting.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "为 1 份答卷记录错题本" in runner.invoke(args=["attempts", "finalize-expired"]).output
    assert entries(candidate.id) == dict.fromkeys(missed, 1)
    assert "为 0 份答卷记录错题本" in runner.invoke(args=["attempts", "finalize-expired"]).output


def test_no_notebook_when_the_review_hides_the_keys(candidate):
    sitting = open_sitting()
    attempt = start_attempt(candidate, sitting, None, utcnow())
    attempt.policy = replace(attempt.policy, review=ReviewPolicy("answers", "immediately"))
    answer_all_but(attempt, 4)
    finalize(attempt.id, "candidate", utcnow())
    assert entries(candidate.id) == {}


def test_papers_scored_after_the_close_get_their_notebooks_from_the_scoring_job(candidate):
    """At the close every open paper is closed at once and scored by a batch job; the
    review opens then, so the job records their notebooks too, with no page loaded."""
    others = [make_user(f"late{i}", name=f"考生{i}") for i in range(2)]
    sitting = open_sitting(("candidate", "late0", "late1"))
    attempts = [start_attempt(user, sitting, None, utcnow()) for user in (candidate, *others)]
    missed = [answer_all_but(a, wrong) for a, wrong in zip(attempts, (3, 0, 1), strict=True)]
    ids = [a.id for a in attempts]
    ended = utcnow() - grace() - timedelta(seconds=1)
    db.session.execute(update(Attempt).where(Attempt.id.in_(ids)).values(deadline=ended))
    close_now(sitting)
    now = utcnow()
    enqueue_owed(close_expired(now), now)  # as the close at the deadline does; jobs run now
    for user, mistakes in zip((candidate, *others), missed, strict=True):
        assert entries(user.id) == dict.fromkeys(mistakes, 1)
    recorded = select(Attempt.notebook_recorded_at).where(Attempt.id.in_(ids))
    assert None not in db.session.scalars(recorded).all()
