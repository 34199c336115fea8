"""CPU per request on the candidate's path: login, start page (GET, the form before the
start), start (POST; a first start, claiming the paper drawn ahead where the code does
that, and the test page it shows: the start answers it, or in code before that, the GET
its redirect led to, measured together), test page (its GET, as a reload or a bookmark
gets it), save, submit (as the test page posts it; in code before that, the result page
it redirected to while the paper is scored, "scoring page") and its status polls,
result; after a pass, the status polls while its certificates are issued, the one
saying they are ready and the result page that answer spares (the page loaded it again
until the answer carried the certificate box, issue 12); then, the sitting closed and
its review open with the keys, the result page again and 答题详情.

In-process (Flask's test client on a temporary SQLite database, the shipped bank and the
80-question secretary exam), so that ``time.process_time`` around each request is that
request's CPU (plus the test client's own, well under a millisecond). Background jobs
(scoring, certificates) are measured apart, as a worker runs them. ``BENCH_PROFILE=submit``
(or any phase) prints cProfile's top functions for that phase; ``BENCH_POLLS`` (3) sets the
status polls of each waiting page (more, for a steadier figure of the poll's CPU).
``BENCH_CODE=/path`` runs the same journeys against another checkout's code (its ``app``
and shipped bank), so that phases added here can be measured before a change too.
``BENCH_DATABASE_URL`` runs them on that (empty) database instead, its job queue in it as
deployed (``scripts/with-postgres.sh`` exports one as ``TEST_DATABASE_URL``); on a local
PostgreSQL the server's CPU per request is printed too (its processes' time from /proc:
every backend, the idle server's own work included, so compare between runs).

Budgets (issue 12): save ≤ 2 ms, start, test page, submit, result ≤ 5 ms of CPU (the start
with its test page: 5 + 5 ms). Entering the waiting room (``enter``: the attempt made and
its test page sent sealed, before the open) and the key at the start (``paper key``, what
the open costs a candidate who entered) are measured too, for other candidates.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from session_cpu import postgres_cpu_seconds

ROOT = Path(os.environ.get("BENCH_CODE") or Path(__file__).resolve().parents[1]).resolve()
sys.path.insert(0, str(ROOT))

CANDIDATES = int(os.environ.get("BENCH_N", 40))
ANSWERS = 20
# Status polls while the paper waits for its worker (and a pass's certificates).
POLLS = int(os.environ.get("BENCH_POLLS", 3))
PASSES = int(os.environ.get("BENCH_PASSES", 10))  # more candidates, answering all right
DATABASE = os.environ.get("BENCH_DATABASE_URL", "")
BUDGET_MS = {"save": 2, "start": 10, "paper key": 5, "test page": 5, "submit": 5, "result": 5}
BUDGET_MS["status, scored"] = BUDGET_MS["result"]  # it carries the result now
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Meter:
    """CPU (and wall) time of each request, by phase; optionally one phase profiled."""

    def __init__(self, profiled: str | None) -> None:
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.wall: dict[str, list[float]] = defaultdict(list)
        self.server: dict[str, list[float]] = defaultdict(list)
        self.profiled = profiled
        self.profile = cProfile.Profile()

    def __call__(self, phase: str, request):
        profiling = phase == self.profiled
        server = database_server_cpu()
        if profiling:
            self.profile.enable()
        cpu, wall = time.process_time(), time.perf_counter()
        response = request()
        self.cpu[phase].append((time.process_time() - cpu) * 1000)
        self.wall[phase].append((time.perf_counter() - wall) * 1000)
        if profiling:
            self.profile.disable()
        if server is not None:
            self.server[phase].append((database_server_cpu() - server) * 1000)
        assert response.status_code < 400, (phase, response.status_code)
        return response


def database_server_cpu() -> float | None:
    """CPU seconds of this machine's PostgreSQL processes so far (None on SQLite)."""
    return postgres_cpu_seconds() if DATABASE.startswith("postgresql") else None


