"""The status tells a waiting page how long to wait, from the real backlog: the papers
ahead of it in the scoring queue, the passes ahead of it waiting for certificates, and
how fast the workers clear them (issue 12: at a close the polls took the workers' cores).

The papers ahead are copies of the candidate's own attempt (same sitting, other numbers),
so the candidate's status answers for each of them.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, update

from app.exam import waits
from app.extensions import db
from app.jobs.queue import huey
from app.jobs.tasks import enqueue_scoring
from app.models import Attempt
from app.models.attempt import FINALIZED, IN_PROGRESS, SUBMITTED
from app.models.types import utcnow
from tests.app import test_submitting
from tests.app.certificate_fixtures import all_right_and_open, setup_exams
from tests.app.test_attempts import begin
from tests.app.test_submitting import expire, submit_form
from tests.auth import login

candidate, real_queue = test_submitting.candidate, test_submitting.real_queue  # fixtures

_COPIED = ("sitting_id", "user_id", "seed", "started_at", "deadline", "stored_policy")


def copies_of(attempt_id: int, count: int, closed_at: datetime | None, **state) -> list[int]:
    """``count`` papers of the same candidate and sitting, closed at ``closed_at``."""
    template = db.session.get(Attempt, attempt_id)
    row = {name: getattr(template, name) for name in _COPIED}
    first = db.session.scalar(select(func.max(Attempt.number))) + 1
    rows = [
        row | {"number": first + n, "finalized_at": closed_at, "finalized_by": "deadline"} | state
        for n in range(count)
    ]
    ids = list(db.session.scalars(insert(Attempt).returning(Attempt.id), rows))
    db.session.commit()
    return ids


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    """The web process's clock for its snapshots: a test moves it by hand."""
    now = [1000.0]
    monkeypatch.setattr(waits, "monotonic", lambda: now[0])
    return now


def wait_of(client, attempt_id: int) -> int:
    return client.get(f"/attempts/{attempt_id}/status").json["wait_seconds"]


def test_a_paper_behind_many_closed_ones_waits_longer_than_one_ahead_and_bounded(
    client, candidate, real_queue, clock
):
    attempt_id, _token = begin(client)
    ahead = copies_of(attempt_id, 600, utcnow() - timedelta(seconds=60), status=SUBMITTED)
    submit_form(client, attempt_id)  # closed now: behind all 600

    first, middle, last = (
        wait_of(client, ahead[0]),
        wait_of(client, ahead[300]),
        wait_of(client, attempt_id),
    )
    # The rate not yet measured: the floor's estimate (30 and 60 s) is not told whole.
    assert first <= 1 < middle <= last == waits.UNMEASURED_SCORING_WAIT  # fmt: skip
    # Its scoring page's first ask, as the status says (the same snapshot).
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "正在评分" in page
    assert int(re.search(r'data-wait-seconds="(\d+)"', page).group(1)) == last

    scored = ahead[:20]  # the workers score 20 papers in the snapshot's 2 s: 10 a second
    db.session.execute(update(Attempt).where(Attempt.id.in_(scored)).values(status=FINALIZED))
    db.session.commit()
    clock[0] += waits.REFRESH
    first, middle, last = (
        wait_of(client, ahead[20]),
        wait_of(client, ahead[300]),
        wait_of(client, attempt_id),
    )
    assert first <= 1 < middle < last <= waits.LONGEST_WAIT  # 28 and 58 s  # fmt: skip


def test_with_nothing_ahead_the_answer_comes_fast(client, candidate, real_queue, clock):
    """A lone candidate is not told to wait (the page's own 1 s backoff stays), even with
    papers closed after theirs. A guard: before the backlog, every answer was 0."""
    attempt_id, _token = begin(client)
    submit_form(client, attempt_id)
    copies_of(attempt_id, 200, utcnow() + timedelta(seconds=5), status=SUBMITTED)
    assert wait_of(client, attempt_id) <= 1


