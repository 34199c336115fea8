"""The web process's promises (web_server.py), held against granian itself: a stopping
server answers what it accepted, a request's head is bounded but its body is the app's to
judge, and the settings come from the environment as the README says."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, request

import web_server
from config import database_url, switch_interval_ms
from tests.app.test_web_connections import free_port

ROOT = Path(__file__).resolve().parents[1]
SLOW_SECONDS = 2.0

pytestmark = pytest.mark.serve


def slow_app() -> Flask:
    """A plain app the server runs in place of the real one: a slow answer and a body's
    length, neither of which the real app offers."""
    app = Flask(__name__)

    @app.get("/slow")
    def slow() -> str:
        time.sleep(SLOW_SECONDS)
        return "done"

    @app.post("/length")
    def length() -> str:
        return str(len(request.get_data()))

    @app.get("/switch-interval")
    def switch_interval() -> str:
        return repr(sys.getswitchinterval())

    return app


def _ask(port: int, raw: bytes, timeout: float = 30) -> bytes:
    """One request on its own connection; the whole answer (the server closes after it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(raw)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


def _get(path: str, headers: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n".encode()


def _post(path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[int, subprocess.Popen]]:
    """``web_server.py`` serving ``slow_app`` with two processes, as the Procfile starts it."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "2", "WEB_THREADS": "2"}
    env["WEB_SWITCH_MS"] = "2"
    log = tmp_path / "web.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "web_server.py", f"{__name__}:slow_app"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        assert server.poll() is None and time.monotonic() < deadline, log.read_text()
        try:
            if _ask(port, _get("/length"), timeout=2).startswith(b"HTTP/1.1 405"):
                break
        except OSError:
            time.sleep(0.1)
    yield port, server
    server.terminate()
    # A stopping granian sometimes waits on something for 30 s, until its own backstop
    # (workers_kill_timeout) kills its workers (granian#875): it held a test worker 30 s
    # in CI. A graceful stop is tested on its own (``test_a_stopping_server_…``); here the
    # process group (its workers with it) is killed once it has had a few seconds.
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=30)


def test_the_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("WEB_THREADS", "6")
    monkeypatch.setenv("WEB_KEEPALIVE", "7")
    monkeypatch.setenv("WEB_WORKER_CONNECTIONS", "1234")
    server = web_server.server()
    assert (server.bind_addr, server.bind_port) == ("127.0.0.1", 8123)  # loopback unless told
    assert (server.workers, server.blocking_threads, server.backpressure) == (3, 6, 1234)
    assert server.http1_settings.header_read_timeout == 7000
    assert server.respawn_failed_workers and server.workers_kill_timeout > SLOW_SECONDS


@pytest.mark.parametrize(
    ("database", "threads"),
    [("postgres://u:p@db/exam", 8), ("postgresql+psycopg://u:p@db/exam", 8), ("", 4)],
)
def test_a_web_process_has_more_threads_on_postgresql(monkeypatch, database, threads):
    """A request on PostgreSQL waits on a server round trip (and at a close on the job
    workers' writes): with 4 threads, 10,000 candidates' requests queued before the app
    for seconds while the threads waited (bench/RESULTS.md, session 22)."""
    monkeypatch.delenv("WEB_THREADS", raising=False)
    monkeypatch.setenv("DATABASE_URL", database)
    assert web_server.server().blocking_threads == threads


@pytest.mark.parametrize(
    ("database", "interval"),
    [("postgres://u:p@db/exam", 1), ("postgresql+psycopg://u:p@db/exam", 1), ("", 5)],
)
def test_a_web_thread_waits_less_for_the_gil_on_postgresql(monkeypatch, database, interval):
    """At the open of a 10,000 session on PostgreSQL the keys and starts waited half as
    long before the app with 1 ms as with Python's 5 (bench/RESULTS.md, session 34);
    SQLite, unmeasured, keeps Python's own interval."""
    monkeypatch.delenv("WEB_SWITCH_MS", raising=False)
    monkeypatch.setenv("DATABASE_URL", database)
    assert switch_interval_ms(database_url()) == interval


def test_each_web_process_runs_with_the_switch_interval_set(served):
    port, _server = served
    for _ in range(4):  # either process may answer
        answer = _ask(port, _get("/switch-interval"))
        assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"\r\n\r\n0.002"), answer


@pytest.mark.parametrize(
    "name", ["WEB_CONCURRENCY", "WEB_THREADS", "PORT", "WEB_BACKLOG", "WEB_SWITCH_MS"]
)
def test_a_web_setting_of_zero_is_refused_by_name(monkeypatch, name):
    """Zero processes or threads would start a web that answers nothing."""
    monkeypatch.setenv(name, "0")
    with pytest.raises(ValueError, match=f"{name} 须为正整数"):
        web_server.server()


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "须为正整数"), ("2.5", "须为整数"), ("61", "不能大于 60"), ("1e9", "须为整数")],
)
def test_a_keepalive_granian_cannot_keep_is_refused_by_name(monkeypatch, value, message):
    """granian reads a request's head for at most 60 s; zero would close every connection
    before its first request, and a fraction or a huge number was a bare ``float()``."""
    monkeypatch.setenv("WEB_KEEPALIVE", value)
    with pytest.raises(ValueError, match=f"WEB_KEEPALIVE {message}"):
        web_server.server()


def test_a_process_accepts_a_whole_session_within_its_open_files(monkeypatch):
    """A whole 10,000 session where the open-file limit allows it, and room below that
    limit for the database, logs and templates (an accept past it fails)."""
    monkeypatch.delenv("WEB_WORKER_CONNECTIONS", raising=False)
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    accepted = web_server.connections_per_process()
    assert accepted <= limit - 256 and (accepted == 10_000 or limit < 10_256)


def test_a_stopping_server_answers_what_it_accepted_and_refuses_the_rest(served):
    port, server = served
    answers: list[bytes] = []
    asking = [
        threading.Thread(target=lambda: answers.append(_ask(port, _get("/slow"))))
        for _ in range(6)  # more than the four threads: some wait their turn when it stops
    ]
    for thread in asking:
        thread.start()
    time.sleep(SLOW_SECONDS / 2)
    server.terminate()
    for thread in asking:
        thread.join(timeout=30)
    assert [a.split(b"\r\n", 1)[0] for a in answers] == [b"HTTP/1.1 200 OK"] * 6
    assert all(a.endswith(b"done") for a in answers)
    with pytest.raises(OSError):  # the listener closed at once: nothing new is accepted
        _ask(port, _get("/slow"), timeout=5)
    assert server.wait(timeout=30) == 0


def test_a_connection_whose_first_request_comes_late_is_answered(served):
    """A client that connects, then sends its request seconds later (a busy machine's
    event loop, a phone on a poor network): at gunicorn's 5 s keep-alive, used as granian's
    header read timeout, the 10,000 run lost thousands of requests this way."""
    port, _server = served
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        time.sleep(6)
        connection.sendall(_post("/length", b"late"))
        answer = connection.recv(65536)
    assert answer.startswith(b"HTTP/1.1 200"), answer


def test_a_head_past_its_bound_is_refused_and_a_big_body_reaches_the_app(served):
    port, _server = served
    big_header = f"X-Padding: {'a' * web_server.HEAD_BYTES}\r\n"
    assert _ask(port, _get("/slow", big_header)).startswith(b"HTTP/1.1 431")
    body = b"x" * (5 * 1024 * 1024)  # a bank file's size: streamed, not bounded by the head
    answer = _ask(port, _post("/length", body))
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(str(len(body)).encode())
