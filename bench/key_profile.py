"""Where the web's Python time goes for a paper key on a new connection: py-spy samples
the deployed web processes (``--gil``: only the thread holding the GIL, so time
spent waiting for it is not counted) while ``key_arrivals`` asks at a fixed pace, and
each sample is put in the first part of the request its stack reaches, innermost first.
Time in the kernel (TCP accept, reads, writes, closes) is not in these samples."""

from __future__ import annotations

import subprocess
import tempfile
from collections import Counter
from pathlib import Path

PY_SPY = "/work/tools/bin/py-spy"
# (part, what its frames contain), innermost parts first.
PARTS = (
    ("session cookie", ("open_session", "save_session", "should_set_cookie")),
    ("DB read (and the ORM session's teardown)", ("sqlalchemy/",)),
    ("token and HMAC", ("attempt_of (", "hmac.py", "itsdangerous/")),
    ("JSON answer", ("jsonify",)),
    ("after_request hooks", ("process_response",)),
    ("before_request hooks", ("preprocess_request",)),
    ("Flask and Werkzeug request setup, routing, teardown", ("flask/", "werkzeug/")),
    # granian parses, accepts and writes in Rust (no Python frames); what it runs in Python
    # is the WSGI call and the response's iteration.
    ("granian: the WSGI call and the response", ("granian/",)),
)


def part_of(stack: str) -> str:
    frames = stack.split(";")
    for part, marks in PARTS:
        if any(mark in frame for frame in frames for mark in marks):
            return part
    return "other"


def profile(server: int, seconds: float, load) -> Counter:
    """Samples a second of each part while ``load()`` runs (shares of all samples)."""
    with tempfile.NamedTemporaryFile(suffix=".txt") as out:
        spy = subprocess.Popen(
            [PY_SPY, "record", "--pid", str(server), "--subprocesses", "--gil", "--nonblocking",
             "--format", "raw", "--rate", "200", "--duration", str(round(seconds)),
             "--output", out.name],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        load()
        spy.wait()
        parts: Counter = Counter()
        for line in Path(out.name).read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if count.isdigit():  # py-spy's lines of stacks, each with its count
                parts[part_of(stack)] += int(count)
    return parts


def shares(parts: Counter) -> str:
    total = sum(parts.values()) or 1
    return "\n".join(f"  {count / total:6.1%}  {part}" for part, count in parts.most_common())
