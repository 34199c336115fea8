"""The Procfile's web process: granian serving the app, each setting from the environment.

Why granian, not gunicorn (bench/RESULTS.md, "The HTTP server's own CPU" and "granian as
the web server"): at a session's pace every save or poll arrives on its own connection to a
process that was idle a moment before, and gunicorn's gthread worker spent 1.3–2.0 ms of
Python per request on it (accepting, parsing, handing the request to a thread, writing the
answer) on top of the app's ~2.2 ms; granian does that work in Rust, outside the GIL
(1.2 ms a save in all at 10,000 candidates: 3.35 ms a save against gunicorn's 4.18).

What the settings guarantee, checked against granian 2.8.9 (``tests/test_web_server.py``,
``tests/app/test_web_connections.py``):

- Every connection of a session is accepted: ``backpressure`` counts open connections per
  process, kept-alive idle ones included, and past it the rest wait unanswered in the
  listen backlog (as gunicorn's ``worker_connections`` did). So it is as high as the
  open-file limit allows, up to 10,000 a process.
- A connection must send a request's head within ``WEB_KEEPALIVE`` seconds (default 30,
  at most 60: granian's own bound) of being opened or of its last answer, else it is
  closed: granian's header read timeout is one timer for both. At 5 s (gunicorn's idle
  keep-alive, which left a new connection's first request untimed) the 10,000 run failed
  10,546 requests on new connections whose client sent its request late (the load
  client's loops, on the same busy machine, ran up to 6 s late; a phone on a poor network
  can too); at 30 s none failed.
- A request's head (line and headers) must fit ``HEAD_BYTES``; a bigger one is refused with
  431 before the app sees it. Bodies are streamed to the app, whose own limits apply.
- SIGTERM closes the listener at once and answers every request already accepted before
  the process ends (``workers_kill_timeout`` is the backstop for one that never ends).
- A worker process that dies is started again. Each process listens on its own socket
  (``SO_REUSEPORT``): with one process the port refuses connections until it is back, so
  a deployment runs two or more.

granian has no watchdog on a worker's Python threads: a request stuck in C code holds its
thread until it returns. No request should: uploads are capped in size and work, and slow
work (scoring, certificates) runs in the job workers.
"""

from __future__ import annotations

import os
import resource
import sys
from importlib import import_module

from flask import Flask
from granian import Granian
from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings

from app.heap import freeze_loaded_heap
from config import database_url, switch_interval_ms, web_threads, whole_number

HEAD_BYTES = 16_384  # gunicorn allowed 8,190 a line and 100 fields; a browser sends ~1 KB
KILL_AFTER_SECONDS = 30  # a stopping process still answering after this is killed


def application() -> Flask:
    """The factory each worker process calls: the app named by ``WEB_APP``, then its loaded
    heap frozen (``app.heap``) before the first request; the GIL's switch interval set
    first (``config.switch_interval_ms``)."""
    module, _, factory = os.environ.get("WEB_APP", "app:create_app").partition(":")
    sys.setswitchinterval(switch_interval_ms(database_url()) / 1000)
    app = getattr(import_module(module), factory)()
    freeze_loaded_heap()
    return app


def connections_per_process() -> int:
    """Up to 10,000 (a whole session's synchronized start may reach one process), below
    the open-file limit with room for the database, logs and templates: an accept past
    that limit fails."""
    open_files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    fits = 10_000 if open_files == resource.RLIM_INFINITY else max(open_files - 256, 64)
    return whole_number("WEB_WORKER_CONNECTIONS", min(10_000, fits))


def server() -> Granian:
    """granian configured from the environment (README, Production)."""
    env = os.environ.get
    switch_interval_ms(database_url())  # a wrong one refused here, by name, not in each worker
    return Granian(
        "web_server:application",
        factory=True,
        interface=Interfaces.WSGI,
        address=env("BIND_HOST", "127.0.0.1"),
        port=whole_number("PORT", 5000),
        # One process per core: granian's own work runs outside the GIL, so a second
        # process per core only adds switching (2 × 4 spent less than 4 × 4 a request).
        workers=whole_number("WEB_CONCURRENCY", os.cpu_count() or 1),
        blocking_threads=web_threads(database_url()),
        # A whole session logs in and starts within a minute: let connections queue, not fail.
        backlog=whole_number("WEB_BACKLOG", 4096),
        backpressure=connections_per_process(),
        http=HTTPModes.http1,
        websockets=False,
        http1_settings=HTTP1Settings(
            header_read_timeout=whole_number("WEB_KEEPALIVE", 30, high=60) * 1000,
            max_buffer_size=HEAD_BYTES,
        ),
        log_access=bool(env("WEB_ACCESS_LOG")),
        respawn_failed_workers=True,
        workers_kill_timeout=KILL_AFTER_SECONDS,
    )


if __name__ == "__main__":
    if len(sys.argv) > 1:  # another app to serve the same way (the benchmarks' baselines)
        os.environ["WEB_APP"] = sys.argv[1]
    server().serve()