def test_a_pass_behind_other_passes_certificates_is_told_to_wait(ctx, client, real_queue, clock):
    setup_exams()
    attempt = all_right_and_open("wang", "王喆")
    assert enqueue_scoring(attempt.id, utcnow())
    huey.execute(huey.dequeue())  # scored; its certificate job waits
    db.session.expire_all()
    assert attempt.finalized and attempt.passed and attempt.certificates_checked_at is None
    earlier = attempt.finalized_at - timedelta(seconds=30)
    copies_of(attempt.id, 400, earlier, status=FINALIZED, passed=True, score=100, possible=100)
    login(client, "wang")

    answer = client.get(f"/attempts/{attempt.id}/status").json
    assert answer["scored"] is True and answer["certificates_ready"] is False
    assert 10 < answer["wait_seconds"] <= waits.LONGEST_WAIT
    page = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    box = re.search(r'id="certificate-status"[^>]*data-wait-seconds="(\d+)"', page, re.S)
    assert box and 10 < int(box.group(1)) <= waits.LONGEST_WAIT  # its first ask too

    db.session.execute(update(Attempt).values(certificates_checked_at=utcnow()))
    db.session.commit()  # every certificate issued: no more waiting, whatever the snapshot
    assert client.get(f"/attempts/{attempt.id}/status").json["certificates_ready"] is True
    assert wait_of(client, attempt.id) == 0


def test_a_pass_far_behind_waits_longer_for_its_certificates_once_their_pace_is_measured(
    ctx, client, real_queue, clock
):
    """Its score shown, a pass's page asked every minute while its certificates came: at a
    10,000 close, 28,000 polls on the cores the certificates were made on."""
    setup_exams()
    attempt = all_right_and_open("wang", "王喆")
    assert enqueue_scoring(attempt.id, utcnow())
    huey.execute(huey.dequeue())  # scored; its certificate job waits
    db.session.expire_all()
    earlier = attempt.finalized_at - timedelta(seconds=30)
    ahead = copies_of(
        attempt.id, 1000, earlier, status=FINALIZED, passed=True, score=100, possible=100
    )
    login(client, "wang")
    # The pace not measured yet (the floor, 5 a second, says 200 s): a minute at most.
    assert wait_of(client, attempt.id) == waits.LONGEST_WAIT

    db.session.execute(
        update(Attempt).where(Attempt.id.in_(ahead[:20])).values(certificates_checked_at=utcnow())
    )
    db.session.commit()  # 20 passes certified in the snapshot's 2 s: 10 a second
    clock[0] += waits.REFRESH
    told = wait_of(client, attempt.id)  # 980 ahead at 10 a second
    assert waits.LONGEST_WAIT < told <= waits.LONGEST_CERTIFICATE_WAIT
    assert 90 <= told <= 100


def test_the_snapshot_is_taken_again_after_a_while_with_the_rate_seen(
    client, candidate, real_queue, clock
):
    attempt_id, _token = begin(client)
    copies_of(attempt_id, 600, utcnow() - timedelta(seconds=60), status=SUBMITTED)
    submit_form(client, attempt_id)
    before = wait_of(client, attempt_id)
    assert before > 10

    queue = select(Attempt.id).where(Attempt.status == SUBMITTED)
    scored = list(db.session.scalars(queue.order_by(Attempt.finalized_at).limit(300)))
    db.session.execute(update(Attempt).where(Attempt.id.in_(scored)).values(status=FINALIZED))
    db.session.commit()  # the workers scored 300 papers
    clock[0] += 1  # within the snapshot's life: the same queue, a second less to wait
    assert before - 2 <= wait_of(client, attempt_id) <= before
    clock[0] += waits.REFRESH  # a new snapshot: half the queue left at 300 papers in 3 s
    assert wait_of(client, attempt_id) <= 5 < before


def test_after_a_queue_emptied_and_an_idle_hour_a_lone_paper_is_answered_fast(
    client, candidate, real_queue, clock
):
    """The ids gone over an hour, or while the workers may have been idle, say nothing
    of how fast they work: before, 50 papers scored in an hour told the next candidate
    to wait a minute."""
    attempt_id, _token = begin(client)
    earlier = copies_of(attempt_id, 50, utcnow() - timedelta(hours=1), status=SUBMITTED)
    assert wait_of(client, earlier[-1]) > 1  # 49 ahead
    db.session.execute(update(Attempt).where(Attempt.id.in_(earlier)).values(status=FINALIZED))
    db.session.commit()
    clock[0] += 3600
    submit_form(client, attempt_id)
    assert wait_of(client, attempt_id) <= 1
    copies_of(attempt_id, 5, utcnow() + timedelta(seconds=1), status=SUBMITTED)
    clock[0] += 1.5  # one scored in the 1.5 s and the queue not empty: still at least the floor
    db.session.execute(update(Attempt).where(Attempt.id == attempt_id).values(status=FINALIZED))
    db.session.commit()
    clock[0] += waits.REFRESH
    later = db.session.scalars(select(Attempt.id).where(Attempt.status == SUBMITTED)).all()
    assert wait_of(client, later[-1]) <= 1


