"""Scoring after a close: the sweep queues owed attempts in batches, a batch with one
failing paper scores the others and is retried, and several worker processes (the
``JOB_WORKERS`` of the Procfile's worker) score every paper once and number certificates
without gaps or duplicates."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app.exam import scoring
from app.exam.attempts import close_attempt
from app.extensions import db
from app.jobs import queue, tasks
from app.jobs.queue import huey
from app.jobs.tasks import LOST_AFTER, sweep_now
from app.models import Attempt, AuditEntry, Certificate, JobFailure
from app.models.attempt import FINALIZED, IN_PROGRESS
from app.models.types import utcnow
from certificates.numbers import parse_number
from tests.app.certificate_fixtures import (
    all_right_and_open,
    setup_exams,
)
from tests.app.test_submitting import run_jobs

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("signing", "fresh_catalog")


@pytest.fixture
def deployed_queue(app, database_url, tmp_path):
    """The queue as deployed: the app's PostgreSQL when the tests run on it (huey's
    PostgresStorage), else an SQLite file beside the database."""
    url = database_url if database_url.startswith("postgres") else f"sqlite:///{tmp_path}/jobs.db"
    app.config.update(JOBS_IMMEDIATE=False, JOB_QUEUE_URL=url)
    queue.configure(app)
    yield huey
    huey.flush()
    huey.storage.close()
    app.config["JOBS_IMMEDIATE"] = True
    queue.configure(app)


def _expired_passes(count: int) -> list[int]:
    """Papers answered in full whose candidates closed the browser: past the deadline."""
    setup_exams()
    ids = [all_right_and_open(f"cand{i}", f"考生{i}").id for i in range(count)]
    db.session.execute(
        update(Attempt).where(Attempt.id.in_(ids)).values(deadline=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    return ids


def _finalized_once(ids: list[int]) -> bool:
    finals = dict(
        db.session.execute(
            select(AuditEntry.target, func.count())
            .where(AuditEntry.action == "attempt.finalize")
            .group_by(AuditEntry.target)
        ).all()
    )
    return all(finals.get(f"attempt {attempt_id}") == 1 for attempt_id in ids)


def _numbers() -> list[int]:
    rows = db.session.scalars(select(Certificate.number)).all()
    return sorted(parse_number(number).sequence for number in rows)


def test_the_sweep_queues_a_close_in_batches_that_score_every_paper(ctx, queued, monkeypatch):
    monkeypatch.setattr(tasks, "BATCH", 2)
    ids = _expired_passes(5)
    assert sweep_now(utcnow(), LOST_AFTER) == 5
    assert huey.pending_count() == 3  # 2 + 2 + 1
    run_jobs()
    statuses = db.session.scalars(select(Attempt.status).where(Attempt.id.in_(ids))).all()
    assert statuses == [FINALIZED] * 5 and _finalized_once(ids)
    assert _numbers() == [1, 2, 3, 4, 5]
    assert sweep_now(utcnow() + timedelta(minutes=1), LOST_AFTER) == 0


def test_a_failing_paper_does_not_stop_its_batch_which_is_retried(ctx, queued, monkeypatch):
    ids = _expired_passes(3)
    real_score, broken = scoring.score_once, ids[1]

    def flaky(attempt_id, *args):
        if attempt_id == broken:
            raise RuntimeError("数据库暂时不可用")
        return real_score(attempt_id, *args)

    monkeypatch.setattr(scoring, "score_once", flaky)
    assert sweep_now(utcnow(), LOST_AFTER) == 3
    run_jobs()
    scored = dict(db.session.execute(select(Attempt.id, Attempt.status)).all())
    assert scored == {ids[0]: FINALIZED, ids[1]: "submitted", ids[2]: FINALIZED}
    failure = db.session.scalars(select(JobFailure)).one()
    assert "score_attempts" in failure.task and "数据库暂时不可用" in failure.error

    monkeypatch.setattr(scoring, "score_once", real_score)
    due = huey._get_timestamp() + timedelta(seconds=11)
    for task in huey.read_schedule(due):
        huey.execute(task, due)  # the retry of the whole batch, when it is due
    run_jobs()  # and the certificates it queued
    assert db.session.get(Attempt, broken).status == FINALIZED
    assert _finalized_once(ids) and _numbers() == [1, 2, 3]


def _start_worker(app, database_url: str, tmp_path: Path, *args: str) -> subprocess.Popen:
    env = {
        **os.environ, "FLASK_APP": "app", "DATABASE_URL": database_url,
        "JOB_QUEUE_URL": app.config["JOB_QUEUE_URL"], "INSTANCE_PATH": str(tmp_path / "instance"),
        "CERT_KEY_DIR": str(app.config["CERT_KEY_DIR"]), "JOBS_IMMEDIATE": "0",
        "JOB_WORKERS": "2",
    }  # fmt: skip
    with (tmp_path / "worker.log").open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "jobs", "worker", *args],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.mark.usefixtures("deployed_queue")
def test_two_worker_processes_score_each_paper_once_and_number_without_gaps(
    app, ctx, database_url, tmp_path
):
    """Half the papers were submitted (one job each), half abandoned (the worker's first
    sweep closes them and queues a batch): two processes share them."""
    ids = _expired_passes(8)
    for attempt_id in ids[:4]:
        db.session.execute(
            update(Attempt).where(Attempt.id == attempt_id).values(deadline=utcnow())
        )
        db.session.commit()
        assert close_attempt(attempt_id, "candidate", utcnow())
    worker = _start_worker(app, database_url, tmp_path)
    groups: set[str] = set()  # the job processes' groups as seen while they work

    def all_issued() -> bool:
        if AUTOGROUPS:
            for pid in _children_of(worker.pid):
                with contextlib.suppress(OSError):
                    groups.add((Path("/proc") / str(pid) / "autogroup").read_text().strip())
        db.session.rollback()
        stored = select(func.count(Certificate.id)).where(Certificate.pdf.is_not(None))
        return db.session.scalar(stored) == len(ids)

    try:
        _wait_for(all_issued, 120, "eight certificates and their PDFs")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert "任务进程 2 个" in log and "Huey consumer started" in log
    # Not two lines a job: at a 10,000-paper close they cost the workers ~3 % of their CPU.
    assert "Executing" not in log and "executed in" not in log
    statuses = db.session.scalars(select(Attempt.status).where(Attempt.id.in_(ids))).all()
    assert IN_PROGRESS not in statuses and set(statuses) == {FINALIZED}
    assert _finalized_once(ids)
    assert _numbers() == list(range(1, len(ids) + 1))
    assert db.session.scalar(select(func.count(Certificate.id))) == len(ids)
    # Scoring and certificates ran behind the web: their process's group at JOB_NICE.
    # (A line is empty in the boot session's group, CI's, before a process's setsid.)
    assert not AUTOGROUPS or any(group.endswith(" nice 10") for group in groups), groups


def _children_of(pid: int) -> set[int]:
    """Live processes whose parent is ``pid`` (zombies count as gone)."""
    children = set()
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except (OSError, ValueError):
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if int(parent) == pid and state != "Z":
            children.add(int(entry.name))
    return children


AUTOGROUPS = Path("/proc/self/autogroup").exists()


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
@pytest.mark.usefixtures("deployed_queue")
def test_a_killed_worker_takes_its_processes_with_it(app, ctx, database_url, tmp_path):
    """kill -9 of the worker leaves no orphaned job process running beside its restart."""
    worker = _start_worker(app, database_url, tmp_path, "--workers", "2")
    try:
        _wait_for(lambda: len(_children_of(worker.pid)) >= 3, 60, "a scheduler and two workers")
        children = _children_of(worker.pid)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    _wait_for(lambda: not any(_alive(pid) for pid in children), 10, "the orphans to die")


@pytest.mark.usefixtures("deployed_queue")
def test_the_job_processes_yield_the_cores_to_the_web(app, ctx, database_url, tmp_path):
    """At a close the jobs could take every core for minutes; on a host shared with the
    web they run at a lower priority (JOB_NICE, 10 by default), every forked process too.
    Each forked process leads a session of its own, whose scheduling group follows its
    jobs (app/jobs/priority.py); the session the worker was started in is left alone."""
    expected = min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)
    ours = Path("/proc/self/autogroup").read_text() if AUTOGROUPS else None
    worker = _start_worker(app, database_url, tmp_path, "--workers", "2")
    try:
        _wait_for(lambda: len(_children_of(worker.pid)) >= 3, 60, "a scheduler and two workers")
        forked = _children_of(worker.pid)
        processes = {worker.pid} | forked
        assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in processes} == {expected}
        assert os.getsid(worker.pid) == os.getsid(0)
        assert all(os.getsid(pid) == pid for pid in forked)
        if AUTOGROUPS:
            assert Path("/proc/self/autogroup").read_text() == ours
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
