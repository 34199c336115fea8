"""After the close: papers scored and certificates issued per CPU-second by the job code,
against a baseline checkout measured in the same run, and the wall time of a close with
1 and 2 job worker processes (``flask jobs worker --workers k``, ``BENCH_WALL_WORKERS``),
on temporary SQLite. Figures in bench/RESULTS.md.

Part 1 runs the real jobs in a child process per checkout, alternately (``BENCH_ROUNDS``
rounds; the baseline is ``BENCH_BASELINE_ROOT``, e.g. /work/main, empty for none): ``BENCH_N`` papers of
the shipped 80-question ``secretary-pre-appointment`` exam in each of four groups: fails
and passes (every answer right) closed by the sweep (abandoned papers), and fails and
passes closed as a submit or the status poll closes them (one job each). A fail's CPU is
the cost of scoring a paper (finalize, score, notebook); a pass's minus a fail's is the
certificate's (number, render, sign, store). Then the sitting closes and the sweep fills
the notebooks, as when an exam's review opens at the close. ``BENCH_PROFILE=1`` prints cProfile's top
functions of this checkout's passes.

Part 2 closes ``BENCH_WALL_N`` papers, 70 % passes, 70 % submitted and 30 % abandoned,
and times a real worker (of the baseline, then of this checkout) with k processes from its
start-up line until every paper is scored and every certificate stored. The machine's
other load shows in it; the estimates use this checkout's figures.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
N = int(os.environ.get("BENCH_N", 60))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 2))
BASELINE = os.environ.get("BENCH_BASELINE_ROOT", "/work/main")
WALL_N = int(os.environ.get("BENCH_WALL_N", 200))
WALL_WORKERS = [int(k) for k in os.environ.get("BENCH_WALL_WORKERS", "1,2").split(",")]
EXAM = "secretary-pre-appointment"


def _environment(tmp: str) -> dict[str, str]:
    return {
        "INSTANCE_PATH": tmp, "SECRET_KEY": "bench", "JOBS_IMMEDIATE": "0",
        "DATABASE_URL": f"sqlite:///{tmp}/app.db", "JOB_QUEUE_URL": f"sqlite:///{tmp}/jobs.db",
        "CERT_KEY_DIR": f"{tmp}/signing",
    }  # fmt: skip


def _prepare(tmp: str, groups: list[tuple[int, bool]]) -> list[list[int]]:
    """The database, key, bank, exam and one started paper per candidate; each group is
    (papers, all answers right). Returns each group's attempt ids."""
    import logging
    from datetime import timedelta

    from flask_migrate import upgrade

    from app import create_app
    from app.bank.services import publish
    from app.certificate.setup import fonts
    from app.exam.catalog import question_of
    from app.exam.exams import save_exam
    from app.exam.sittings import SittingSpec, create_sitting
    from app.exam.starting import start_attempt
    from app.extensions import db
    from app.models import User
    from app.models.types import utcnow
    from certificates.rules_format import load_default_rules
    from certificates.signing import create_signing_identity
    from question_bank.bank_format import parse_bank

    os.environ.update(_environment(tmp))
    app = create_app()
    logging.disable(logging.WARNING)
    app.app_context().push()
    upgrade()
    create_signing_identity(Path(tmp) / "signing", load_default_rules().issuer)
    root = Path(sys.path[0])
    publish(parse_bank((root / "question_bank/banks/party-basics.yaml").read_bytes())[0])
    save_exam((root / f"question_bank/exams/{EXAM}.yaml").read_bytes(), f"{EXAM}.yaml")
    fonts()  # once per worker process, not per certificate
    total = sum(count for count, _ in groups)
    users = [User(username=f"u{i}", name=f"考生{i}", password_hash="", position="党支部书记")
             for i in range(total)]  # fmt: skip
    db.session.add_all(users)
    db.session.commit()
    now = utcnow()
    spec = SittingSpec(EXAM, "基准场次", now - timedelta(hours=1), now + timedelta(hours=3),
                       tuple(u.username for u in users))  # fmt: skip
    sitting = create_sitting(spec)
    ids, users_left = [], iter(users)
    for count, right in groups:
        group = []
        for _ in range(count):
            attempt = start_attempt(next(users_left), sitting, None, utcnow())
            for item in attempt.items if right else ():
                item.response = _right(question_of(item.question_revision_id))
                item.answered_at = now
            group.append(attempt.id)
        db.session.commit()
        ids.append(group)
    return ids


