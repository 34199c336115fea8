"""Saving one answer under 100 concurrent clients, against the app served by gunicorn.

Baseline, measured in the same run on the same database file: a bare Flask route that
inserts one row (bench/baseline_app.py). Prints requests per second and p50/p99
latency from wrk for both, and their ratio. Aim: at least half the baseline's throughput.
Needs Debian's ``wrk`` (``make bench`` installs it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLIENTS = int(os.environ.get("BENCH_CLIENTS", 100))
SECONDS = int(os.environ.get("BENCH_SECONDS", 10))
WORKERS = os.environ.get("BENCH_WORKERS", "4")
THREADS = 2  # wrk threads
EXAM = """\
exam: bench
title: 基准
bank: party-basics
time_limit_minutes: 120
pass_mark: 60%
sections:
  - {type: single, count: 10, points: 2}
  - {type: judge, count: 10, points: 1}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(database_url: str) -> list[dict]:
    """A migrated database with the shipped bank, one sitting and a started attempt per
    client; returns each client's cookie, CSRF token and valid answer payloads."""
    from datetime import timedelta

    from flask_migrate import upgrade

    from app import create_app
    from app.bank.services import publish
    from app.exam.exams import save_exam
    from app.exam.sittings import SittingSpec, create_sitting
    from app.exam.starting import start_attempt
    from app.extensions import db
    from app.models import User
    from app.models.types import utcnow
    from question_bank.bank_format import parse_bank

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    clients = []
    with app.app_context():
        upgrade()
        publish(parse_bank((ROOT / "question_bank/banks/party-basics.yaml").read_bytes())[0])
        save_exam(EXAM.encode(), "bench.yaml")
        users = []
        for i in range(CLIENTS):
            user = User(username=f"bench{i}", name=f"考生{i}", password_hash="")
            user.set_password("bench-password")
            users.append(user)
        db.session.add_all(users)
        db.session.commit()
        now = utcnow()
        spec = SittingSpec(
            "bench",
            "基准场次",
            now - timedelta(minutes=1),
            now + timedelta(hours=3),
            tuple(u.username for u in users),
        )
        sitting = create_sitting(spec)
        started = []
        for user in users:
            attempt = start_attempt(user, sitting, None, utcnow())
            payloads = []
            for item in attempt.items:
                kind = attempt.policy.sections[item.section].type
                response = item.option_order[0] if kind == "single" else True
                payloads.append(json.dumps({"position": item.position, "response": response}))
            started.append((user.username, attempt.id, payloads))
    for username, attempt_id, payloads in started:  # outside the app context: one g per request
        web = app.test_client()
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"',
            web.get("/login").get_data(as_text=True),
        )
        web.post(
            "/login",
            data={"username": username, "password": "bench-password", "csrf_token": token.group(1)},
        )
        page = web.get(f"/attempts/{attempt_id}").get_data(as_text=True)
        clients.append(
            {
                "path": f"/attempts/{attempt_id}/answers",
                "cookie": f"session={web.get_cookie('session').value}",
                "csrf": re.search(r'data-csrf="([^"]+)"', page).group(1),
                "payloads": payloads,
            }
        )
    return clients


def lua_script(clients: list[dict], path: Path) -> None:
    """Each wrk thread cycles through the answers of its own clients, each request with
    that client's cookie: two saves of one answer are never in flight at once (the older
    would be refused as a stale tab's, a 409 that is no failure of the app)."""
    per_thread: list[list[str]] = [[] for _ in range(THREADS)]
    for n, c in enumerate(clients):
        for body in c["payloads"]:
            path_, cookie, csrf, body_ = (
                json.dumps(v) for v in (c["path"], c["cookie"], c["csrf"], body)
            )
            headers = f"{{['Content-Type']='application/json', ['Cookie']={cookie}, ['X-CSRFToken']={csrf}}}"
            per_thread[n % THREADS].append(f"wrk.format('POST', {path_}, {headers}, {body_})")
    path.write_text(
        "local reqs = {\n"
        + ",\n".join("{" + ",\n".join(mine) + "}" for mine in per_thread)
        + "\n}\nlocal threads, mine, i = 0, nil, 0\n"
        "setup = function(thread) thread:set('id', threads); threads = threads + 1 end\n"
        "init = function() mine = reqs[id + 1] end\n"
        "request = function() i = i % #mine + 1; return mine[i] end\n"
    )


def serve(target: str, env: dict, port: int) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen(
        [gunicorn, "-w", WORKERS, "-b", f"127.0.0.1:{port}", "--log-level", "warning", target],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until every worker has booted and answers at once
        try:
            start = time.perf_counter()
            for _ in range(int(WORKERS) * 2):
                with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                    conn.sendall(b"GET /nowhere HTTP/1.0\r\n\r\n")
                    conn.recv(64)
            if time.perf_counter() - start < 0.5:
                return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start for {target}")


def load(url: str, script: Path | None) -> dict[str, float]:
    args = ["wrk", f"-t{THREADS}", f"-c{CLIENTS}", f"-d{SECONDS}s", "--latency"]
    if script:
        args += ["-s", str(script)]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rate,
        "p50": _ms(out, "50%"),
        "p99": _ms(out, "99%"),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def _ms(out: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: install Debian's wrk (make bench does)")
    with tempfile.TemporaryDirectory() as tmp:
        database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
        env = {
            **os.environ,
            "SECRET_KEY": "bench-secret",
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": tmp,
        }
        os.environ.update(SECRET_KEY="bench-secret", INSTANCE_PATH=tmp)
        clients = prepare(database_url)
        script = Path(tmp) / "answers.lua"
        lua_script(clients, script)
        baseline_script = Path(tmp) / "baseline.lua"
        baseline_script.write_text(
            "wrk.method = 'POST'\nwrk.body = '{\"position\": 1, \"response\": \"A\"}'\nwrk.headers['Content-Type'] = 'application/json'\n"
        )
        results = {}
        for name, target, path, lua in (
            (
                "baseline: bare insert route",
                "bench.baseline_app:create_app()",
                "/insert",
                baseline_script,
            ),
            ("save one answer (app)", "app:create_app()", "", script),
        ):
            port = free_port()
            server = serve(target, env, port)
            try:
                results[name] = load(f"http://127.0.0.1:{port}{path}", lua)
            finally:
                server.terminate()
                server.wait()
    print(
        f"{CLIENTS} concurrent clients, {SECONDS} s each, gunicorn -w {WORKERS}, {database_url.split(':')[0]}"
    )
    for name, r in results.items():
        print(
            f"  {name:<30} {r['rps']:8.0f} req/s   p50 {r['p50']:7.1f} ms   p99 {r['p99']:7.1f} ms   non-2xx {r['errors']}"
        )
    base, app_result = results.values()
    ratio = app_result["rps"] / base["rps"]
    print(
        f"throughput ratio app / baseline = {ratio:.2f} (aim ≥ 0.5: {'met' if ratio >= 0.5 else 'MISSED'})"
    )
    if app_result["errors"]:  # the rate of refused saves is not the rate of saves
        sys.exit(
            f"{app_result['errors']} saves were not answered 200: the rate above is not that of saving"
        )


if __name__ == "__main__":
    main()
