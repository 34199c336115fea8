"""Settings from the environment, with safe embedded defaults.

Nothing here needs to be set for a first run: the database is SQLite in ``instance/``
and a secret key is generated once and kept there.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))


def _secret_key(instance: Path) -> str:
    """Generated once, so sessions survive restarts and every worker shares the key."""
    given = os.environ.get("SECRET_KEY")
    if given:
        return given
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def database_url(instance: Path = INSTANCE) -> str:
    """``DATABASE_URL`` with PostgreSQL's schemes given the psycopg driver; SQLite in the
    instance folder when unset."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url or f"sqlite:///{instance / 'app.db'}"


def engine_options(url: str) -> dict[str, object]:
    """The pool hands out the connection given back last (LIFO): under a light load the
    same few stay in use, not pinged (app.database.ping_when_idle pings only those idle
    0.5 s) and with their prepared statements. On PostgreSQL it holds a connection for
    each of a web process's threads (``web_threads``): past its size
    SQLAlchemy opens a connection for each use and closes it after, a new server process
    each time (at 8 threads and the default 5, bench/bench_answers.py saw 35 connections
    opened in 10 s of saves). An in-memory SQLite database has no pool to set."""
    if url in ("sqlite://", "sqlite:///:memory:"):
        return {}
    if not url.startswith("postgresql"):
        return {"pool_use_lifo": True}
    return {"pool_use_lifo": True, "pool_size": max(5, web_threads(url))}


def web_threads(url: str) -> int:
    """Threads per web process (``WEB_THREADS``): 8 on PostgreSQL, 4 on SQLite. A thread
    overlaps a request waiting on the database with another's Python work. On PostgreSQL a
    request waits on a server round trip, and at a close on the job workers' writes: with
    4 threads, 10,000 candidates' requests queued before the app for seconds (save p99
    3.5 s, submit 9.1 s, the longest 10 s); with 8 on a slower hour 1.9, 4.5 and 4.8 s,
    while the open's keys waited longer (p99 0.14 → 1.5 s; bench/RESULTS.md, session 22).
    SQLite waits on a file and a single writer, and held every aim with 4."""
    return whole_number("WEB_THREADS", 8 if url.startswith("postgresql") else 4)


def switch_interval_ms(url: str) -> int:
    """How long a web process's thread may hold the GIL while another waits for it
    (``WEB_SWITCH_MS``): 1 ms on PostgreSQL, Python's own 5 ms on SQLite. Every request
    takes the GIL to enter the app and again after each database round trip, waiting
    up to the whole interval while the process's other threads run Python. At the open
    of a 10,000 session on PostgreSQL, with 5 ms the paper keys and the starts waited
    before the app 1.4 and 1.5 s at the 99th percentile; with 1 ms, in a like hour, 0.74
    and 0.76 s (bench/RESULTS.md, session 34: runs J and K, one each)."""
    return whole_number("WEB_SWITCH_MS", 1 if url.startswith("postgresql") else 5, high=100)


def whole_number(name: str, default: int, low: int = 1, high: int | None = None) -> int:
    """A count from the environment, refused at start by name if it is not a whole number
    of at least ``low`` (and at most ``high``): a bare ``int()`` failed in English deep in
    a traceback, and a zero where the app needs one (a pace it divides by, worker
    processes, a login limit) started an app that failed every request of that kind.
    Empty counts as unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} 须为整数（现为 {raw!r}）") from None
    if value < low:
        wanted = {0: "非负整数", 1: "正整数"}.get(low, f"不小于 {low} 的整数")
        raise ValueError(f"{name} 须为{wanted}（现为 {value}）")
    if high is not None and value > high:
        raise ValueError(f"{name} 不能大于 {high}（现为 {value}）")
    return value


def bank_max_bytes() -> int:
    """The largest bank file accepted; read alone by ``flask bank validate``."""
    return whole_number("BANK_MAX_BYTES", 20 * 1024 * 1024)


def _job_queue_url(instance: Path) -> str:
    """The queue lives beside the data: its own SQLite file, or the app's PostgreSQL."""
    url = os.environ.get("JOB_QUEUE_URL", "")
    if url:
        return url
    if database_url(instance).startswith("postgresql"):
        return os.environ["DATABASE_URL"]
    return f"sqlite:///{instance / 'jobs.db'}"


def load(instance: Path = INSTANCE) -> dict[str, object]:
    """The app's configuration; read when the app is created, not at import."""
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url(instance),
        "BANK_DIR": Path(os.environ.get("BANK_DIR", ROOT / "question_bank" / "banks")),
        "BANK_MAX_BYTES": bank_max_bytes(),
        "MAX_CONTENT_LENGTH": whole_number("MAX_UPLOAD_BYTES", 25 * 1024 * 1024),
        "TIMEZONE": os.environ.get("TIMEZONE", "Asia/Shanghai"),
        "TRUSTED_PROXIES": whole_number("TRUSTED_PROXIES", 0, 0),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "CERT_RULES_FILE": Path(
            os.environ.get("CERT_RULES_FILE", ROOT / "certificates" / "rules.yaml")
        ),
        "CERT_SEAL_IMAGE": os.environ.get("CERT_SEAL_IMAGE") or None,
        "CERT_KEY_DIR": Path(os.environ.get("CERT_KEY_DIR", instance / "signing")),
        "CERT_FONT_CACHE": os.environ.get("CERT_FONT_CACHE") or None,
        "VERIFY_LOOKUPS_PER_MINUTE": whole_number("VERIFY_LOOKUPS_PER_MINUTE", 30),
        "JOB_QUEUE_URL": _job_queue_url(instance),
        "JOBS_IMMEDIATE": os.environ.get("JOBS_IMMEDIATE", "0") == "1",
        "JOB_WORKERS": whole_number("JOB_WORKERS", 2),
        # A nice value: Linux's lowest priority is 19 (a group's nice past it is refused).
        "JOB_NICE": whole_number("JOB_NICE", 10, 0, 19),
        "ANSWER_GRACE_SECONDS": whole_number("ANSWER_GRACE_SECONDS", 30, 0),
        # The pace of the paper keys at a sitting's open (app.exam.sealed): what the web
        # hosts answer with room to spare; 400 for two cores' worth of web.
        "PAPER_KEYS_PER_SECOND": whole_number("PAPER_KEYS_PER_SECOND", 400),
        "RESULTS_PER_SECOND": whole_number("RESULTS_PER_SECOND", 300),
        "LOGIN_MAX_FAILURES": whole_number("LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCK_SECONDS": whole_number("LOGIN_LOCK_SECONDS", 300),
        "LOGIN_ADDRESS_MAX_FAILURES": whole_number("LOGIN_ADDRESS_MAX_FAILURES", 50),
        "SESSION_IDLE_MINUTES": whole_number("SESSION_IDLE_MINUTES", 240),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "WTF_CSRF_TIME_LIMIT": None,
    }
