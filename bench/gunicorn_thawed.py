"""gunicorn.conf.py without its ``post_worker_init`` (the loaded heap frozen): the
"thawed" server of bench_server.py, to measure what freezing the heap gives."""

import runpy
from pathlib import Path

globals().update(runpy.run_path(str(Path(__file__).resolve().parents[1] / "gunicorn.conf.py")))
globals().pop("post_worker_init")
