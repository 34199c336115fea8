"""Sealed papers: the start rush moved out of the open.

A candidate who enters the room before the open gets their attempt and its test page
then, with the paper's questions encrypted (AES-GCM) under a key of that attempt alone.
At the attempt's start the page asks ``/paper-keys/<token>`` for the key: one read by
primary key and no page to render, where a start at the open inserts the paper and
renders it. Nobody can read a question before their start: the key is not given out
until then, and it opens no other paper.

Each attempt entering early starts at the open plus its own offset, spread over the
first seconds when thousands wait (``PAPER_KEYS_PER_SECOND`` in the app's configuration,
over at most ``MAX_SPREAD``),
so the keys are asked for at a pace the server keeps up with. Every attempt has its full
time from its own start, but the sitting's close caps every deadline: a sitting closing
sooner than the open plus the time limit cuts its last starters' time by up to the
spread (25 s at 10,000 candidates).

Why 400 a second (bench/RESULTS.md, 2026-12-01). Each key comes on a NEW connection:
the page waited in the room far longer than the web server's 30 s keep-alive. On a new
connection with a browser's headers a key costs the web ~1 ms of CPU (0.9-1.3 ms paced
at 400-1,000 a second; 1.1-1.7 ms before it stopped reading the session cookie and the
ORM session), about twice a key on a kept-alive connection, which is what the 1,000 a
second were chosen from. At the open the keys share the two cores with the first saves,
the late starts and, in the load test, its client: in the last 10,000 run (1,000 a
second over 10 s) the 9,532 keys were all answered 16 s after the open, so the open
served ~590 a second and the rest queued (p50 3.6 s, p99 6.1 s). 400 a second is two
thirds of that, and the keys now cost the web a quarter less.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import random
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Row, bindparam, select

from app.database import request_connection
from app.exam.prepared import registered_count
from app.models import Attempt, Sitting
from app.timefmt import script_time

# Up to 12,000 waiting candidates at 400 keys a second; beyond, faster (add web hosts, and
# raise ``PAPER_KEYS_PER_SECOND`` with them).
MAX_SPREAD = timedelta(seconds=30)
_SALT = "sealed-paper"


def paper_key(attempt_id: int, seed: int) -> bytes:
    """The attempt's own key, derived from its id and its paper's secret seed (so an id a
    database hands out again after a delete makes another key): nothing is stored."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"sealed-paper:%d:%d" % (attempt_id, seed), hashlib.sha256).digest()


def seal(html: str, attempt_id: int, seed: int) -> str:
    """The paper's HTML encrypted for its page: base64 of a fresh nonce and the ciphertext
    (the page decrypts it with WebCrypto)."""
    nonce = os.urandom(12)
    sealed = AESGCM(paper_key(attempt_id, seed)).encrypt(nonce, html.encode(), None)
    return base64.b64encode(nonce + sealed).decode()


def _tokens() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def key_token(attempt_id: int) -> str:
    """What the sealed page asks for its key with: the attempt, signed by the server."""
    return _tokens().dumps(attempt_id)


def attempt_of(token: str) -> int | None:
    try:
        attempt_id = _tokens().loads(token)
    except BadSignature:
        return None
    return attempt_id if isinstance(attempt_id, int) else None


_TIMES = select(Attempt.started_at, Attempt.deadline, Attempt.seed).where(
    Attempt.id == bindparam("b_id")
)


def key_answer(token: str, now: datetime) -> tuple[int, dict]:
    """The key once the attempt has started; before, how many seconds are left."""
    attempt_id = attempt_of(token)
    times = None if attempt_id is None else _times_of(attempt_id)
    if times is None:
        return 404, {"error": "找不到该试卷。"}
    if now < times.started_at:
        return 425, {"wait_seconds": (times.started_at - now).total_seconds()}
    key = base64.b64encode(paper_key(attempt_id, times.seed)).decode()
    deadline = script_time(times.deadline)
    return 200, {"key": key, "deadline": deadline, "now": script_time(now)}


def _times_of(attempt_id: int) -> Row | None:
    """Read on the request's own connection in autocommit (the view is marked
    ``without_transaction``), not through the ORM session, whose execute and rollback were
    over a third of a key's Python time (py-spy, bench/RESULTS.md); nor in a transaction
    of its own, whose BEGIN and ROLLBACK were two round trips more on PostgreSQL."""
    return request_connection().execute(_TIMES, {"b_id": attempt_id}).first()


def start_offset(sitting: Sitting) -> timedelta:
    """Where in the open's spread an attempt entering early starts."""
    rate = current_app.config["PAPER_KEYS_PER_SECOND"]
    spread = min(MAX_SPREAD.total_seconds(), registered_count(sitting.id) / rate)
    return timedelta(seconds=random.uniform(0, spread))
