"""Every benchmark (``bench/bench_*.py``, found by the glob as ``make bench`` finds them) runs
at a tiny size as ``make bench`` runs it: a process of its own from the checkout's root,
the virtual environment's Python, ``FLASK_APP=app``. It fails on a non-zero exit or a
traceback in its output, so that a change that breaks a benchmark fails ``make test``.

The tiny sizes are the benchmarks' own environment variables, kept here in one table:
the benchmarks keep only their knobs (whose defaults are the full sizes ``make bench``
runs), and a reader sees every smoke setting at once. A new benchmark is run with its
defaults until it gets a line here; one that runs longer than ``LIMIT_SECONDS`` fails
and says so.

They run in the SQLite run of the suite, as ``make bench`` runs them; in the PostgreSQL
run (``scripts/with-postgres.sh``, required in CI) those that take their database from
the environment (``ON_POSTGRES``, marked ``postgres``) run again, each on a fresh
database of its own; the others run their own SQLite and are left out there
(tests/conftest.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import _postgres_database

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = sorted((ROOT / "bench").glob("bench_*.py"))
# Those that read TEST_DATABASE_URL (bench_answers: beside SQLite, in the same run).
ON_POSTGRES = (
    "bench_answers.py",
    "bench_close_writes.py",
    "bench_item_updates.py",
    "bench_live_view.py",
    "bench_pdf_storage.py",
    "bench_session.py",
)
POSTGRES = os.environ.get("TEST_DATABASE_URL")
LIMIT_SECONDS = 180
TRACEBACK = "Traceback (most recent call last)"

# Each a few seconds (bench_session, a whole session with its servers, about 40 s).
TINY: dict[str, dict[str, str]] = {
    "bench_answers.py": {"BENCH_CLIENTS": "4", "BENCH_SECONDS": "1", "BENCH_WORKERS": "1"},
    "bench_assembly.py": {"BENCH_ASSEMBLY_SIZES": "1000,3000", "BENCH_ASSEMBLY_PAPERS": "20"},
    "bench_bank.py": {"BENCH_QUESTIONS": "200"},
    "bench_certificate_jobs.py": {"BENCH_N": "2"},
    "bench_client_loop.py": {"BENCH_LOOP_N": "20", "BENCH_LOOP_ROUNDS": "1"},
    "bench_certificates.py": {
        "BENCH_SECONDS": "0.3",
        "BENCH_CPU_COUNT": "5",
        "BENCH_ROUNDS": "1",
        "BENCH_CERTIFICATES": "2",
        "BENCH_BASELINE_ROOT": "",
    },
    "bench_cli.py": {"BENCH_CLI_REPEAT": "1"},
    "bench_job_polling.py": {
        "BENCH_POLL_BURSTS": "1",
        "BENCH_POLL_IDLE": "2",
        "BENCH_POLL_PAPERS": "4",
        "BENCH_BASELINE_ROOT": "",
    },
    "bench_job_throughput.py": {
        "BENCH_N": "2",
        "BENCH_ROUNDS": "1",
        "BENCH_BASELINE_ROOT": "",
        "BENCH_WALL_N": "4",
        "BENCH_WALL_WORKERS": "1",
    },
    "bench_job_priority.py": {
        "BENCH_PRIORITY_RATE": "20",
        "BENCH_PRIORITY_SECONDS": "1",
        "BENCH_PRIORITY_ROUNDS": "1",
        "JOB_WORKERS": "1",
        "WEB_CONCURRENCY": "1",
    },
    "bench_close_writes.py": {
        "BENCH_CLOSE_PAPERS": "10",
        "BENCH_CLOSE_SAVERS": "4",
        "BENCH_CLOSE_SAVES": "10",
        "BENCH_CLOSE_SUBMITS": "0.5",
        "BENCH_CLOSE_PAGES": "5",
        "BENCH_CLOSE_BASELINE": "1",
        "BENCH_CLOSE_LIMIT": "10",  # and submitters for it started: the crowd takes ~5 s
        "BENCH_CLOSE_NICES": "10",
        "WEB_CONCURRENCY": "1",
    },
    "bench_item_updates.py": {"BENCH_ITEM_PAPERS": "5"},
    "bench_live_view.py": {"BENCH_LIVE_N": "60"},
    "bench_login.py": {"BENCH_LOGINS": "3"},
    "bench_pdf_storage.py": {"BENCH_PDFS": "20"},
    "bench_paper_keys.py": {
        "BENCH_KEY_SECONDS": "1",
        "BENCH_KEY_CONNECTIONS": "4",
        "BENCH_KEY_RATES": "50",
        "BENCH_KEY_RATE_SECONDS": "1",
        "WEB_CONCURRENCY": "1",
        "WEB_KEEPALIVE": "1",  # the paced keys' connections are held until the server closes them
    },
    "bench_polls.py": {"BENCH_POLLS_N": "50", "BENCH_POLLS_BACKLOG": "50,30,100"},
    "bench_requests.py": {"BENCH_N": "2", "BENCH_PASSES": "2"},
    "bench_server.py": {
        "BENCH_SERVERS": "granian:1x2",
        "BENCH_SERVER_N": "100",
        "BENCH_SERVER_CONCURRENCY": "2",
        "BENCH_SERVER_WARM_UP": "10",
    },
    "bench_session.py": {
        "BENCH_SESSION_N": "4",
        "BENCH_CLIENTS": "2",  # the load client in two processes (make test runs it in one)
        "BENCH_REQUEST_CPU": "1",  # the web wrapped by request_cpu.py (make test's is not)
        "BENCH_LOGIN_SECONDS": "1",
        "BENCH_TEST_MINUTES": "0.1",
        "ANSWER_GRACE_SECONDS": "2",
        "WEB_CONCURRENCY": "1",
        "BENCH_JOB_WORKERS": "1",
        "BENCH_SESSION_STRICT": "1",
        "BENCH_SESSION_LIMIT": "120",
        "BENCH_READ_BACK_WAIT": "60",
    },
}
# Programs a benchmark needs besides Python: skipped where missing, unless CI requires
# them (.ci/run installs them and sets REQUIRE_WRK=1).
NEEDS = {
    "bench_answers.py": ("wrk", "REQUIRE_WRK"),
    "bench_paper_keys.py": ("wrk", "REQUIRE_WRK"),
}

pytestmark = pytest.mark.bench


def run(benchmark: Path, env: dict[str, str]) -> tuple[int | None, str, float]:
    """Its exit code (None: stopped at the limit), its output and its wall seconds. At the
    limit it is interrupted as Ctrl-C would (its ``finally`` blocks stop the servers it
    started), then killed."""
    began = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(benchmark)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        output, _ = process.communicate(timeout=LIMIT_SECONDS)
        return process.returncode, output, time.monotonic() - began
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
        return None, output, time.monotonic() - began


def excerpt(output: str, lines: int = 40) -> str:
    """The last traceback printed, or else the output's last lines."""
    found = output.rfind(TRACEBACK)
    return "\n".join((output[found:] if found >= 0 else output).splitlines()[-lines:])


