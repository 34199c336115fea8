"""CPU of a scoring job in the job worker, for a fail and for a pass (which also numbers,
renders, signs and stores its certificate), on a temporary SQLite database.

The jobs are queued as a submit queues them and run as a worker runs them; the fonts are
loaded first, once, as a worker process does. ``BENCH_N`` papers of each kind (five
questions; the test fixtures' bank and exams). ``BENCH_PROFILE=1`` prints cProfile's top
functions of the passing jobs. Passes per CPU-second say how many job processes a session
needs: see the README's production section. It also prints how long each passing job
held SQLite's write lock (from a transaction's first write to its end), which is time
every answer save of the web waits behind it.
"""

from __future__ import annotations

import cProfile
import logging
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N = int(os.environ.get("BENCH_N", 60))


def _queue_papers(user_ids: list[int], sitting_id: int, right: int) -> None:
    from app.exam.attempts import close_attempt
    from app.exam.starting import start_attempt
    from app.extensions import db
    from app.models import Sitting, User
    from app.models.types import utcnow

    for user_id in user_ids:
        sitting = db.session.get(Sitting, sitting_id)
        attempt = start_attempt(db.session.get(User, user_id), sitting, None, utcnow())
        for item in attempt.items:
            item.response = "A" if item.position < right else "B"
            item.answered_at = utcnow()
        db.session.commit()
        close_attempt(attempt.id, "candidate", utcnow())
    db.session.remove()


class WriteLockClock:
    """Milliseconds each transaction held the database's write lock: SQLite takes it at a
    transaction's first INSERT, UPDATE or DELETE and keeps it to the commit or rollback."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.held: list[float] = []
        self.numbering: list[float] = []  # the transactions that took a certificate number
        self._since: dict[int, float] = {}
        self._numbers: set[int] = set()
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def _statement(self, conn, _cursor, statement: str, *_args) -> None:
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self._since.setdefault(id(conn), time.perf_counter())
            if "certificate_sequence" in statement:
                self._numbers.add(id(conn))

    def _end(self, conn) -> None:
        started = self._since.pop(id(conn), None)
        if started is not None:
            self.held.append((time.perf_counter() - started) * 1000)
            if id(conn) in self._numbers:
                self._numbers.discard(id(conn))
                self.numbering.append(self.held[-1])


def _spread(held: list[float], passes: int) -> str:
    held = sorted(held)
    return (
        f"{sum(held) / passes:6.1f} ms in {len(held) / passes:.1f} transactions; "
        f"95th percentile {held[int(0.95 * len(held))]:.1f} ms, longest {held[-1]:.1f} ms"
    )


def _run_jobs(profile: cProfile.Profile | None) -> float:
    """Milliseconds of CPU per job, every queued job run as a worker runs it."""
    from app.jobs.queue import huey

    if profile:
        profile.enable()
    start, count = time.process_time(), 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        count += 1
    if profile:
        profile.disable()
    return (time.process_time() - start) * 1000 / count


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-cert-jobs-") as tmp:
        os.environ.update(
            INSTANCE_PATH=tmp, SECRET_KEY="bench", JOBS_IMMEDIATE="0",
            DATABASE_URL=f"sqlite:///{tmp}/app.db", JOB_QUEUE_URL=f"sqlite:///{tmp}/jobs.db",
            CERT_KEY_DIR=f"{tmp}/signing",
        )  # fmt: skip
        from flask_migrate import upgrade

        from app import create_app
        from app.certificate.setup import fonts
        from app.extensions import db
        from app.models import Certificate, User
        from certificates.rules_format import load_default_rules
        from certificates.signing import create_signing_identity
        from tests.app.certificate_fixtures import COMPETENCY, open_sitting, setup_exams

        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/app.db"})
        logging.disable(logging.WARNING)  # alembic's and the app's progress lines
        profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
        with app.app_context():
            upgrade()
            create_signing_identity(Path(tmp) / "signing", load_default_rules().issuer)
            setup_exams()
            fonts()  # once per worker process, not per certificate
            users = [
                User(username=f"u{i}", name=f"考生{i}", password_hash="") for i in range(2 * N)
            ]
            db.session.add_all(users)
            db.session.commit()
            ids = [u.id for u in users]
            sitting_id = open_sitting(COMPETENCY, users).id
            _queue_papers(ids[N:], sitting_id, right=2)
            fail = _run_jobs(None)
            _queue_papers(ids[:N], sitting_id, right=5)
            clock = WriteLockClock(db.engine)
            passed = _run_jobs(profile)
            issued = db.session.query(Certificate).count()
    print(f"scoring job, {N} fails:  {fail:6.1f} ms CPU each")
    print(f"scoring job, {N} passes: {passed:6.1f} ms CPU each ({issued} certificates issued)")
    print(f"the certificate's share: {passed - fail:6.1f} ms CPU")
    print(f"passes per CPU-second:   {1000 / passed:6.1f}")
    print(f"write lock held per pass: {_spread(clock.held, N)}")
    print(f"  of which numbering:     {_spread(clock.numbering, N)}")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(
            int(os.environ.get("BENCH_LINES", 30))
        )


if __name__ == "__main__":
    main()
