"""A scoring batch's passes get one certificate job, and a pass's certificate job issues
the other passes whose jobs still wait in the same batch (one numbering transaction, one
to store the PDFs), and keeps what one job per pass guaranteed: numbers without gaps or
duplicates, a failing certificate retried and shown to admins while the others in its
batch are issued, nothing lost when the worker is killed in the middle of a batch, and a
concurrent issuer never doubled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.certificate import batch, pdfs
from app.certificate.services import issue_for_attempt
from app.exam.attempts import scored_attempt
from app.extensions import db
from app.jobs.queue import huey
from app.jobs.tasks import LOST_AFTER, enqueue_owed, enqueue_scoring, sweep_now
from app.models import Attempt, Certificate, CertificateSequence, JobFailure
from app.models.types import utcnow
from certificates.numbers import parse_number
from tests.app import test_submitting
from tests.app.certificate_fixtures import all_right_and_open, setup_exams
from tests.app.test_submitting import run_jobs

pytestmark = pytest.mark.usefixtures("signing", "fresh_catalog")

real_queue = test_submitting.real_queue  # a fixture: the queue on an SQLite file
NAMES = ("王喆", "李娜", "张伟", "刘洋")
RENDER, SIGNED_PDF = pdfs.render_certificate, batch.signed_pdf


def _passes_waiting_for_certificates() -> list[int]:
    """Four passes scored, each with its certificate job waiting."""
    setup_exams()
    ids = [all_right_and_open(f"u{i}", name).id for i, name in enumerate(NAMES)]
    for attempt_id in ids:
        assert enqueue_scoring(attempt_id, utcnow())
    for _ in ids:
        huey.execute(huey.dequeue())  # the scores first (they are taken first)
    assert huey.pending_count() == len(ids)
    db.session.expire_all()
    return ids


def _run_one_job() -> None:
    huey.execute(huey.dequeue())
    db.session.expire_all()


def _certificates() -> list[Certificate]:
    db.session.expire_all()
    return list(db.session.scalars(select(Certificate).order_by(Certificate.id)))


def _numbered_without_gaps(count: int) -> None:
    numbers = sorted(parse_number(c.number).sequence for c in _certificates())
    assert numbers == list(range(1, count + 1))
    assert db.session.scalar(select(func.sum(CertificateSequence.last))) == count


def _checked(ids: list[int]) -> bool:
    db.session.expire_all()
    return all(db.session.get(Attempt, a).certificates_checked_at is not None for a in ids)


def test_one_job_issues_every_waiting_pass_and_the_others_find_nothing_left(
    ctx, real_queue, monkeypatch
):
    ids = _passes_waiting_for_certificates()
    printed = []
    monkeypatch.setattr(batch, "signed_pdf", lambda content: printed.append(content) or b"%PDF")
    _run_one_job()
    certificates = _certificates()
    assert sorted(c.attempt_id for c in certificates) == ids
    assert all(c.pdf_ready for c in certificates) and _checked(ids)
    assert [c.holder_name for c in certificates] == list(NAMES)
    # what each PDF prints is what one certificate at a time prints, read from its row
    assert printed == [pdfs.content_of(c) for c in certificates]
    _numbered_without_gaps(len(ids))
    assert run_jobs() == len(ids) - 1  # the other jobs: nothing left to do
    assert len(_certificates()) == len(ids)
    assert sweep_now(utcnow() + LOST_AFTER + timedelta(seconds=1), LOST_AFTER) == 0


def test_a_scoring_batchs_passes_are_certified_by_one_job(ctx, real_queue):
    """A close's papers are scored ``BATCH`` to a job; their passes' certificates follow
    in one job, not one job per pass (each cost the queue's storage an enqueue, a dequeue
    and a revocation check, thousands of times at a close). A fail earns no certificate."""
    setup_exams()
    ids = [all_right_and_open(f"u{i}", name).id for i, name in enumerate(NAMES)]
    failed = all_right_and_open("u9", "陈静")
    for item in failed.items:
        item.response = "B"
    db.session.commit()
    assert enqueue_owed([*ids, failed.id], utcnow()) == len(ids) + 1
    _run_one_job()  # the scoring batch
    assert [task.name for task in huey.pending()] == ["certify_passes"]
    _run_one_job()
    certificates = _certificates()
    assert sorted(c.attempt_id for c in certificates) == ids
    assert all(c.pdf_ready for c in certificates) and _checked(ids)
    _numbered_without_gaps(len(ids))
    assert huey.pending_count() == 0
    assert sweep_now(utcnow() + LOST_AFTER + timedelta(seconds=1), LOST_AFTER) == 0


class FailsFor:
    """The renderer failing for one holder (a font missing a character of the name)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, content, *args, **kwargs):
        if content.holder_name == self.name:
            raise RuntimeError("字体文件损坏")
        return RENDER(content, *args, **kwargs)