def test_a_paper_at_its_timers_zero_waits_out_its_grace_and_the_crowd_closing_before_it(
    client, candidate, real_queue, clock
):
    """At a close, a page told only the grace left asked again every few seconds from the
    grace's end until the server closed its paper (10,700 polls in 30 s at 10,000)."""
    attempt_id, _token = begin(client)
    expire(attempt_id, seconds_ago=10)  # its timer reached zero: 20 s of grace left
    closed = copies_of(attempt_id, 100, utcnow() - timedelta(seconds=60), status=SUBMITTED)
    at_zero_before = utcnow() - timedelta(seconds=40)  # past their grace, not closed yet
    closing = copies_of(
        attempt_id, 300, None, status=IN_PROGRESS, deadline=at_zero_before, finalized_by=None
    )

    first_closing, own = wait_of(client, closing[0]), wait_of(client, attempt_id)
    # The rate not yet measured: the scoring wait is the floor's, at most the unmeasured cap.
    assert 5 <= first_closing <= waits.UNMEASURED_SCORING_WAIT  # behind the 100 closed
    assert own == 20 + waits.UNMEASURED_SCORING_WAIT  # the grace, then behind all 400
    assert db.session.get(Attempt, closing[0]).status == IN_PROGRESS  # the server closes it

    clock[0] += waits.REFRESH
    db.session.execute(update(Attempt).where(Attempt.id.in_(closed[:20])).values(status=FINALIZED))
    db.session.commit()  # 20 scored in the snapshot's 2 s: 10 a second, measured
    clock[0] += waits.REFRESH
    first_closing, own = wait_of(client, closing[0]), wait_of(client, attempt_id)
    assert 5 <= first_closing < 20 + waits.UNMEASURED_SCORING_WAIT < own <= waits.LONGEST_WAIT


def test_a_poll_while_another_thread_takes_the_snapshot_answers_from_the_last_one():
    """At a 10,000-paper close every other thread of a web process stood waiting on the
    lock while one read the queues again (py-spy, bench/RESULTS.md, session 32)."""
    reading, done = threading.Event(), threading.Event()

    class SlowToRead(waits.Backlog):
        def read_queues(self) -> tuple[list[int], list[int], list[int]]:
            if self.taken_at is not None:  # the second snapshot takes a while
                reading.set()
                done.wait(10)
            return [1, 2, 3], [], []

    backlog = SlowToRead()
    backlog.refresh(100.0)
    later = 100.0 + waits.REFRESH + 1
    taking = threading.Thread(target=backlog.refresh, args=(later,))
    taking.start()
    assert reading.wait(5)
    asked = time.monotonic()
    told = backlog.scoring_wait(3, later)  # the last in the queue as last seen
    answered_in = time.monotonic() - asked
    done.set()
    taking.join(5)
    assert answered_in < 1  # not the 10 s the other thread's reads took
    assert told == 0  # 3 papers at 10 a second, from a snapshot 3 s old
    assert backlog.taken_at == later


def test_a_crowd_is_told_to_come_for_its_results_at_the_pace_in_the_order_it_closed(
    app, client, candidate, real_queue, clock, monkeypatch
):
    """Told by the scoring rate alone, a 7,000-paper close's pages all came for their
    results within ten seconds (bench/RESULTS.md, session 33): each paper's page is told
    its turn at ``RESULTS_PER_SECOND`` from its place when the crowd was first seen, the
    same moment at every ask, even once the papers ahead are scored."""
    monkeypatch.setitem(app.config, "RESULTS_PER_SECOND", 10)
    attempt_id, _token = begin(client)
    crowd = copies_of(attempt_id, 600, utcnow() - timedelta(seconds=5), status=SUBMITTED)
    assert wait_of(client, crowd[0]) <= 1
    # Before, the floor's estimate was told at most 15 s (UNMEASURED_SCORING_WAIT).
    assert wait_of(client, crowd[300]) == 30  # 300 ahead at 10 a second
    assert wait_of(client, crowd[-1]) == waits.LONGEST_WAIT  # 599 ahead: 60 s
    clock[0] += 1
    assert wait_of(client, crowd[300]) == 29  # the same moment, a second nearer
    scored = crowd[:300]  # the workers scored the first half meanwhile
    db.session.execute(update(Attempt).where(Attempt.id.in_(scored)).values(status=FINALIZED))
    db.session.commit()
    clock[0] += waits.REFRESH
    assert wait_of(client, crowd[300]) == 27  # first in the queue now, still its turn
    assert client.get(f"/attempts/{crowd[0]}/status").json["scored"] is True
