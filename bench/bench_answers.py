"""Saving one answer under 100 concurrent clients, against the app served as deployed
(web_server.py: granian, ``WEB_CONCURRENCY`` processes of ``WEB_THREADS`` threads).

Baseline, measured in the same run on the same database: a bare Flask route that inserts
one row (bench/baseline_app.py). Prints requests per second and p50/p99 latency from wrk
for both, and their ratio (aim: at least half the baseline's throughput), and what each
request cost: the web's CPU (the web process's whole tree, from /proc) and, on
PostgreSQL, the database server's CPU (the postmaster's tree) and its transactions
(``pg_stat_database``; a pool's ping in autocommit is one) per request.

Runs on SQLite and, when ``BENCH_DATABASE_URL`` or ``TEST_DATABASE_URL`` names a
PostgreSQL database (``scripts/with-postgres.sh`` sets the latter), on PostgreSQL too,
side by side. ``BENCH_BEFORE=/path`` serves another checkout's app too (row "save,
before"), on the same database in the same run. ``BENCH_WORKERS`` lists the servers, processes x threads: "2x4,4x4" (a bare
number: web_server.py's threads). Needs Debian's ``wrk`` (``make bench`` installs it).
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
from typing import TYPE_CHECKING

from baseline_app import create_table
from server_load import tree_cpu_seconds

if TYPE_CHECKING:
    import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLIENTS = int(os.environ.get("BENCH_CLIENTS", 100))
SECONDS = int(os.environ.get("BENCH_SECONDS", 10))
SERVERS = os.environ.get("BENCH_WORKERS", "2x4,4x4").split(",")
# Another checkout's app (its root), served beside this one's: before and after a change.
BEFORE = os.environ.get("BENCH_BEFORE") or None
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


# Appended to both servers' scripts (the same client work for each): every answer other
# than 200, counted by status and the start of its body, printed at the end, so that a
# refused save says why (one in CI once did not).
REFUSALS_LUA = """
refused, all_threads = {}, {}
local setup_thread = setup
setup = function(thread)
  all_threads[#all_threads + 1] = thread
  if setup_thread then setup_thread(thread) end
end
response = function(status, headers, body)
  if status ~= 200 then
    local key = status .. " " .. string.sub(body or "", 1, 160):gsub("%s+", " ")
    refused[key] = (refused[key] or 0) + 1
  end
end
done = function()
  for _, thread in ipairs(all_threads) do
    for key, count in pairs(thread:get("refused")) do
      io.write("refused: " .. count .. " x " .. key .. "\\n")
    end
  end
end
"""


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
        "request = function() i = i % #mine + 1; return mine[i] end\n" + REFUSALS_LUA
    )


def serve(target: str, env: dict, port: int, server: str, root: Path = ROOT) -> subprocess.Popen:
    """The web process as the Procfile starts it, ``server`` being processes[xthreads]."""
    processes, _, threads = server.partition("x")
    env = {**env, "PORT": str(port), "WEB_CONCURRENCY": processes}
    if threads:
        env["WEB_THREADS"] = threads
    process = subprocess.Popen([sys.executable, "web_server.py", target], cwd=root, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until every worker has booted and answers at once
        try:
            start = time.perf_counter()
            for _ in range(int(processes) * 2):
                with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                    conn.sendall(b"GET /nowhere HTTP/1.0\r\n\r\n")
                    conn.recv(64)
            if time.perf_counter() - start < 0.5:
                return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the web process did not start for {target}")


def load(url: str, script: Path | None) -> dict[str, float]:
    args = ["wrk", f"-t{THREADS}", f"-c{CLIENTS}", f"-d{SECONDS}s", "--latency"]
    if script:
        args += ["-s", str(script)]
    ran = subprocess.run([*args, url], capture_output=True, text=True, check=True)
    if ran.stderr.strip():  # a script wrk could not run: it sends its default GET instead
        raise SystemExit(f"wrk: {ran.stderr.strip()}")
    out = ran.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": rate,
        "p50": _ms(out, "50%"),
        "p99": _ms(out, "99%"),
        "errors": int(non2xx.group(1)) if non2xx else 0,
        "refusals": re.findall(r"^refused: (.*)$", out, re.MULTILINE),
    }


class Database:
    """The database a run uses, and on PostgreSQL its server's CPU and transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        self.postmaster = None
        if self.name == "PostgreSQL":
            # Read while the connection is open: its backend process ends when it closes
            # (CI once found /proc/<pid> already gone).
            with self._connect() as conn:
                backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
                self.postmaster = _proc_parent(backend)

    def _connect(self) -> psycopg.Connection:
        import psycopg

        return psycopg.connect(self.url.replace("postgresql+psycopg", "postgresql"))

    def _row(self, sql: str) -> tuple:
        with self._connect() as conn:
            return conn.execute(sql).fetchone()

    def counters(self) -> tuple[float, int, int]:
        """The server's CPU seconds, transactions and connections so far (none for
        SQLite: in process)."""
        if self.postmaster is None:
            return 0.0, 0, 0
        transactions, sessions = self._row(
            "SELECT xact_commit + xact_rollback, sessions FROM pg_stat_database"
            " WHERE datname = current_database()"
        )
        # Less this query's own transaction and connection.
        return _server_cpu_seconds(self.postmaster), transactions - 1, sessions - 1


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _proc_parent(pid: int) -> int:
    return int(_stat(pid)[1])


def _server_cpu_seconds(postmaster: int) -> float:
    """The server's processes now and the backends that have ended (the postmaster
    waited for them: their CPU is its children's)."""
    fields = _stat(postmaster)
    ended = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    return tree_cpu_seconds(postmaster) + ended


def measure(
    target: str, env: dict, path: str, lua: Path, server: str, database: Database, root: Path
) -> dict[str, float]:
    """wrk's figures, and the web's and the database's CPU and transactions per request.
    The counters are read with the web stopped: its connections closed, their backends
    have reported their transactions."""
    port = free_port()
    web = serve(target, env, port, server, root)
    db_cpu, transactions, connections = database.counters()
    web_cpu = tree_cpu_seconds(web.pid)
    try:
        result = load(f"http://127.0.0.1:{port}{path}", lua)
        web_cpu = tree_cpu_seconds(web.pid) - web_cpu
    finally:
        web.terminate()
        web.wait()
    time.sleep(0.5 if database.postmaster else 0)  # the backends' last reports
    db_after, transactions_after, connections_after = database.counters()
    each = max(result["requests"], 1)
    result |= {
        "web_ms": web_cpu * 1000 / each,
        "db_ms": (db_after - db_cpu) * 1000 / each,
        "transactions": (transactions_after - transactions) / each,
        "connections": connections_after - connections,
    }
    return result


def _ms(out: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def run_on(database_url: str, tmp: str) -> dict[tuple[str, str], dict]:
    """Both servers on one database, for each of SERVERS."""
    env = {**os.environ, "SECRET_KEY": "bench-secret", "DATABASE_URL": database_url,
           "INSTANCE_PATH": tmp}  # fmt: skip
    env.pop("WEB_CONCURRENCY", None)
    env.pop("WEB_THREADS", None)
    os.environ.update(SECRET_KEY="bench-secret", INSTANCE_PATH=tmp)
    clients = prepare(database_url)
    create_table(database_url)
    script = Path(tmp) / "answers.lua"
    lua_script(clients, script)
    baseline_script = Path(tmp) / "baseline.lua"
    baseline_script.write_text(
        'wrk.method = \'POST\'\nwrk.body = \'{"position": 1, "response": "A"}\'\n'
        "wrk.headers['Content-Type'] = 'application/json'\n" + REFUSALS_LUA
    )
    database = Database(database_url)
    results = {}
    for server in SERVERS:
        for name, target, path, lua, root in routes_of(baseline_script, script):
            results[server, name] = measure(target, env, path, lua, server, database, root)
    return results


def routes_of(baseline_script: Path, script: Path) -> list[tuple[str, str, str, Path, Path]]:
    """(name, the app's factory, path, wrk script, code root) of each server of a run."""
    routes = [
        ("baseline", "bench.baseline_app:create_app", "/insert", baseline_script, ROOT),
        ("save", "app:create_app", "", script, ROOT),
    ]
    if BEFORE:
        routes.append(("save, before", "app:create_app", "", script, Path(BEFORE)))
    return routes


def postgres_url() -> str | None:
    for name in ("BENCH_DATABASE_URL", "TEST_DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith("postgresql"):
            return url
    return None


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: install Debian's wrk (make bench does)")
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:  # the instance folder of every server
        runs["SQLite"] = run_on(f"sqlite:///{tmp}/bench.db", tmp)
        if url := postgres_url():
            runs["PostgreSQL"] = run_on(url, tmp)
    print(f"{CLIENTS} concurrent clients, {SECONDS} s each; servers: processes x threads")
    print(
        f"{'database':<11} {'server':<6} {'route':<12} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'web CPU ms':>10} {'db CPU ms':>9} {'db xacts':>8} {'db conns':>8} {'non-2xx':>7}"
        f" {'ratio':>6}"
    )
    refused = 0
    for engine, results in runs.items():
        for server in SERVERS:
            base = results[server, "baseline"]
            names = ["baseline", "save"] + (["save, before"] if BEFORE else [])
            for name in names:
                r = results[server, name]
                ratio = f"{r['rps'] / base['rps']:.2f}" if name != "baseline" else ""
                db_figures = (
                    f"{r['db_ms']:9.2f} {r['transactions']:8.2f} {r['connections']:8}"
                    if engine == "PostgreSQL"
                    else f"{'':>9} {'':>8} {'':>8}"
                )
                print(
                    f"{engine:<11} {server:<6} {name:<12} {r['rps']:6.0f} {r['p50']:7.1f}"
                    f" {r['p99']:7.1f} {r['web_ms']:10.2f} {db_figures} {r['errors']:7} {ratio:>6}"
                )
            for name in names:
                for refusal in results[server, name]["refusals"]:
                    print(f"  {engine} {server} {name}: refused {refusal}")
            refused += sum(results[server, name]["errors"] for name in names[1:])
    print(
        "ratio: saves / baseline requests a second (aim ≥ 0.5); CPU and the server's"
        " transactions per request (a statement in autocommit, or a ping, is one);"
        " db conns: connections the server opened in the whole run"
    )
    if refused:  # the rate of refused saves is not the rate of saves
        sys.exit(f"{refused} saves were not answered 200: the rates above are not those of saving")


if __name__ == "__main__":
    main()
