"""The app's side of the session load test (bench_session.py): serving it on a free
loopback port, preparing its database (bank, exam, candidates), opening the sitting, and
reading the database back afterwards to check what the load test was told."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def wait_until_serving(port: int) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"GET /login HTTP/1.0\r\n\r\n")
                if conn.recv(16).startswith(b"HTTP/1"):
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the app did not start serving within 120 s")


def stop_server(process: subprocess.Popen, group: bool = False, grace: float = 10.0) -> None:
    """SIGTERM to the web server (its process group if ``group``), and SIGKILL to it and
    its worker processes if it has not ended ``grace`` seconds later: a stopping granian
    sometimes waits 30 s, until its own backstop kills its workers (granian#875; see
    tests/test_web_server.py). The figures are printed by then; a benchmark must not
    fail or hang on it."""
    if group:
        os.killpg(process.pid, signal.SIGTERM)
    else:
        process.terminate()
    try:
        process.wait(timeout=grace)
        return
    except subprocess.TimeoutExpired:
        print(f"the web server had not stopped {grace:g} s after SIGTERM (granian#875): killed")
    if group:
        os.killpg(process.pid, signal.SIGKILL)
    else:
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        for child in children.read_text().split() if children.exists() else []:
            os.kill(int(child), signal.SIGKILL)
        process.kill()
    process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(tmp: str) -> str:
    """The database a benchmark runs on: ``BENCH_DATABASE_URL``, else
    ``TEST_DATABASE_URL`` (scripts/with-postgres.sh's), else an SQLite file in ``tmp``."""
    return (
        os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("TEST_DATABASE_URL")
        or f"sqlite:///{tmp}/app.db"
    )


def prepare(env: dict, n: int, exam: str) -> dict:
    """Database, signing key, bank, exam, n candidates with a 拟任职务; returns the keys."""
    os.environ.update(env)
    from flask_migrate import upgrade

    from app import create_app
    from app.bank.services import publish
    from app.exam.exams import save_exam
    from app.extensions import db
    from app.models import User
    from question_bank.bank_format import parse_bank

    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "cert", "init-key"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    app = create_app()
    bank = parse_bank((ROOT / "question_bank/banks/party-basics.yaml").read_bytes())[0]
    keys = {q.stem.strip(): q.keys[0] for q in bank.questions if q.type in ("single", "judge")}
    with app.app_context():
        upgrade()
        publish(bank)
        save_exam(exam.encode(), "secretary-pre-appointment.yaml")
        first = User(username="load0", name="考生〇", password_hash="", position="党支部书记")
        first.set_password("load-password-1")
        db.session.add(first)
        db.session.flush()
        db.session.execute(
            User.__table__.insert(),
            [{"username": f"load{i}", "name": f"考生{i}", "password_hash": first.password_hash,
              "role": first.role, "position": "党支部书记", "must_change_password": False}
             for i in range(1, n)],
        )  # fmt: skip
        db.session.commit()
        db.engine.dispose()
    return keys


def create_test_sitting(open_at: float, close_at: float, n: int) -> int:
    from datetime import UTC, datetime

    from app import create_app
    from app.exam.sittings import SittingSpec, create_sitting
    from app.extensions import db

    with create_app().app_context():
        spec = SittingSpec(
            "secretary-pre-appointment", "负载测试场次", datetime.fromtimestamp(open_at, UTC),
            datetime.fromtimestamp(close_at, UTC), tuple(f"load{i}" for i in range(n)),
        )  # fmt: skip
        sitting_id = create_sitting(spec).id
        db.engine.dispose()
    return sitting_id


def read_back(acknowledged: dict, close_at: float, wait_until: float) -> list[str]:
    """Answers acknowledged against stored; attempts finalized once; certificates.
    Returns what went wrong, if anything."""
    from sqlalchemy import func, select

    from app import create_app
    from app.extensions import db
    from app.models import Attempt, AttemptItem, AuditEntry, Certificate

    app = create_app()
    with app.app_context():
        while time.time() < wait_until:
            open_papers = db.session.scalar(
                select(func.count()).where(Attempt.status != "finalized")
            )
            passed = db.session.scalar(select(func.count()).where(Attempt.passed.is_(True)))
            issued = db.session.scalar(select(func.count()).select_from(Certificate))
            db.session.rollback()
            if not open_papers and issued >= passed:
                break
            time.sleep(2)
        stored = {
            (a, p): r for a, p, r in db.session.execute(
                select(AttemptItem.attempt_id, AttemptItem.position, AttemptItem.response))
        }  # fmt: skip
        acked = lost = 0
        for mine in acknowledged.values():
            attempt_id = int(mine["path"].rsplit("/", 1)[1])
            for position, response in mine["answers"].items():
                acked += 1
                lost += stored.get((attempt_id, position)) != response
        attempts = db.session.scalar(select(func.count()).select_from(Attempt))
        final = db.session.scalar(select(func.count()).where(Attempt.status == "finalized"))
        finals = db.session.execute(
            select(AuditEntry.target, func.count()).where(AuditEntry.action == "attempt.finalize")
            .group_by(AuditEntry.target)
        ).all()  # fmt: skip
        by_deadline = db.session.scalar(
            select(func.count()).where(Attempt.finalized_by == "deadline")
        )
        passed = db.session.scalar(select(func.count()).where(Attempt.passed.is_(True)))
        issued = db.session.scalar(select(func.count()).select_from(Certificate))
        last = db.session.scalar(select(func.max(Certificate.issued_at)))
    print(f"answers acknowledged {acked}, stored as acknowledged {acked - lost}, lost {lost}")
    print(f"attempts {attempts}, finalized {final} (by the deadline {by_deadline}), "
          f"finalized more than once {sum(1 for _, n in finals if n > 1)}")  # fmt: skip
    after = f"{last.timestamp() - close_at:+.0f} s after the close" if last else "none"
    print(f"passed {passed}, certificates issued {issued}, last one {after}")
    twice = sum(1 for _, n in finals if n > 1)
    return [
        problem for problem, wrong in (
            (f"{lost} answers lost", lost), (f"{attempts - final} papers not finalized", attempts != final),
            (f"{twice} papers finalized twice", twice), (f"{passed - issued} certificates missing", passed > issued),
        ) if wrong
    ]  # fmt: skip