def _right(question) -> object:
    if question.type == "single":
        return question.keys[0]
    if question.type == "multiple":
        return list(question.keys)
    if question.type == "judge":
        return question.keys == ("true",)
    return [accepted[0] for accepted in question.blanks]


def _expire(ids: list[int]) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from app.extensions import db
    from app.models import Attempt
    from app.models.types import utcnow

    db.session.execute(
        update(Attempt).where(Attempt.id.in_(ids)).values(deadline=utcnow() - timedelta(hours=1))
    )
    db.session.commit()


def _drain() -> float:
    """Milliseconds of CPU to run every queued job as a worker runs it."""
    from app.jobs.queue import huey

    start = time.process_time()
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
    return (time.process_time() - start) * 1000


def measure_cpu(root: str) -> None:
    """Child: the four groups through ``root``'s job code; prints one JSON line."""
    sys.path.insert(0, root)
    os.chdir(root)
    import cProfile
    import pstats

    from app.exam.attempts import close_attempt
    from app.jobs.tasks import LOST_AFTER, sweep_now
    from app.models.types import utcnow

    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        warm, *groups = _prepare(tmp, [(3, True), (N, False), (N, True), (N, False), (N, True)])
        for attempt_id in warm:  # the first papers read the exam, questions, rules and key
            close_attempt(attempt_id, "candidate", utcnow())
        _drain()
        result = {}
        for name, ids in zip(("fail_sweep", "pass_sweep"), groups[:2], strict=True):
            _expire(ids)
            start = time.process_time()
            sweep_now(utcnow(), LOST_AFTER)
            result[name] = ((time.process_time() - start) * 1000 + _drain()) / N
        profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
        for name, ids in zip(("fail_submit", "pass_submit"), groups[2:], strict=True):
            for attempt_id in ids:
                close_attempt(attempt_id, "candidate", utcnow())  # the web's part, not timed
            if profile and name == "pass_submit":
                profile.enable()
            result[name] = _drain() / N
        if profile:
            profile.disable()
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        result["notebook"] = _open_review(len(groups) * N)
    print(json.dumps(result))