@pytest.mark.parametrize(
    "benchmark",
    [
        pytest.param(path, marks=[pytest.mark.postgres] if path.name in ON_POSTGRES else [])
        for path in BENCHMARKS
    ],
    ids=lambda path: path.name,
)
def test_the_benchmark_runs_at_a_tiny_size(benchmark: Path, tmp_path: Path):
    name = benchmark.name
    if name in NEEDS:
        program, required = NEEDS[name]
        if shutil.which(program) is None:
            if os.environ.get(required) == "1":
                pytest.fail(f"{name} needs {program} ({required}=1) but it is not installed")
            pytest.skip(f"{name} needs {program}, not installed (make bench installs it)")
    tiny = TINY.get(name, {})
    # Its temporary files (databases, server logs) under pytest's, which keeps the last few.
    env = {**os.environ, "FLASK_APP": "app", "TMPDIR": str(tmp_path), **tiny}
    if POSTGRES:
        url = _postgres_database(POSTGRES, f"bench_{benchmark.stem}")
        env |= {"TEST_DATABASE_URL": url, "BENCH_DATABASE_URL": url}
    code, output, seconds = run(benchmark, env)
    settings = " ".join(f"{key}={value}" for key, value in tiny.items()) or "its defaults"
    tail = excerpt(output)
    assert code is not None, (
        f"{name} did not finish in {LIMIT_SECONDS} s at {settings}: give it tiny settings in "
        f"TINY ({__name__}).\nIts output:\n{tail}"
    )
    traceback = TRACEBACK in output
    assert code == 0 and not traceback, (
        f"{name} is broken: it exited {code} at {settings} after {seconds:.0f} s"
        f"{' and printed a traceback' if traceback else ''}; its files are in "
        f"{tmp_path}.\n"
        f"Its output:\n{tail}"
    )


def test_every_tiny_setting_names_a_benchmark():
    """A benchmark renamed or removed leaves no stale line behind."""
    assert set(TINY) | set(NEEDS) | set(ON_POSTGRES) <= {path.name for path in BENCHMARKS}
