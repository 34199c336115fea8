"""Building blocks for test-taking tests: the shipped bank, a small exam, a sitting."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from app.bank.services import SourceFile, publish
from app.exam.exams import save_exam
from app.exam.grants import grace
from app.extensions import db
from app.jobs.deadlines import close_expired
from app.jobs.tasks import enqueue_owed
from app.models import AttemptItem, Sitting
from app.models.types import utcnow
from question_bank.bank_format import parse_bank
from tests.app.factories import sitting_of

BANK_FILE = Path(__file__).resolve().parents[2] / "question_bank" / "banks" / "party-basics.yaml"

MINI_EXAM = """\
exam: mini
title: 小测验
bank: party-basics
time_limit_minutes: 30
pass_mark: 60%
multiple_scoring: all_or_nothing
review: {show: keys, from: {when}}
sections:
  - {type: single, count: 4, points: 2}
  - {type: multiple, count: 2, points: 3}
  - {type: judge, count: 3, points: 1}
  - {type: fill, count: 1, points: 3}
"""  # 8 + 6 + 3 + 3 = 20 points


def shipped_bank():
    bank, report = parse_bank(BANK_FILE.read_bytes())
    assert report.ok
    return bank


def open_sitting(
    usernames=("candidate",), *, when="immediately", max_attempts=1, access_code=None, **times
) -> Sitting:
    """Publish the shipped bank (keeping its file, as ``flask bank import`` does), store
    the small exam, open a sitting now."""
    publish(shipped_bank(), source=SourceFile(BANK_FILE.name, BANK_FILE.read_bytes()))
    save_exam(MINI_EXAM.replace("{when}", when).encode(), "mini.yaml")
    now = utcnow()
    return sitting_of(
        "mini", tuple(usernames), times.get("opens", now - timedelta(minutes=5)),
        times.get("closes", now + timedelta(hours=2)), access_code=access_code, max_attempts=max_attempts,
    )  # fmt: skip


def close_now(sitting: Sitting) -> None:
    """End the sitting a second ago, so its review opens (no attempt can be answered)."""
    sitting.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


KEY_LINE = "正确答案："  # a reviewed question's key, as the review page prints it


def review_of(client, attempt_id: int) -> str:
    """答题详情 as a candidate reaches it: the result page's link, followed; "" if the
    result page offers none. (That the address alone gives nothing either is tested
    where the review is closed.)"""
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    address = f"/attempts/{attempt_id}/review"
    if address not in result:
        return ""
    return client.get(address).get_data(as_text=True)


def review_refused(client, attempt_id: int) -> bool:
    """The review's address, typed in, sends the candidate back to the result page."""
    answer = client.get(f"/attempts/{attempt_id}/review")
    return answer.status_code == 302 and answer.headers["Location"].endswith(
        f"/attempts/{attempt_id}/result"
    )


def close_when_the_grace_ends(deadline: datetime) -> None:
    """What the job workers' close at the deadline does (``app.jobs.deadlines``), for a
    test with no worker running: once the grace after ``deadline`` is over, the open
    papers past it are closed and their scoring queued (run at once where the queue is
    immediate). A page's poll leaves that close to the server (``SERVER_CLOSE_LEEWAY``)."""
    time.sleep(max(0.0, (deadline + grace() - utcnow()).total_seconds() + 0.1))
    now = utcnow()
    enqueue_owed(close_expired(now), now)


def stored_response(attempt_id: int, position: int) -> object:
    """What the database holds for that answer, read afresh (as a server's next request)."""
    db.session.remove()
    return db.session.scalar(
        select(AttemptItem.response).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == position
        )
    )
