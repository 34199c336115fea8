"""The review opens only when no attempt of the sitting can still be answered: after the
latest deadline, extra time beyond the close and the answer grace included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.admin.sittings.services import GrantFields, close_now, extend, grant
from app.exam.attempts import finalize
from app.exam.display import review_level
from app.exam.grants import answerable_until, grace, review_open
from app.exam.review import record_opened_reviews
from app.exam.sittings import ExamRefused
from app.exam.starting import start_attempt
from app.extensions import db
from app.models import Attempt, NotebookEntry, Role
from app.models.types import utcnow
from tests.app.exam_fixtures import KEY_LINE, open_sitting, review_of, review_refused
from tests.auth import login
from tests.factories import make_user


@pytest.fixture
def people(ctx):
    """A candidate who finishes early, one with 30 extra minutes beyond the close, an admin."""
    return (
        make_user("early", name="早交卷"),
        make_user("late", name="延时考生"),
        make_user("admin", role=Role.SYSTEM_ADMIN),
    )


def test_keys_wait_for_the_candidate_with_extra_time(client, people):
    early, late, admin = people
    sitting = open_sitting(("early", "late"), when="after_close")
    done = start_attempt(early, sitting, None, utcnow())
    for item in done.items:  # answered wrongly: the notebook would take every question
        item.response = None
    finalize(done.id, "candidate", utcnow())
    running = start_attempt(late, sitting, None, utcnow())
    fields = GrantFields("late", 30, 0, True, "设备故障")
    grant(sitting, fields, admin, utcnow())
    close_now(sitting, admin, utcnow())
    db.session.refresh(running)
    assert running.deadline > sitting.closes_at  # late may still answer for 30 minutes

    now = utcnow()
    assert not review_open(sitting, now)
    assert answerable_until(sitting) == running.deadline + grace()
    assert review_level(done, now) == "score_only"
    login(client, "early")
    page = client.get(f"/attempts/{done.id}/result").get_data(as_text=True)
    assert "所有考生作答结束后" in page
    assert review_of(client, done.id) == "" and review_refused(client, done.id)
    assert record_opened_reviews(now) == 0
    assert db.session.scalar(select(NotebookEntry)) is None, "no keys in early's notebook"

    within_grace = running.deadline + grace() - timedelta(seconds=1)
    assert review_level(done, within_grace) == "score_only"
    after = running.deadline + grace()
    assert review_level(done, after) == "keys" and review_open(sitting, after)


def test_an_attempt_past_its_deadline_and_grace_holds_nothing(client, people):
    early, late, _ = people
    sitting = open_sitting(("early", "late"), when="after_close")
    done = start_attempt(early, sitting, None, utcnow())
    finalize(done.id, "candidate", utcnow())
    forgotten = start_attempt(late, sitting, None, utcnow())
    sitting.closes_at = utcnow() - timedelta(minutes=10)
    forgotten.deadline = sitting.closes_at
    db.session.commit()
    assert review_open(sitting, utcnow())  # nobody can answer, even before the scheduler runs
    login(client, "early")
    assert KEY_LINE in review_of(client, done.id)


def test_the_scheduler_records_the_notebook_once_the_last_deadline_passed(people):
    early, late, admin = people
    sitting = open_sitting(("early", "late"), when="after_close")
    done = start_attempt(early, sitting, None, utcnow())
    finalize(done.id, "candidate", utcnow())
    running = start_attempt(late, sitting, None, utcnow())
    grant(sitting, GrantFields("late", 30, 0, True, "设备故障"), admin, utcnow())
    close_now(sitting, admin, utcnow())
    assert record_opened_reviews(utcnow()) == 0
    db.session.refresh(running)
    assert record_opened_reviews(running.deadline + grace() + timedelta(seconds=1)) == 1
    recorded = db.session.scalar(select(Attempt).where(Attempt.user_id == early.id))
    assert recorded.notebook_recorded_at is not None


def test_a_sitting_whose_review_opened_cannot_be_reopened(people):
    early, _, admin = people
    sitting = open_sitting(("early",), when="after_close")
    finalize(start_attempt(early, sitting, None, utcnow()).id, "candidate", utcnow())
    close_now(sitting, admin, utcnow())
    assert review_open(sitting, utcnow())
    with pytest.raises(ExamRefused) as refused:
        extend(sitting, 60, admin, utcnow())
    assert "答题详情已开放" in refused.value.messages[0]
