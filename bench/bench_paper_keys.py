"""How many sealed papers' keys a second the deployed web answers (gunicorn.conf.py's
defaults, SQLite), and its CPU per key: the open's whole cost for a candidate who entered
the waiting room (app/exam/sealed.py). wrk sends the requests, so that the load client
(a C program) is not the limit, as the Python client of bench_session.py is at 1,000 a
second. Beside it, the same server's CPU per request for the login page, a cheap GET that
renders a page (the baseline measured in the same run). Needs ``wrk`` (as bench_answers).

    BENCH_KEY_SECONDS=10 BENCH_KEY_CONNECTIONS=20,100 .venv/bin/python bench/bench_paper_keys.py
"""

from __future__ import annotations

import html
import http.cookiejar
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench_session import EXAM, TOKEN  # the exam of session_app's sitting, the form token
from server_load import tree_cpu_seconds
from session_app import create_test_sitting, free_port, prepare, wait_until_serving

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("BENCH_KEY_SECONDS", 10))
CONNECTIONS = [int(c) for c in os.environ.get("BENCH_KEY_CONNECTIONS", "20,100").split(",")]


class Browser:
    """A candidate's cookies over urllib: log in, enter the room, read the key's address."""

    def __init__(self, base: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

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


def wrk(url: str, connections: int, server: int) -> tuple[float, float, str]:
    """Requests a second, the server's CPU ms per request and wrk's latency p99."""
    before = tree_cpu_seconds(server)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{SECONDS:g}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    used = tree_cpu_seconds(server) - before
    total = int(re.search(r"(\d+) requests in", out).group(1))
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw answers other than 200:\n{out}")
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    return total / SECONDS, used * 1000 / max(total, 1), p99


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-paper-keys-") as tmp:
        run(tmp)


def run(tmp: str) -> None:
    env = {**os.environ, "INSTANCE_PATH": tmp, "SECRET_KEY": "bench-paper-keys",
           "DATABASE_URL": f"sqlite:///{tmp}/app.db", "FLASK_APP": "app"}  # fmt: skip
    prepare(env, 2, EXAM)
    opens = time.time() + 15
    sitting_id = create_test_sitting(opens, opens + 3600, 2)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "app:create_app()"],
        cwd=ROOT, env={**env, "PORT": str(port)}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_serving(port)
        browser = Browser(f"http://127.0.0.1:{port}")
        token = TOKEN.search(browser.get("/login")[1]).group(1)
        browser.post("/login", {"username": "load0", "password": "load-password-1",
                                "csrf_token": token})  # fmt: skip
        token = TOKEN.search(browser.get(f"/sessions/{sitting_id}")[1]).group(1)
        page = browser.post(f"/sessions/{sitting_id}", {"csrf_token": token})
        key_path = html.unescape(re.search(r'data-key-url="([^"]+)"', page).group(1))
        while browser.get(key_path)[0] != 200:  # the attempt's start
            time.sleep(0.5)
        print(
            f"the deployed web (gunicorn.conf.py defaults, SQLite), wrk 1 thread, {SECONDS:g} s each:"
        )
        for connections in CONNECTIONS:
            base_rate, base_cpu, base_p99 = wrk(browser.base + "/login", connections, server.pid)
            rate, cpu, p99 = wrk(browser.base + key_path, connections, server.pid)
            print(
                f"{connections:>4} connections: keys {rate:,.0f}/s, {cpu:.2f} ms of the web's CPU each,"
                f" p99 {p99}; the login page {base_rate:,.0f}/s, {base_cpu:.2f} ms each, p99 {base_p99}"
                f" (a key costs {cpu / base_cpu:.2f} of it)"
            )
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
