"""Saves and submits while real job workers score and certify a crowd's papers.

The web is deployed as in production (web_server.py's defaults); ``flask jobs worker``
is the real worker. Two crowds of ``BENCH_CLOSE_PAPERS`` answered papers (most pass) wait
in two sittings; for each condition one sitting closes (its papers' deadlines and its
close put in the past) and a worker is started at ``JOB_NICE`` 0 or 10: its start-up
sweep closes the crowd's papers and queues their scoring, and the passes' certificates
follow, as after a session's close. Meanwhile a bounded open-loop client on 127.0.0.1
sends saves (to other candidates' open papers) at ``BENCH_CLOSE_SAVES`` a second and
submits (each a fresh candidate's paper, with its answers) at ``BENCH_CLOSE_SUBMITS`` a
second, until every paper is scored and certified (or ``BENCH_CLOSE_LIMIT`` s). The same
load without jobs, before and after, is the baseline.

The app runs under ``close_probe`` (the app plus timers on its write transactions),
so beside the requests' latencies it prints why a slow one was slow: how long the web's
writes waited for SQLite's write lock and how long the jobs' transactions held it.

On PostgreSQL with ``BENCH_DATABASE_URL`` or ``TEST_DATABASE_URL`` (under
scripts/with-postgres.sh); there the write timers measure row-lock waits and holds.

    BENCH_CLOSE_PAPERS=1000 .venv/bin/python bench/bench_close_writes.py
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import sqlalchemy as sa
from close_report import latency_line, report_probe
from server_load import Candidate, start_candidates, tree_cpu_seconds
from session_app import database_url, free_port, prepare, stop_server, wait_until_serving

ROOT = Path(__file__).resolve().parents[1]
PAPERS = int(os.environ.get("BENCH_CLOSE_PAPERS", 1000))
SAVES = float(os.environ.get("BENCH_CLOSE_SAVES", 40))
SUBMITS = float(os.environ.get("BENCH_CLOSE_SUBMITS", 1))
# Test pages (reads) a second: the web busy with a crowd's pages and polls, as at a close.
PAGES = float(os.environ.get("BENCH_CLOSE_PAGES", 60))
BASELINE_SECONDS = float(os.environ.get("BENCH_CLOSE_BASELINE", 20))
LIMIT = float(os.environ.get("BENCH_CLOSE_LIMIT", 240))
NICES = [int(n) for n in os.environ.get("BENCH_CLOSE_NICES", "0,10").split(",")]
SAVERS = int(os.environ.get("BENCH_CLOSE_SAVERS", 40))
IN_FLIGHT = 400  # requests open at once, at most: the client stays bounded
EXAM = """\
exam: secretary-pre-appointment
title: 收卷负载测试
bank: party-basics
time_limit_minutes: 60
pass_mark: 60%
review: {show: keys, from: after_close}
sections:
  - {type: single, count: 12, points: 1}
  - {type: judge, count: 8, points: 1}