def prepare(app, candidates: int):
    from app.bank.services import publish
    from app.exam.exams import save_exam
    from app.exam.sittings import SittingSpec, create_sitting
    from app.extensions import db
    from app.models import User
    from app.models.types import utcnow
    from certificates.rules_format import load_default_rules
    from certificates.signing import create_signing_identity
    from question_bank.bank_format import parse_bank

    create_signing_identity(app.config["CERT_KEY_DIR"], load_default_rules().issuer)
    publish(parse_bank((ROOT / "question_bank/banks/party-basics.yaml").read_bytes())[0])
    exam_file = ROOT / "question_bank/exams/secretary-pre-appointment.yaml"
    save_exam(exam_file.read_bytes(), exam_file.name)
    # A 拟任职务, which a pass's certificate (任前…合格证明) must state.
    first = User(username="bench0", name="考生0", password_hash="", position="党支部书记")
    first.set_password("bench-password-1")
    users = [first] + [
        User(username=f"bench{i}", name=f"考生{i}", password_hash=first.password_hash,
             position=first.position)
        for i in range(1, candidates)
    ]  # fmt: skip
    db.session.add_all(users)
    db.session.commit()
    now = utcnow()
    spec = SittingSpec(
        "secretary-pre-appointment", "基准场次", now - timedelta(minutes=1),
        now + timedelta(hours=3), tuple(u.username for u in users),
    )  # fmt: skip
    sitting_id = create_sitting(spec).id
    print(f"first papers drawn ahead: {prepare_papers_ahead(sitting_id)}")
    return sitting_id


def prepare_waiting_room(candidates: int) -> int | None:
    """A sitting opening in ten minutes, for other candidates who enter its waiting room
    (sealed papers); None in code before them."""
    try:
        import app.exam.sealed  # noqa: F401
    except ImportError:
        return None
    from app.exam.sittings import SittingSpec, create_sitting
    from app.extensions import db
    from app.models import User
    from app.models.types import utcnow

    first = db.session.query(User).filter_by(username="bench0").one()
    users = [
        User(username=f"sealed{i}", name=f"考生{i}", password_hash=first.password_hash)
        for i in range(candidates)
    ]
    db.session.add_all(users)
    db.session.commit()
    now = utcnow()
    spec = SittingSpec(
        "secretary-pre-appointment", "候考场次", now + timedelta(minutes=10),
        now + timedelta(hours=3), tuple(u.username for u in users),
    )  # fmt: skip
    sitting_id = create_sitting(spec).id
    prepare_papers_ahead(sitting_id)
    return sitting_id


def sealed_journey(app, meter: Meter, sitting_id: int, number: int) -> None:
    """进入考场 before the open (the sealed test page), then the key at the start: the
    clock is moved by moving the attempt's start back, which is not measured."""
    from app.extensions import db
    from app.models import Attempt

    web = app.test_client()
    token = TOKEN.search(web.get("/login").get_data(as_text=True)).group(1)
    web.post("/login", data={
        "username": f"sealed{number}", "password": "bench-password-1", "csrf_token": token})  # fmt: skip
    start_page = web.get(f"/sessions/{sitting_id}").get_data(as_text=True)
    token = TOKEN.search(start_page).group(1)
    page = meter("enter", lambda: web.post(f"/sessions/{sitting_id}", data={"csrf_token": token}))
    html = page.get_data(as_text=True)
    attempt_id = int(re.search(r'data-page-url="/attempts/(\d+)"', html).group(1))
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.started_at -= timedelta(minutes=11)
        db.session.commit()
    key_url = re.search(r'data-key-url="([^"]+)"', html).group(1)
    meter("paper key", lambda: web.get(key_url))


