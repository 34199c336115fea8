"""The web process as deployed serves every connection of a session, not the first 1,000.

A web server process stops accepting once it holds its limit of open connections,
kept-alive ones included (gunicorn's ``worker_connections``, granian's ``backpressure``);
the rest wait unanswered in the listen backlog. At gunicorn's default of 1,000 per
process, the 3,000-candidate run on two processes let exactly 2,000 in; at granian's
default (the backlog shared among the processes) fewer still. This starts one web process
from ``web_server.py`` as the Procfile does, holds 1,100 kept-alive connections that have
each made a request, and asks once more.
"""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HELD = 1_100
REQUEST = b"GET /static/favicon.svg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

pytestmark = pytest.mark.serve


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answered(buffer: bytes) -> bool:
    """A whole response: headers and the body its Content-Length announces."""
    head, found, body = buffer.partition(b"\r\n\r\n")
    if not found:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def _ask_all(connections: list[socket.socket], deadline: float) -> tuple[int, int]:
    """Send one request on each connection; returns (answered, closed by the server)."""
    selector = selectors.DefaultSelector()
    buffers: dict[socket.socket, bytes] = {}
    for connection in connections:
        connection.sendall(REQUEST)
        buffers[connection] = b""
        selector.register(connection, selectors.EVENT_READ)
    answered = closed = 0
    while buffers and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.2):
            connection = key.fileobj
            try:
                chunk = connection.recv(65536)
            except ConnectionResetError:
                chunk = b""
            buffers[connection] += chunk
            if not chunk or _answered(buffers[connection]):
                answered += bool(chunk)
                closed += not chunk
                selector.unregister(connection)
                del buffers[connection]
    selector.close()
    return answered, closed


def _wait_until_listening(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        with socket.socket() as probe:
            probe.settimeout(1)
            try:
                probe.connect(("127.0.0.1", port))
                probe.sendall(REQUEST)
                if _answered(probe.recv(65536)):
                    return
            except OSError:
                time.sleep(0.1)
    raise AssertionError(log.read_text())


def test_one_web_process_serves_more_connections_than_a_servers_default(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        # Long enough that no held connection expires during the check, whatever the
        # machine's load: what is checked is the connection limit, not the timeout.
        "WEB_KEEPALIVE": "60",
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": "",
        "JOB_QUEUE_URL": "",
    }
    log = tmp_path / "web.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "web_server.py"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    held: list[socket.socket] = []
    try:
        _wait_until_listening(port, server, log)
        for _ in range(HELD):
            held.append(socket.create_connection(("127.0.0.1", port)))
        started = time.monotonic()
        answered, closed = _ask_all(held, started + 60)
        assert (answered, closed) == (HELD, 0), "every held connection is answered"
        first = time.monotonic() - started

        extra = socket.create_connection(("127.0.0.1", port))
        held.append(extra)
        asked = time.monotonic()
        assert _ask_all([extra], asked + 30) == (1, 0)
        took = time.monotonic() - asked
        # Still open: the last answer did not wait for a held connection to be closed.
        assert _ask_all(held[:HELD], time.monotonic() + 60) == (HELD, 0), (
            f"held connections closed by the server; the first {HELD} requests took "
            f"{first:.1f} s, one more {took:.1f} s"
        )
        assert took < 5, f"one more request took {took:.1f} s"
    finally:
        for connection in held:
            connection.close()
        server.terminate()
        server.wait(timeout=30)