def _open_review(papers: int) -> float:
    """Milliseconds of CPU per paper for the sweep's notebooks once the review opens at
    the sitting's close (the exam shows the keys after it): half the papers are fails
    with all 80 answers wrong, half passes with none."""
    from datetime import timedelta

    from sqlalchemy import update

    from app.exam.review import record_opened_reviews
    from app.extensions import db
    from app.models import Sitting
    from app.models.types import utcnow

    db.session.execute(update(Sitting).values(closes_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    start = time.process_time()
    recorded = record_opened_reviews(utcnow())
    assert recorded >= papers, recorded
    return (time.process_time() - start) * 1000 / papers


def _child(root: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--cpu", root], cwd=root, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    sys.stderr.write(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its children (Linux's /proc)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError):
            continue
        if entry.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measure_wall(workers: int, root: str) -> tuple[float, float, int]:
    """Child: seconds for a worker of ``root`` with ``workers`` processes to score and
    certify a close, the CPU seconds its processes used (start-up included), and
    tracebacks it logged."""
    sys.path.insert(0, root)
    os.chdir(root)
    from sqlalchemy import func, select

    from app.exam.attempts import close_attempt
    from app.extensions import db
    from app.models import Attempt, Certificate
    from app.models.types import utcnow

    passes, submitted = round(WALL_N * 0.7), round(WALL_N * 0.7)
    with tempfile.TemporaryDirectory(prefix="bench-jobs-wall-") as tmp:
        ids = [a for group in _prepare(tmp, [(passes, True), (WALL_N - passes, False)])
               for a in group]  # fmt: skip
        for attempt_id in ids[:submitted]:
            close_attempt(attempt_id, "candidate", utcnow())
        _expire(ids[submitted:])
        db.engine.dispose()
        log = Path(tmp) / "worker.log"
        env = {**os.environ, **_environment(tmp), "FLASK_APP": "app"}
        with log.open("wb") as output:
            worker = subprocess.Popen(
                [sys.executable, "-m", "flask", "jobs", "worker", "--workers", str(workers)],
                cwd=root, env=env, stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            while "任务进程" not in log.read_text(errors="replace"):
                time.sleep(0.05)
            start = time.perf_counter()
            while True:
                done = db.session.scalar(select(func.count()).where(Attempt.status == "finalized"))
                stored = db.session.scalar(
                    select(func.count(Certificate.id)).where(Certificate.pdf.is_not(None))
                )
                db.session.rollback()
                if done == WALL_N and stored == passes:
                    wall = time.perf_counter() - start
                    errors = log.read_text(errors="replace").count("Traceback")
                    return wall, _tree_cpu(worker.pid), errors
                time.sleep(0.1)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)


def _mean(rows: list[dict[str, float]], key: str) -> float:
    return sum(row[key] for row in rows) / len(rows)


def _report(label: str, rows: list[dict[str, float]]) -> dict[str, float]:
    figures = {key: _mean(rows, key) for key in rows[0]}
    for how in ("sweep", "submit"):
        fail, passed = figures[f"fail_{how}"], figures[f"pass_{how}"]
        print(f"{label:9} closed by the {how:6}: {fail:5.1f} ms per paper scored "
              f"({1000 / fail:5.1f}/CPU-s), {passed - fail:5.1f} ms per certificate "
              f"({1000 / (passed - fail):5.1f}/CPU-s)")  # fmt: skip
    print(f"{label:9} notebooks when the review opens: {figures['notebook']:5.1f} ms per paper "
          "(half with 80 mistakes, half with none)")  # fmt: skip
    return figures


def main() -> None:
    if hasattr(os, "getloadavg"):
        print(f"load average at the start: {os.getloadavg()[0]:.1f}")
    roots = [("baseline", BASELINE)] if BASELINE and Path(BASELINE, "app").is_dir() else []
    runs: dict[str, list[dict[str, float]]] = {"baseline": [], "branch": []}
    for _ in range(ROUNDS):
        for label, root in [*roots, ("branch", str(HERE))]:
            runs[label].append(_child(root))
    print(f"CPU per paper, {N} papers a group, {ROUNDS} rounds alternated, {EXAM} (80 questions):")
    figures = {label: _report(label, rows) for label, rows in runs.items() if rows}
    mine = figures["branch"]
    walls = {}
    for k in WALL_WORKERS:
        for label, root in [*roots, ("branch", str(HERE))]:
            out = subprocess.run([sys.executable, __file__, "--wall", str(k), root], cwd=root,
                                 check=True, capture_output=True, text=True)  # fmt: skip
            wall, cpu, errors = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{label:9} {WALL_N} papers (70 % passes) with {k} worker process(es): "
                  f"{wall:5.1f} s wall, {WALL_N / wall:5.1f} papers/s, {cpu:5.1f} s CPU, "
                  f"{errors} tracebacks (load average {os.getloadavg()[0]:.1f})")  # fmt: skip
        walls[k] = wall  # the branch's
    scoring = (0.7 * mine["fail_submit"] + 0.3 * mine["fail_sweep"]) / 1000
    certificate = (mine["pass_submit"] - mine["fail_submit"]) / 1000
    per_mix = (scoring + 0.7 * certificate) * WALL_N
    for k, wall in walls.items():
        cores = per_mix / wall
        for passes in (3000, 7000):
            estimate = (10_000 * scoring + passes * certificate) / cores
            print(f"estimate, {k} process(es) ({cores:.2f} cores' worth measured): 10,000 papers "
                  f"and {passes:,} certificates in {estimate:4.0f} s")  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--cpu"]:
        measure_cpu(sys.argv[2])
    elif sys.argv[1:2] == ["--wall"]:
        print(json.dumps(measure_wall(int(sys.argv[2]), sys.argv[3])))
    else:
        main()