def prepare_papers_ahead(sitting_id: int) -> str:
    """What the sweep's job does before a sitting opens, so that each start measured is a
    first start claiming its prepared paper (as in a real sitting); ``BENCH_PREPARED=0``
    measures first starts that draw."""
    if os.environ.get("BENCH_PREPARED") == "0":
        return "none (BENCH_PREPARED=0)"
    try:
        from app.exam.prepared import prepare_papers
    except ImportError:  # before papers were drawn ahead: every start draws
        return "none (not in this code)"
    from app.models.types import utcnow

    cpu = time.process_time()
    prepared = prepare_papers(sitting_id, utcnow())
    each = (time.process_time() - cpu) * 1000 / max(prepared, 1)
    return f"{prepared} ({each:.2f} ms of the job's CPU each, the bank's index built once included)"


def answers_of(page: str) -> list[tuple[int, str, object]]:
    """The first option of each choice question on the page: (position, field value, JSON)."""
    found = []
    for fieldset in re.finditer(r'<fieldset class="question[^"]*"(.*?)</fieldset>', page, re.S):
        body = fieldset.group(0)
        position = int(re.search(r'data-position="(\d+)"', body).group(1))
        kind = re.search(r'data-type="(\w+)"', body).group(1)
        value = re.search(r'type="(?:radio|checkbox)"[^>]*value="([^"]+)"', body)
        if value and kind in ("single", "multiple", "judge"):
            json_value = {"single": value.group(1), "multiple": [value.group(1)]}.get(
                kind, value.group(1) == "true"
            )
            found.append((position, value.group(1), json_value))
    return found[:ANSWERS]


