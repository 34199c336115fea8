"""gunicorn settings for the Procfile's web process; each can be set from the environment.

``timeout`` watches each worker process, not each request: a gthread worker's main loop
tells the master it is alive every second while its threads serve requests, so a slow
request is not cut off (measured: one running 8 s under a 3 s timeout was answered,
bench/RESULTS.md "The HTTP server's own CPU"). A process whose main loop stops (a thread
holding the GIL in C code, a deadlock) is killed and started again after ``timeout``,
and the connections it held are dropped. No request should come near it: uploads are
capped in size and work, and slow work (scoring, certificates) runs in the job workers.
The timeout stays well above the slowest request (about 10 s for the largest upload).
"""

import os
import resource

bind = f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
# Threads overlap a request waiting on the database with another's Python work.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2))
threads = int(os.environ.get("WEB_THREADS", 4))
# A whole session logs in and starts within a minute: let connections queue, not fail.
backlog = int(os.environ.get("WEB_BACKLOG", 4096))
timeout = 120
graceful_timeout = 30
# A gthread process stops accepting at `worker_connections` open connections (requests
# queued for a thread and kept-alive ones alike); the rest wait in the listen backlog.
# At gunicorn's default of 1,000, two processes let exactly 2,000 of 3,000 candidates in.
# A synchronized start queues every candidate's request at once, so each process may hold
# 10,000 (a whole 10,000 session if the kernel hands it every connection). The limit
# allocates nothing; each open connection costs a descriptor and ~3 KB (measured). What
# it risks: a process that dies drops every request it had accepted, and an accept past
# the open-file limit (`ulimit -n`) fails and restarts the process, so the default stays
# below that limit with room for the database, logs and templates.
_open_files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
_fits = 10_000 if _open_files == resource.RLIM_INFINITY else max(_open_files - 256, 64)
worker_connections = int(os.environ.get("WEB_WORKER_CONNECTIONS", min(10_000, _fits)))
# A candidate's page saves or polls about every 10 s; a kept-alive connection holds a
# place under the limit, so it is closed after 5 s idle: a quiet candidate holds none,
# and reconnecting for the next save costs a fraction of a millisecond.
keepalive = int(os.environ.get("WEB_KEEPALIVE", 5))
# Request line and header limits: a bigger request is refused before Flask sees it.
limit_request_line = 8190
limit_request_fields = 100
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
# One host may run several deployments (and the load test its own): no shared socket.
control_socket_disable = True


def post_worker_init(_worker) -> None:
    """The worker has loaded the app: its objects leave the collector's full passes."""
    from app.heap import freeze_loaded_heap

    freeze_loaded_heap()
