"""How many sealed papers' keys a second the deployed web answers (web_server.py's
defaults, SQLite), and its CPU per key: the open's whole cost for a candidate who entered
the waiting room (app/exam/sealed.py). wrk sends the requests, so that the load client
(a C program) is not the limit, as the Python client of bench_session.py is at 1,000 a
second. Beside it, the same server's CPU per request for the login page, a cheap GET that
renders a page (the baseline measured in the same run). Needs ``wrk`` (as bench_answers).

At the open each sealed page asks for its key on a NEW connection (the server closed its
last one in the waiting room), which kept-alive wrk connections do not measure. So the
keys are measured three ways in one run (the machine is shared: compare within a run):
wrk on kept-alive connections, wrk with ``Connection: close`` (a connection per key),
and keys at fixed paces (``BENCH_KEY_RATES`` a second for ``BENCH_KEY_RATE_SECONDS``
each), each on a new connection with a browser's headers and cookie, kept open until
the server closes it, timed from when it was due (``key_arrivals``). At the open the
keys share the cores with the first saves, the late starts and (in bench_session) the
load client, about a core in all at 10,000: ``BENCH_KEY_BUSY=1`` keeps that many cores
busy (a process spinning at the web's priority) during the paced keys.
``BENCH_KEY_PROFILE=600`` then profiles the web with py-spy while keys come at that pace
(``key_profile``: where its Python time goes).

    BENCH_KEY_SECONDS=10 BENCH_KEY_CONNECTIONS=20,100 BENCH_KEY_RATES=200,400,600,800,1000 \
        .venv/bin/python bench/bench_paper_keys.py
"""

from __future__ import annotations

import html
import http.cookiejar
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench_session import EXAM, TOKEN  # the exam of session_app's sitting, the form token
from key_arrivals import paced_keys
from key_profile import profile, shares
from server_load import tree_cpu_seconds
from session_app import create_test_sitting, free_port, prepare, stop_server, wait_until_serving

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("BENCH_KEY_SECONDS", 10))
CONNECTIONS = [int(c) for c in os.environ.get("BENCH_KEY_CONNECTIONS", "20,100").split(",")]
RATES = [int(r) for r in os.environ.get("BENCH_KEY_RATES", "200,400,600,800,1000").split(",") if r]
RATE_SECONDS = float(os.environ.get("BENCH_KEY_RATE_SECONDS", 10))
BUSY = int(os.environ.get("BENCH_KEY_BUSY", 0))
PROFILE_RATE = int(os.environ.get("BENCH_KEY_PROFILE", 0))