def run_jobs(limit: int | None = None) -> float:
    """Run the queued jobs (the first ``limit``, or every one) as a worker would; returns
    the CPU it took (0 if none)."""
    try:
        from app.jobs.queue import huey
    except ImportError:  # before the job queue: everything ran in the request
        return 0.0
    cpu, ran = time.process_time(), 0
    while (limit is None or ran < limit) and (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return (time.process_time() - cpu) * 1000


def journey(app, meter: Meter, sitting_id: int, number: int):
    """The candidate's path from login to result; returns its client and attempt's address."""
    web = app.test_client()
    token = TOKEN.search(web.get("/login").get_data(as_text=True)).group(1)
    meter("login", lambda: web.post("/login", data={
        "username": f"bench{number}", "password": "bench-password-1", "csrf_token": token}))  # fmt: skip
    start_page = meter("start page", lambda: web.get(f"/sessions/{sitting_id}"))
    token = TOKEN.search(start_page.get_data(as_text=True)).group(1)

    def start():
        """The start as the candidate gets it: the test page (after a redirect to it, in
        code before the start answered the page itself)."""
        started = web.post(f"/sessions/{sitting_id}", data={"csrf_token": token})
        return (
            web.get(started.headers["Location"]) if started.status_code in (302, 303) else started
        )

    page = meter("start", start).get_data(as_text=True)
    take_url = re.search(r'data-answer-url="([^"]+)/answers"', page).group(1)
    page = meter("test page", lambda: web.get(take_url)).get_data(as_text=True)  # a reload
    api_token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    answers = answers_of(page)
    for position, _value, response in answers:
        meter("save", lambda p=position, r=response: web.post(
            f"{take_url}/answers", json={"position": p, "response": r,
            "changed_at": int(time.time() * 1000)}, headers={"X-CSRFToken": api_token}))  # fmt: skip
    form = {"csrf_token": TOKEN.search(page).group(1)}
    form |= {f"q{position}": value for position, value, _json in answers}
    # Posted as the test page posts it: the page stays and polls. Code before that
    # answered with a redirect to the scoring page, which its page then loaded.
    submitted = meter("submit", lambda: web.post(
        f"{take_url}/submit", data=form, headers={"Accept": "application/json"}))  # fmt: skip
    if submitted.status_code == 302:
        meter("scoring page", lambda: web.get(f"{take_url}/result"))
    for _poll in range(POLLS):
        meter("status", lambda: web.get(f"{take_url}/status?result=1"))
    meter.cpu["scoring job"].append(run_jobs())
    # Scored: the answer carries the result, which the page shows in place. Code before
    # that answered "scored" alone, and the page loaded the result page.
    scored = meter("status, scored", lambda: web.get(f"{take_url}/status?result=1"))
    if "result_html" not in scored.get_json():
        meter("result", lambda: web.get(f"{take_url}/result"))
    return web, take_url


def after_the_close(app, meter: Meter, sitting_id: int, journeys: list) -> None:
    """The sitting closed, its review open with the keys: the result page each candidate's
    page loads as its score arrives at a close, and 答题详情 (in code before it had a page
    of its own, the result page showed the eighty questions itself). The notebooks are
    recorded first, as the job workers do for a crowd scored after the close."""
    from app.extensions import db
    from app.models import Sitting
    from app.models.types import utcnow

    with app.app_context():
        db.session.get(Sitting, sitting_id).closes_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        try:
            from app.exam.opened_reviews import record_in_batches
        except ImportError:  # code before the batches: the page records its own
            pass
        else:
            record_in_batches(utcnow())
    for web, take_url in journeys:
        page = meter("result, review open", lambda w=web, u=take_url: w.get(f"{u}/result"))
        if f"{take_url}/review" in page.get_data(as_text=True):
            meter("review", lambda w=web, u=take_url: w.get(f"{u}/review"))


def right_answers(take_url: str) -> list[tuple[int, object]]:
    """Each question's right response, as the page would post it (read in process)."""
    from sqlalchemy import select

    from app.exam.catalog import load_questions, question_of
    from app.extensions import db
    from app.models import AttemptItem
    from question_bank.types import REGISTRY

    attempt_id = int(take_url.rsplit("/", 1)[1])
    items = db.session.execute(
        select(AttemptItem.position, AttemptItem.question_revision_id)
        .where(AttemptItem.attempt_id == attempt_id)
    ).all()  # fmt: skip
    load_questions(revision for _, revision in items)
    questions = [(position, question_of(revision)) for position, revision in items]
    return [(p, REGISTRY[q.type].key_response(q)) for p, q in questions]


def pass_journey(app, meter: Meter, sitting_id: int, number: int) -> None:
    """A candidate answering every question right (login to submit unmeasured: the journey
    above measures those), then what its page asks while its certificates are issued: the
    polls, the answer saying they are ready, and the result page loaded again as the page
    did until that answer carried the certificate box (issue 12), side by side."""
    web = app.test_client()
    token = TOKEN.search(web.get("/login").get_data(as_text=True)).group(1)
    web.post("/login", data={
        "username": f"bench{number}", "password": "bench-password-1", "csrf_token": token})  # fmt: skip
    token = TOKEN.search(web.get(f"/sessions/{sitting_id}").get_data(as_text=True)).group(1)
    started = web.post(f"/sessions/{sitting_id}", data={"csrf_token": token}, follow_redirects=True)
    page = started.get_data(as_text=True)
    take_url = re.search(r'data-answer-url="([^"]+)/answers"', page).group(1)
    api_token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    with app.app_context():
        answers = right_answers(take_url)
    for position, response in answers:
        web.post(f"{take_url}/answers", json={"position": position, "response": response,
                 "changed_at": int(time.time() * 1000)}, headers={"X-CSRFToken": api_token})  # fmt: skip
    web.post(f"{take_url}/submit", data={"csrf_token": TOKEN.search(page).group(1)})
    run_jobs(1)  # scored; its certificates are queued after it
    # The answer that says "scored" to the waiting page, which carries the result (code
    # before that: the page then loaded the result page, as measured next).
    scored = meter("pass scored", lambda: web.get(f"{take_url}/status?result=1"))
    assert scored.get_json()["certificates_ready"] is False
    # The pass shown, its certificates being issued: the result page as a reload gets it
    # (the page at the score, in code before the answer carried the result).
    meter("result, certs pending", lambda: web.get(f"{take_url}/result"))
    for _poll in range(POLLS):
        meter("status, certs pending", lambda: web.get(f"{take_url}/status"))
    meter.cpu["certificate job"].append(run_jobs())
    ready = meter("status, certs ready", lambda: web.get(f"{take_url}/status"))
    assert ready.get_json()["certificates_ready"]
    page = meter("result, certs ready", lambda: web.get(f"{take_url}/result"))
    assert "下载证书（PDF）" in page.get_data(as_text=True)  # issued, its PDF stored


def report(meter: Meter) -> None:
    server = " database CPU mean" if meter.server else ""
    print(
        f"{'request':<21} {'n':>5} {'CPU mean':>9} {'CPU p50':>8} {'CPU p99':>8} {'wall p50':>9} {'budget':>7}"
        + server
    )
    phases = (
        "login",
        "start page",
        "start",
        "test page",
        "enter",
        "paper key",
        "save",
        "submit",
        "scoring job",
        "scoring page",
        "status",
        "status, scored",
        "result",
        "certificate job",
        "pass scored",
        "result, certs pending",
        "status, certs pending",
        "status, certs ready",
        "result, certs ready",
        "result, review open",
        "review",
    )
    for phase in phases:
        cpu = sorted(meter.cpu[phase])
        wall = sorted(meter.wall[phase]) or [0.0]
        if not cpu:
            continue
        p99 = cpu[min(len(cpu) - 1, int(len(cpu) * 0.99))]
        budget = f"{BUDGET_MS[phase]} ms" if phase in BUDGET_MS else ""
        served = meter.server.get(phase)
        print(
            f"{phase:<21} {len(cpu):>5} {statistics.fmean(cpu):>7.2f}ms {statistics.median(cpu):>6.2f}ms"
            f" {p99:>6.2f}ms {statistics.median(wall):>7.2f}ms {budget:>7}"
            + (f" {statistics.fmean(served):>15.2f}ms" if served else "")
        )  # fmt: skip


def in_process_app(tmp: str):
    """The app on a migrated database (SQLite in ``tmp``, or ``BENCH_DATABASE_URL``), its
    jobs queued for a worker (not run in the request), for Flask's test client."""
    database = DATABASE or f"sqlite:///{tmp}/app.db"
    queue = database if database.startswith("postgresql") else f"sqlite:///{tmp}/jobs.db"
    os.environ.update(
        INSTANCE_PATH=tmp, SECRET_KEY="bench", JOBS_IMMEDIATE="0",
        DATABASE_URL=database, JOB_QUEUE_URL=queue,
    )  # fmt: skip
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        upgrade()
    return app


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-requests-") as tmp:
        app = in_process_app(tmp)
        with app.app_context():
            sitting_id = prepare(app, CANDIDATES + PASSES)
            waiting_room = prepare_waiting_room(CANDIDATES)
        meter = Meter(os.environ.get("BENCH_PROFILE"))
        journeys = []
        for number in range(CANDIDATES):
            journeys.append(journey(app, meter, sitting_id, number))
            if waiting_room is not None:
                sealed_journey(app, meter, waiting_room, number)
        for number in range(CANDIDATES, CANDIDATES + PASSES):
            pass_journey(app, meter, sitting_id, number)
        after_the_close(app, meter, sitting_id, journeys)
        print(
            f"CPU per request, {CANDIDATES} candidates one after another, then {PASSES} passes"
            f" (code at {ROOT.name}):"
        )
        report(meter)
        if meter.profiled:
            pstats.Stats(meter.profile).sort_stats(
                os.environ.get("BENCH_SORT", "cumulative")
            ).print_stats(int(os.environ.get("BENCH_LINES", 25)))


if __name__ == "__main__":
    main()