"""


def main() -> None:
    submitters = int(SUBMITS * (LIMIT + 2 * BASELINE_SECONDS)) + 10
    crowds = len(NICES)
    with tempfile.TemporaryDirectory(prefix="bench-close-writes-") as tmp:
        probe = Path(tmp, "probe")
        probe.mkdir()
        env = {**os.environ, "INSTANCE_PATH": tmp, "SECRET_KEY": "bench-close-writes",
               "DATABASE_URL": database_url(tmp), "FLASK_APP": "app",
               "CLOSE_PROBE_DIR": str(probe), "PYTHONPATH": f"{ROOT / 'bench'}:{ROOT}"}  # fmt: skip
        env.pop("JOB_NICE", None)
        users = crowds * PAPERS + SAVERS + submitters
        began = time.perf_counter()
        prepare(env, users, EXAM)
        crowd_sittings = [answered_crowd(c * PAPERS, PAPERS) for c in range(crowds)]
        open_sitting = open_for(range(crowds * PAPERS, users))
        print(f"{crowds} crowds of {PAPERS} answered papers, {SAVERS} candidates saving and "
              f"{submitters} to submit, prepared in {time.perf_counter() - began:.0f} s")  # fmt: skip
        port = free_port()
        web = subprocess.Popen(
            [sys.executable, "web_server.py", "close_probe:create_app"],
            cwd=ROOT, env={**env, "PORT": str(port), "CLOSE_PROBE_ROLE": "web"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_until_serving(port)
            base = f"http://127.0.0.1:{port}"
            first = crowds * PAPERS
            savers = asyncio.run(start_candidates(base, first, SAVERS, open_sitting))
            submitting = asyncio.run(
                start_candidates(base, first + SAVERS, submitters, open_sitting)
            )
            print(f"save rate {SAVES:g}/s over {SAVERS} open papers, submit rate {SUBMITS:g}/s; "
                  f"test pages {PAGES:g}/s; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")  # fmt: skip
            # SQLite: closing a crowd waits for the write lock the jobs may hold, as before.
            engine = sa.create_engine(env["DATABASE_URL"], connect_args=(
                {"timeout": 30} if env["DATABASE_URL"].startswith("sqlite") else {}))  # fmt: skip
            run(base, web.pid, env, engine, probe, savers, submitting, crowd_sittings)
            engine.dispose()
        finally:
            stop_server(web)


def run(base: str, web_pid: int, env: dict, engine: sa.Engine, probe: Path,
        savers: list[Candidate], submitting: list[Candidate], crowds: list[int]) -> None:  # fmt: skip
    conditions = [("no jobs (before)", None, None)]
    conditions += [(f"jobs at nice {n:+d}", n, crowds[i]) for i, n in enumerate(NICES)]
    conditions += [("no jobs (after)", None, None)]
    for name, nice, sitting in conditions:
        started = time.time()
        worker = None
        if sitting is not None:
            close(engine, sitting)
            # In this process's session, as the web: with autogroup scheduling a priority
            # counts only within a session (bench_job_priority.py).
            worker = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "close_probe:create_app()", "jobs", "worker"],
                cwd=ROOT, env={**env, "JOB_NICE": str(nice), "CLOSE_PROBE_ROLE": "jobs"},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        try:
            cpu_before = tree_cpu_seconds(web_pid), worker_cpu(worker)
            saves, submits, pages = asyncio.run(load(base, savers, submitting, engine, sitting))
            cpu = tree_cpu_seconds(web_pid) - cpu_before[0], worker_cpu(worker) - cpu_before[1]
        finally:
            if worker is not None:
                worker.terminate()  # its forked workers die with it (PR_SET_PDEATHSIG)
                worker.wait(timeout=30)
        ended = time.time()
        print(f"\n{name}: {ended - started:.0f} s" + (
            f"; crowd {crowd_state(engine, sitting)}" if sitting else ""))  # fmt: skip
        print(f"  CPU: web {cpu[0] / (ended - started):.2f} cores, jobs "
              f"{cpu[1] / (ended - started):.2f} cores")  # fmt: skip
        print(latency_line("save", saves))
        print(latency_line("submit", submits))
        print(latency_line("page", pages))
        report_probe(probe, started, ended)


def worker_cpu(worker: subprocess.Popen | None) -> float:
    return tree_cpu_seconds(worker.pid) if worker is not None else 0.0


def crowd_state(engine: sa.Engine, sitting: int) -> str:
    scored, passed, certified = done_counts(engine, sitting)
    return f"{scored} scored, {passed} passed, {certified} certified"


def done_counts(engine: sa.Engine, sitting: int) -> tuple[int, int, int]:
    from app.models import Attempt, Certificate

    finalized = sa.and_(Attempt.sitting_id == sitting, Attempt.status == "finalized")
    with engine.connect() as conn:
        scored, passed = conn.execute(
            sa.select(sa.func.count(), sa.func.count().filter(Attempt.passed)).where(finalized)
        ).one()
        certified = conn.scalar(
            sa.select(sa.func.count()).select_from(Certificate).join(Attempt)
            .where(Attempt.sitting_id == sitting, Certificate.pdf.is_not(None))
        )  # fmt: skip
    return scored, passed, certified


def close(engine: sa.Engine, sitting: int) -> None:
    """The sitting closes: its close and its papers' deadlines (and grace) are past."""
    from datetime import timedelta

    from app.models import Attempt, Sitting
    from app.models.types import utcnow

    now = utcnow()
    with engine.begin() as conn:
        conn.execute(sa.update(Sitting).where(Sitting.id == sitting)
                     .values(closes_at=now - timedelta(seconds=1)))  # fmt: skip
        conn.execute(sa.update(Attempt).where(Attempt.sitting_id == sitting)
                     .values(deadline=now - timedelta(minutes=2)))  # fmt: skip