class Browser:
    """A candidate's cookies over urllib: log in, enter the room, read the key's address."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, ""

    def post(self, path: str, form: dict) -> str:
        data = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.base + path, data) as response:
            return response.read().decode()


def wrk(url: str, connections: int, server: int, *headers: str) -> tuple[float, float, str]:
    """Requests a second, the server's CPU ms per request and wrk's latency p99."""
    before = tree_cpu_seconds(server)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{SECONDS:g}s", "--latency",
         *(arg for header in headers for arg in ("-H", header)), url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    used = tree_cpu_seconds(server) - before
    total = int(re.search(r"(\d+) requests in", out).group(1))
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw answers other than 200:\n{out}")
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)  # the latency distribution
    return total / SECONDS, used * 1000 / max(total, 1), p99


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-paper-keys-") as tmp:
        run(tmp)


def run(tmp: str) -> None:
    env = {**os.environ, "INSTANCE_PATH": tmp, "SECRET_KEY": "bench-paper-keys",
           "DATABASE_URL": f"sqlite:///{tmp}/app.db", "FLASK_APP": "app"}  # fmt: skip
    prepare(env, 2, EXAM)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "web_server.py"],
        cwd=ROOT, env={**env, "PORT": str(port)}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_serving(port)
        opens = time.time() + 600  # the room is open; the start is brought forward below
        sitting_id = create_test_sitting(opens, opens + 3600, 2)
        measure(Browser(f"http://127.0.0.1:{port}"), port, sitting_id, server.pid, tmp)
    finally:
        stop_server(server, group=True)


def measure(browser: Browser, port: int, sitting_id: int, server: int, tmp: str) -> None:
    token = TOKEN.search(browser.get("/login")[1]).group(1)
    browser.post("/login", {"username": "load0", "password": "load-password-1",
                            "csrf_token": token})  # fmt: skip
    token = TOKEN.search(browser.get(f"/sessions/{sitting_id}")[1]).group(1)
    page = browser.post(f"/sessions/{sitting_id}", {"csrf_token": token})
    key_path = html.unescape(re.search(r'data-key-url="([^"]+)"', page).group(1))
    start_now(tmp)
    while browser.get(key_path)[0] != 200:  # the attempt's start
        time.sleep(0.5)
    print(f"the deployed web (web_server.py defaults, SQLite), wrk 1 thread, {SECONDS:g} s each:")
    kept = {}
    for connections in CONNECTIONS:
        base_rate, base_cpu, base_p99 = wrk(browser.base + "/login", connections, server)
        rate, cpu, p99 = kept[connections] = wrk(browser.base + key_path, connections, server)
        print(
            f"{connections:>4} connections: keys {rate:,.0f}/s, {cpu:.2f} ms of the web's CPU each,"
            f" p99 {p99}; the login page {base_rate:,.0f}/s, {base_cpu:.2f} ms each, p99 {base_p99}"
            f" (a key costs {cpu / base_cpu:.2f} of it)"
        )
    connections = CONNECTIONS[0]
    rate, cpu, p99 = wrk(browser.base + key_path, connections, server, "Connection: close")
    print(
        f"{connections:>4} connections, a new one per key (Connection: close): keys {rate:,.0f}/s,"
        f" {cpu:.2f} ms each, p99 {p99} ({rate / kept[connections][0]:.2f} of the kept-alive"
        f" rate, {cpu / kept[connections][1]:.2f} of its CPU)"
    )
    paced(browser, port, key_path, server, kept[connections][1])


def start_now(tmp: str) -> None:
    """The sealed attempt starts now instead of at the open: the key route reads the start
    at each request, and the run need not wait for the open (its cost is the same)."""
    with sqlite3.connect(f"{tmp}/app.db", timeout=30) as conn:
        conn.execute(
            "UPDATE attempt SET started_at = strftime('%Y-%m-%d %H:%M:%f', 'now', '-1 seconds')"
        )


def paced(browser: Browser, port: int, key_path: str, server: int, kept_cpu: float) -> None:
    """Keys at fixed paces, each on a new connection as the sealed pages ask at the open."""
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.jar)
    if RATES:
        print(f"keys at a fixed pace for {RATE_SECONDS:g} s each, a new connection per key"
              " (browser headers and cookie), timed from when each was due"
              f"{f', {BUSY} core(s) kept busy meanwhile' if BUSY else ''}:")  # fmt: skip
    spinning = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(BUSY)]
    try:
        for rate in RATES:
            before = tree_cpu_seconds(server)
            found = paced_keys(port, key_path, cookie, rate, RATE_SECONDS)
            used = (tree_cpu_seconds(server) - before) * 1000 / max(len(found.latencies), 1)
            print(f"{rate:>5}/s: {found.summary()}; {used:.2f} ms of the web's CPU each"
                  f" ({used / kept_cpu:.2f} of a kept-alive key's)")  # fmt: skip
    finally:
        for spinner in spinning:
            spinner.kill()
            spinner.wait()
    if PROFILE_RATE:
        found = []
        parts = profile(server, RATE_SECONDS, lambda: found.append(
            paced_keys(port, key_path, cookie, PROFILE_RATE, RATE_SECONDS)))  # fmt: skip
        print(f"py-spy (--gil) on the web, {PROFILE_RATE}/s on new connections"
              f" ({found[0].summary()}), shares of its Python time:\n{shares(parts)}")  # fmt: skip


if __name__ == "__main__":
    main()
