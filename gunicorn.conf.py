"""gunicorn settings for the Procfile's web process; each can be set from the environment."""

import os

bind = f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
# Threads overlap a request waiting on the database with another's Python work.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2))
threads = int(os.environ.get("WEB_THREADS", 4))
# A whole session logs in and starts within a minute: let connections queue, not fail.
backlog = int(os.environ.get("WEB_BACKLOG", 4096))
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
# One host may run several deployments (and the load test its own): no shared socket.
control_socket_disable = True
