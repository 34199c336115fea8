"""A paper's items written on PostgreSQL: one statement per item sent as an executemany
(the baseline: what a start, scoring and a submit sent before, and what they still send
on SQLite) against one UPDATE … FROM or INSERT … SELECT … FROM json_to_recordset(…) for
all of them (app/exam/item_updates.py), in the same run.

At the open each late start inserts its paper's items; at a close each of thousands of
papers has its verdicts written (every item), and each 早交卷 its page's answers. The
app's own statements (``app.exam.starting.NEW_ITEMS``, ``app.exam.scoring._ITEM_VERDICT``,
``app.exam.answers._NEWER_ANSWER``) are run in both forms against a scratch copy of the
attempt_item table (its columns and primary key, no foreign keys), papers of 20 items
(the load test's) and of 80 (the shipped exam's), the forms in turns (ABAB: the host's
speed drifts), one transaction per paper as the job and the submit run them. Printed
per paper: the client's CPU (this process: SQLAlchemy and psycopg), the server's (its
process for the connection, from /proc) and the wall time.

    scripts/with-postgres.sh .venv/bin/python bench/bench_item_updates.py   (BENCH_ITEM_PAPERS=N)

Without PostgreSQL (TEST_DATABASE_URL unset) it says so and measures nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from server_load import tree_cpu_seconds

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAPERS = int(os.environ.get("BENCH_ITEM_PAPERS", 1500))
SIZES = (20, 80)
ROUNDS = 2


def scratch_items(engine, papers: int, size: int) -> None:
    """attempt_item's columns and key, without the tables its foreign keys name."""
    from sqlalchemy import Column, MetaData, Table

    from app.models import AttemptItem

    columns = [Column(c.name, c.type, primary_key=c.primary_key) for c in AttemptItem.__table__.c]
    table = Table("attempt_item", MetaData(), *columns)
    table.drop(engine, checkfirst=True)
    table.create(engine)
    with engine.begin() as connection:
        connection.execute(
            table.insert(),
            [
                {"attempt_id": a, "position": p, "section": 0, "question_revision_id": 1,
                 "option_order": [], "points": 1, "flagged": False}
                for a in range(papers) for p in range(size)
            ],
        )  # fmt: skip
        connection.exec_driver_sql("ANALYZE attempt_item")


NEW = 10**7  # new papers' attempt ids start here, past the scratch table's


def rows_of(statement: str, size: int, paper: int) -> list[tuple]:
    if statement == "new items":
        return [(p, p % 2, Decimal(1), 1000 + p, ["B", "A", "C", "D"]) for p in range(size)]
    if statement == "verdicts":
        return [(p, Decimal(p % 2), "correct" if p % 2 else "wrong") for p in range(size)]
    changed = datetime(2026, 12, 4, tzinfo=UTC) + timedelta(seconds=paper)
    return [(p, "A" if p % 2 else ["A", "C"], changed) for p in range(size)]


def measure(engine, update, statement: str, form: str, size: int, first: int) -> tuple[float, ...]:
    """Client CPU, server CPU and wall ms per paper, for PAPERS papers from ``first``."""
    with engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        connection.commit()
        server, client, wall = tree_cpu_seconds(pid), time.process_time(), time.perf_counter()
        for paper in range(first, first + PAPERS):
            rows = rows_of(statement, size, paper)
            attempt_id = NEW + paper if statement == "new items" else paper
            if form == "one statement":
                update.run_from_json(connection, attempt_id, rows)
            else:
                update.run_per_row(connection, attempt_id, rows)
            connection.commit()
        wall = time.perf_counter() - wall
        client = time.process_time() - client
        server = tree_cpu_seconds(pid) - server
    return tuple(x / PAPERS * 1000 for x in (client, server, wall))


def main() -> None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        print("bench_item_updates: PostgreSQL only (TEST_DATABASE_URL unset); nothing measured")
        return
    from sqlalchemy import create_engine

    from app.exam.answers import _NEWER_ANSWER
    from app.exam.scoring import _ITEM_VERDICT
    from app.exam.starting import NEW_ITEMS

    engine = create_engine("postgresql+psycopg://" + url.split("://", 1)[1])
    forms = ("one statement per item (executemany)", "one statement")
    print(f"{PAPERS} papers a turn, {ROUNDS} rounds of each form (ABAB); ms per paper")
    statements = (("new items", NEW_ITEMS), ("verdicts", _ITEM_VERDICT), ("answers", _NEWER_ANSWER))
    for statement, update in statements:
        for size in SIZES:
            scratch_items(engine, PAPERS * ROUNDS * len(forms), size)
            found: dict[str, list[tuple[float, ...]]] = {form: [] for form in forms}
            turn = 0
            for _ in range(ROUNDS):
                for form in forms:
                    found[form].append(measure(engine, update, statement, form, size, turn))
                    turn += PAPERS
            medians = {}
            for form, runs in found.items():
                medians[form] = [statistics.median(run[i] for run in runs) for i in range(3)]
                client, server, wall = medians[form]
                print(f"  {statement:9} {size:2} items  {form:37} client {client:6.3f}"
                      f"  server {server:6.3f}  wall {wall:6.3f}")  # fmt: skip
            before, after = medians.values()
            ratios = "  ".join(
                f"{name} {a / b:.2f}" if b else f"{name} n/a"
                for name, a, b in zip(("client", "server", "wall"), after, before, strict=True)
            )
            print(f"  {statement:9} {size:2} items  one / per item: {ratios}")
    engine.dispose()


if __name__ == "__main__":
    main()