async def load(base: str, savers: list[Candidate], submitting: list[Candidate],
               engine: sa.Engine, sitting: int | None) -> tuple[list, list]:  # fmt: skip
    """Saves and submits at their rates (open loop, bounded) until the crowd's papers are
    scored and certified, or for the baseline's seconds without one."""
    saves: list[tuple[float, float, int]] = []
    submits: list[tuple[float, float, int]] = []
    pages: list[tuple[float, float, int]] = []
    gate = asyncio.Semaphore(IN_FLIGHT)
    connector = aiohttp.TCPConnector(limit=IN_FLIGHT, keepalive_timeout=4)

    async def one(web, into, method, path, **options) -> None:
        async with gate:
            began = time.perf_counter()
            try:
                async with web.request(method, path, allow_redirects=False, **options) as answer:
                    await answer.read()
                    status = answer.status
            except (TimeoutError, aiohttp.ClientError):
                status = 0
            into.append((time.time(), time.perf_counter() - began, status))

    async with aiohttp.ClientSession(
        base, connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=60),
    ) as web:  # fmt: skip
        tasks, start, turn = [], time.perf_counter(), 0
        limit = BASELINE_SECONDS if sitting is None else LIMIT
        next_check, next_submit, next_page = start + 2, start, start
        while time.perf_counter() - start < limit:
            now = time.perf_counter()
            if sitting is not None and now >= next_check:
                next_check = now + 2
                scored, passed, certified = done_counts(engine, sitting)
                if scored == PAPERS and certified >= passed:
                    break
            if now >= next_submit and submitting:
                next_submit += 1 / SUBMITS
                method, path, options = submit_of(submitting.pop())
                tasks.append(asyncio.create_task(one(web, submits, method, path, **options)))
            while PAGES and now >= next_page:
                next_page += 1 / PAGES
                reader = savers[int(next_page * 7) % len(savers)]
                tasks.append(asyncio.create_task(one(
                    web, pages, "GET", reader.attempt_path, headers={"Cookie": reader.cookie}
                )))  # fmt: skip
            candidate = savers[turn % len(savers)]
            position = candidate.positions[turn // len(savers) % len(candidate.positions)]
            payload = {"position": position, "response": turn % 3 == 0,
                       "changed_at": int(time.time() * 1000)}  # fmt: skip
            headers = {"Cookie": candidate.cookie, "X-CSRFToken": candidate.api_token}
            tasks.append(asyncio.create_task(one(
                web, saves, "POST", f"{candidate.attempt_path}/answers", json=payload, headers=headers
            )))  # fmt: skip
            turn += 1
            await asyncio.sleep(max(0.0, start + turn / SAVES - time.perf_counter()))
        await asyncio.gather(*tasks)
    return saves, submits, pages


def submit_of(candidate: Candidate) -> tuple[str, str, dict]:
    """The page's 交卷: its form with the answers it holds."""
    form = {"csrf_token": candidate.api_token, "page_at": str(int(time.time() * 1000))}
    form |= {f"q{p}": "true" for p in candidate.positions}
    return (
        "POST",
        f"{candidate.attempt_path}/submit",
        {"data": form, "headers": {"Cookie": candidate.cookie}},
    )


def answered_crowd(first: int, count: int) -> int:
    """A sitting of ``count`` candidates whose papers are started and answered (85 % of
    them right, so most pass), still open: ``close`` ends them. Returns its id."""
    import random
    from datetime import timedelta

    from app import create_app
    from app.exam.catalog import question_of
    from app.exam.prepared import draw_for
    from app.exam.sittings import SittingSpec, create_sitting
    from app.exam.starting import _insert
    from app.extensions import db
    from app.models import AttemptItem, User
    from app.models.types import utcnow

    now = utcnow()
    with create_app().app_context():
        names = tuple(f"load{i}" for i in range(first, first + count))
        sitting = create_sitting(SittingSpec("secretary-pre-appointment", f"收卷 {first}",
                                             now - timedelta(minutes=30), now + timedelta(hours=2), names))  # fmt: skip
        users = db.session.scalars(db.select(User.id).where(User.username.in_(names))).all()
        rows = []
        for user_id in users:
            paper = draw_for(sitting)
            attempt_id = _insert(user_id, sitting.id, 1, paper, now - timedelta(minutes=20),
                                 now + timedelta(hours=1))  # fmt: skip
            for position, (_section, revision_id, _order) in enumerate(paper.items):
                question = question_of(revision_id)
                key = question.keys[0] if random.random() < 0.85 else None
                response = (key == "true") if question.type == "judge" else key
                rows.append(
                    {"b_attempt": attempt_id, "b_position": position, "b_response": response}
                )
        db.session.execute(
            db.update(AttemptItem.__table__)
            .where(AttemptItem.attempt_id == db.bindparam("b_attempt"),
                   AttemptItem.position == db.bindparam("b_position"))
            .values(response=db.bindparam("b_response"), answered_at=now - timedelta(minutes=5)),
            rows,
        )  # fmt: skip
        sitting_id = sitting.id
        db.session.commit()
        db.engine.dispose()
    return sitting_id


def open_for(numbers: range) -> int:
    """The sitting the saving and submitting candidates start over HTTP."""
    from datetime import timedelta

    from app import create_app
    from app.exam.sittings import SittingSpec, create_sitting
    from app.extensions import db
    from app.models.types import utcnow

    now = utcnow()
    with create_app().app_context():
        spec = SittingSpec("secretary-pre-appointment", "作答中", now - timedelta(minutes=1),
                           now + timedelta(hours=3), tuple(f"load{i}" for i in numbers))  # fmt: skip
        sitting_id = create_sitting(spec).id
        db.session.commit()
        db.engine.dispose()
    return sitting_id


if __name__ == "__main__":
    main()