def test_a_failing_certificate_is_shown_to_admins_and_retried_the_others_issued(
    ctx, real_queue, monkeypatch
):
    ids = _passes_waiting_for_certificates()
    monkeypatch.setattr(pdfs, "render_certificate", FailsFor(NAMES[2]))
    _run_one_job()
    failure = db.session.scalars(select(JobFailure)).one()
    assert failure.task.endswith("certify_passes") and f"attempt {ids[2]}" in failure.error
    by_attempt = {c.attempt_id: c for c in _certificates()}
    assert [by_attempt[a].pdf_ready for a in ids] == [True, True, False, True]
    assert by_attempt[ids[2]].pdf_failures == 1  # waits for the sweep's retry
    assert _checked([ids[0], ids[1], ids[3]]) and not _checked([ids[2]])

    run_jobs()  # the failed pass's own job again: its PDF is not due yet, so it is checked
    assert _checked(ids) and not _certificates()[2].pdf_ready
    monkeypatch.setattr(pdfs, "render_certificate", RENDER)  # the font repaired
    sweep_now(utcnow() + pdfs.FIRST_RETRY + timedelta(seconds=1), LOST_AFTER)
    assert all(c.pdf_ready for c in _certificates())
    _numbered_without_gaps(len(ids))


class Killed(BaseException):
    """The worker process killed (SIGKILL): no handler runs."""


def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing(ctx, real_queue, monkeypatch):
    ids = _passes_waiting_for_certificates()
    rendered = []

    def killed_after_two(content):
        if len(rendered) == 2:
            raise Killed
        rendered.append(content.number)
        return SIGNED_PDF(content)

    monkeypatch.setattr(batch, "signed_pdf", killed_after_two)
    with pytest.raises(Killed):
        huey.execute(huey.dequeue())
    db.session.rollback()
    assert len(_certificates()) == len(ids) and not any(c.pdf_ready for c in _certificates())
    assert not _checked(ids[:1])

    monkeypatch.setattr(batch, "signed_pdf", SIGNED_PDF)  # a new worker process
    later = utcnow() + LOST_AFTER + timedelta(seconds=1)
    assert sweep_now(later, LOST_AFTER) == len(ids)  # the passes queued again
    run_jobs()
    certificates = _certificates()
    assert sorted(c.attempt_id for c in certificates) == ids  # one each: none doubled
    assert all(c.pdf_ready for c in certificates) and _checked(ids)
    _numbered_without_gaps(len(ids))


def test_a_certificate_issued_meanwhile_by_another_issuer_is_not_doubled(
    ctx, real_queue, monkeypatch
):
    """``flask cert issue`` commits one of the batch's certificates after the batch read
    its attempts: the batch sees it under the sequence rows' lock, numbers nothing and
    issues its attempts one at a time."""
    ids = _passes_waiting_for_certificates()
    number = batch._number

    def issued_meanwhile(new, refused):
        issue_for_attempt(scored_attempt(ids[1]), utcnow())
        return number(new, refused)

    monkeypatch.setattr(batch, "_number", issued_meanwhile)
    _run_one_job()
    certificates = _certificates()
    assert sorted(c.attempt_id for c in certificates) == ids
    assert all(c.pdf_ready for c in certificates) and _checked(ids)
    _numbered_without_gaps(len(ids))


WAITING_PASSES = 1000  # a close's passes waiting for their certificates


def test_a_batch_takes_the_longest_waiting_passes_in_index_order(ctx):
    """After a close thousands of passes wait for their certificates, most scored in the
    same second, and each job takes twenty of them: the longest waiting first (the order
    the waiting pages are told), read from the index in its order. Before, every batch
    sorted every waiting pass by id (1.4-4.4 ms a batch at a 3,000 close)."""
    from sqlalchemy import insert, text, update

    from app.exam.attempts import score_closed
    from app.jobs import certifying
    from tests.app.test_attempt_indexes import attempt_reads, plan_of

    setup_exams()
    first = all_right_and_open("u0", "王喆")
    scored_at = utcnow()
    score_closed(first.id, "submit", scored_at)
    row = {c.key: getattr(scored_attempt(first.id), c.key) for c in Attempt.__mapper__.column_attrs}
    del row["id"]
    db.session.execute(insert(Attempt), [dict(row, number=2 + n) for n in range(WAITING_PASSES)])
    later = db.session.scalars(select(Attempt.id).where(Attempt.id != first.id)).all()
    earlier = sorted(later)[-3:]  # scored a second before the crowd, though numbered last
    db.session.execute(
        update(Attempt)
        .where(Attempt.id.in_(earlier))
        .values(finalized_at=scored_at - timedelta(seconds=1))
    )
    db.session.commit()
    db.session.execute(text("ANALYZE attempt"))
    db.session.commit()
    for attempt_id in later:
        huey.put(certifying.certificates_marker(attempt_id), scored_at.timestamp())
    with attempt_reads() as reads:
        taken = certifying._take_waiting_certificates([first.id], 19)
    assert taken == earlier + sorted(set(later) - set(earlier))[:16]
    (statement, parameters), *_ = [r for r in reads if "LIMIT" in r[0]]
    plan = plan_of(statement, parameters)
    db.session.rollback()
    assert "ix_attempt_awaiting_certificates" in plan, plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan
