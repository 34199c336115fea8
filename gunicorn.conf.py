"""gunicorn settings, read from the working directory by `gunicorn 'app:create_app()'`.

A worker that runs past ``timeout`` is killed and its client gets gunicorn's own page,
in English. No request should come near it: uploads are capped in size and work, and
slow work (scoring, certificates) does not run in requests. The timeout is a backstop
well above the slowest request (about 10 s for the largest permitted upload).
"""

import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", 4))
timeout = 120
graceful_timeout = 30
keepalive = 5
# Request line and header limits: a bigger request is refused before Flask sees it.
limit_request_line = 8190
limit_request_fields = 100
