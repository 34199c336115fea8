"""gunicorn settings for the Procfile's web process; each can be set from the environment.

A worker that runs past ``timeout`` is killed and its client gets gunicorn's own page,
in English. No request should come near it: uploads are capped in size and work, and
slow work (scoring, certificates) runs in the job workers. The timeout is a backstop
well above the slowest request (about 10 s for the largest permitted upload).
"""

import os

bind = f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
# Threads overlap a request waiting on the database with another's Python work.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2))
threads = int(os.environ.get("WEB_THREADS", 4))
# A whole session logs in and starts within a minute: let connections queue, not fail.
backlog = int(os.environ.get("WEB_BACKLOG", 4096))
timeout = 120
graceful_timeout = 30
keepalive = 5
# Request line and header limits: a bigger request is refused before Flask sees it.
limit_request_line = 8190
limit_request_fields = 100
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
# One host may run several deployments (and the load test its own): no shared socket.
control_socket_disable = True
