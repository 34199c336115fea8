"""What PostgreSQL itself spent during a run under ``PG_PROFILE=<dir> scripts/with-postgres.sh``:
the statements by execution time and by calls, over the whole run or between two moments
(``--since``/``--until``, Unix times as the load test's lines print them), from the
snapshots of pg_stat_statements in ``<dir>/statements.tsv``; and how many plans
auto_explain logged (statements of 3 ms or more) in ``<dir>/server.log``.

Execution time is only part of the server's CPU: each statement also costs its protocol,
parse, bind and commit, which is why the calls are listed too (bench/RESULTS.md, session 23).

    .venv/bin/python bench/pg_profile.py DIR [--since T] [--until T] [--top N]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

csv.field_size_limit(sys.maxsize)

Totals = dict[str, tuple[int, float, str]]  # queryid: (calls, execution ms, the statement)


def snapshots(path: Path) -> dict[float, Totals]:
    """Each snapshot's cumulative figures, by when it was taken."""
    taken: dict[float, Totals] = defaultdict(dict)
    with path.open(newline="") as rows:
        for at, queryid, calls, exec_ms, _rows, query in csv.reader(rows, delimiter="\t"):
            taken[float(at)][queryid] = (int(calls), float(exec_ms), query)
    return dict(taken)


def spent(taken: dict[float, Totals], since: float, until: float) -> list[tuple[int, float, str]]:
    """Calls and execution ms of each statement from the last snapshot at or before
    ``since`` (none: from the server's start) to the last at or before ``until``."""
    times = sorted(t for t in taken if t <= until)
    if not times:
        return []
    end = taken[times[-1]]
    before = [t for t in times if t <= since]
    start = taken[before[-1]] if before else {}
    rows = []
    for queryid, (calls, exec_ms, query) in end.items():
        calls_before, ms_before, _ = start.get(queryid, (0, 0.0, ""))
        if calls > calls_before:
            rows.append((calls - calls_before, exec_ms - ms_before, query))
    return rows


def slow_plans(log: Path) -> int:
    if not log.exists():
        return 0
    with log.open(errors="replace") as lines:
        return sum(1 for line in lines if "plan:" in line and "duration:" in line)


def report(directory: Path, since: float, until: float, top: int) -> str:
    rows = spent(snapshots(directory / "statements.tsv"), since, until)
    calls = sum(r[0] for r in rows)
    exec_ms = sum(r[1] for r in rows)
    lines = [
        f"{calls} statements, {exec_ms / 1000:.2f} s executing; "
        f"{slow_plans(directory / 'server.log')} plans of 3 ms or more in server.log"
    ]
    for title, key in (("by execution time", 1), ("by calls", 0)):
        lines.append(f"{title}:  calls  exec ms  µs/call  statement")
        for count, ms, query in sorted(rows, key=lambda r: -r[key])[:top]:
            lines.append(f"  {count:>9} {ms:>8.0f} {ms * 1000 / count:>8.1f}  {query[:110]}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--since", type=float, default=0.0)
    parser.add_argument("--until", type=float, default=float("inf"))
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    print(report(args.directory, args.since, args.until, args.top))


if __name__ == "__main__":
    main()
