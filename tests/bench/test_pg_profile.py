"""``PG_PROFILE``: a run under scripts/with-postgres.sh leaves what PostgreSQL itself spent,
and bench/pg_profile.py reports it by statement, for the whole run or a window of it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL"),
        reason="the PostgreSQL run of the suite has the server binaries",
    ),
]

# Five slow statements (logged with their plans), a snapshot, the window's start, then
# three quick ones. (A statement is counted when its portal closes: the commit closes
# the last one before the snapshot.)
WORKLOAD = """
import os, time, psycopg
with psycopg.connect(os.environ["TEST_DATABASE_URL"].replace("+psycopg", "")) as c:
    for i in range(5):
        c.execute("select pg_sleep(0.005), %s::int", (i,))
    c.commit()
    time.sleep(1.5)
    print(time.time(), flush=True)
    for i in range(3):
        c.execute("select %s::int + 40", (i,))
"""


def _report(profile: Path, *window: str) -> str:
    command = [sys.executable, str(ROOT / "bench/pg_profile.py"), str(profile), *window]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _line_of(report: str, statement: str) -> list[str]:
    return next(line.split() for line in report.splitlines() if statement in line)


def test_a_profiled_run_reports_each_statements_calls_and_the_slow_plans(tmp_path):
    profile = tmp_path / "profile"
    environment = {**os.environ, "PG_PROFILE": str(profile), "PG_PROFILE_EVERY": "0.5"}
    environment.pop("TEST_DATABASE_URL")
    run = subprocess.run(
        [str(ROOT / "scripts/with-postgres.sh"), sys.executable, "-c", WORKLOAD],
        env=environment, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    window_start = run.stdout.strip().splitlines()[-1]

    whole = _report(profile)
    assert _line_of(whole, "pg_sleep")[0] == "5"
    assert _line_of(whole, "+ $2")[0] == "3"
    slow_plans = int(whole.split(" plans of 3 ms")[0].rsplit(" ", 1)[1])
    assert slow_plans >= 5

    window = _report(profile, "--since", window_start)
    assert "pg_sleep" not in window
    assert _line_of(window, "+ $2")[0] == "3"
