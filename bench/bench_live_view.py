"""The live view (实时情况) and the admin home on a large sitting: BENCH_LIVE_N candidates
(default 10,000) in 50 units registered as a whole, 60 % started (80-question papers,
half of the questions answered), a third of those handed in, some pages left.

Rows are written in bulk (not through the start), so the sitting is ready in seconds;
then each page is requested a few times, as a system admin and as one unit's admin, and
the median wall time and CPU of a request are printed. SQLite, or PostgreSQL under
``scripts/with-postgres.sh``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CANDIDATES = int(os.environ.get("BENCH_LIVE_N", 10_000))
UNITS = 50
QUESTIONS = 80
REPEAT = 5


def prepare() -> int:
    """The sitting and its people, attempts, items and departures, in bulk inserts."""
    from sqlalchemy import insert, select, text

    from app.bank.services import publish
    from app.exam.exams import save_exam
    from app.exam.sittings import SittingSpec, create_sitting
    from app.exam.starting import start_attempt
    from app.extensions import db
    from app.models import Attempt, AttemptItem, FocusEvent, Role, SittingUnit, Unit, User
    from app.models.types import utcnow
    from question_bank.bank_format import parse_bank

    publish(parse_bank((ROOT / "question_bank/banks/party-basics.yaml").read_bytes())[0])
    exam_file = ROOT / "question_bank/exams/secretary-pre-appointment.yaml"
    save_exam(exam_file.read_bytes(), exam_file.name)
    root = Unit(name="市级机关工委")
    db.session.add(root)
    db.session.flush()
    units = [Unit(name=f"单位{n:02d}", parent_id=root.id) for n in range(UNITS)]
    db.session.add_all(units)
    db.session.commit()
    admin = User(username="admin", name="系统管理员", role=Role.SYSTEM_ADMIN, password_hash="")
    admin.set_password("bench-password-1")
    unit_admin = User(username="unitadmin", name="单位管理员", role=Role.UNIT_ADMIN,
                      unit_id=units[0].id, password_hash=admin.password_hash)  # fmt: skip
    db.session.add_all([admin, unit_admin])
    db.session.commit()
    db.session.execute(insert(User), [
        {"username": f"c{i:05d}", "name": f"考生{i:05d}", "name_pinyin": f"kaosheng{i:05d}",
         "name_initials": "ks", "password_hash": "-", "role": Role.CANDIDATE,
         "unit_id": units[i % UNITS].id, "must_change_password": False, "session_version": 0,
         "text_size": 0, "created_at": utcnow()}
        for i in range(CANDIDATES)
    ])  # fmt: skip
    now = utcnow()
    spec = SittingSpec("secretary-pre-appointment", "大场次", now - timedelta(minutes=30),
                       now + timedelta(hours=3), ("c00000",))  # fmt: skip
    sitting = create_sitting(spec)
    db.session.add_all([SittingUnit(sitting_id=sitting.id, unit_id=u.id) for u in units])
    db.session.commit()
    first = start_attempt(db.session.scalar(select(User).where(User.username == "c00000")),
                          sitting, None, now - timedelta(minutes=20))  # fmt: skip
    items = [
        {c: getattr(i, c) for c in ("position", "section", "question_revision_id",
                                    "option_order", "points", "flagged")}
        for i in first.items
    ]  # fmt: skip
    ids = db.session.scalars(
        select(User.id).where(User.username.like("c%")).order_by(User.id)
    ).all()
    started = ids[1 : int(len(ids) * 0.6)]
    db.session.execute(insert(Attempt), [
        {"sitting_id": sitting.id, "user_id": uid, "number": 1, "seed": n, "started_at": first.started_at,
         "deadline": first.deadline, "stored_policy": first.stored_policy,
         "status": "finalized" if n % 3 == 0 else "in_progress",
         "score": 70 if n % 3 == 0 else None, "possible": 100, "passed": n % 3 == 0 or None,
         "finalized_at": now if n % 3 == 0 else None}
        for n, uid in enumerate(started)
    ])  # fmt: skip
    attempt_ids = db.session.scalars(select(Attempt.id).where(Attempt.id != first.id)).all()
    for chunk in range(0, len(attempt_ids), 500):
        db.session.execute(insert(AttemptItem), [
            {**item, "attempt_id": aid, "response": "A" if item["position"] % 2 else None}
            for aid in attempt_ids[chunk : chunk + 500] for item in items
        ])  # fmt: skip
    db.session.execute(insert(FocusEvent), [
        {"attempt_id": aid, "kind": "hidden", "at": now} for aid in attempt_ids[::7]
    ])  # fmt: skip
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # statistics, as autovacuum keeps them
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    assert len(items) == QUESTIONS
    return sitting.id


def measure(client, url: str) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(REPEAT):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        # with-postgres.sh names its throwaway database TEST_DATABASE_URL
        url = os.environ.get("TEST_DATABASE_URL", f"sqlite:///{tmp}/app.db")
        os.environ.update(INSTANCE_PATH=tmp, SECRET_KEY="bench", DATABASE_URL=url,
                          JOB_QUEUE_URL=f"sqlite:///{tmp}/jobs.db")  # fmt: skip
        from flask_migrate import upgrade

        from app import create_app
        from tests.auth import login

        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            began = time.perf_counter()
            sitting_id = prepare()
            print(
                f"{CANDIDATES} candidates, {UNITS} units, prepared in {time.perf_counter() - began:.0f} s ({url.split(':')[0]})"
            )
        print(f"{'who':<10} {'page':<40} {'wall p50':>9} {'CPU p50':>8}")
        for who in ("admin", "unitadmin"):
            client = app.test_client()
            login(client, who, "bench-password-1")
            for page in (f"/admin/live/sessions/{sitting_id}",
                         f"/admin/live/sessions/{sitting_id}?show=absent&page=20",
                         f"/admin/live/sessions/{sitting_id}?show=answering",
                         f"/admin/people/sessions/{sitting_id}/slips", "/admin/"):  # fmt: skip
                wall, cpu = measure(client, page)
                print(f"{who:<10} {page:<40} {wall:>7.0f}ms {cpu:>6.0f}ms")


if __name__ == "__main__":
    main()
