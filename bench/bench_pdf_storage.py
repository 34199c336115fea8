"""Storing a certificate's PDF on PostgreSQL: with the server's own compression (bytea's
default storage, the baseline) against without it (the certificate table's, migration
a7c3e9f1b5d8), in the same run.

A signed PDF is compressed already (its streams, its font subsets): the server's
compression finds next to nothing and gives up only after most of the file, each time.
At a close of 10,000 passes that is 10,000 PDFs stored in a few minutes. N PDFs are
stored one UPDATE each, as the certificate job stores them, into a scratch table of each
kind, the kinds in turns (ABAB: the host's speed drifts); printed: the server's CPU per PDF
(from its process, read while its connection is open) and the wall time.

    scripts/with-postgres.sh .venv/bin/python bench/bench_pdf_storage.py   (BENCH_PDFS=N)

Without PostgreSQL (TEST_DATABASE_URL unset) it says so and measures nothing: SQLite
does not compress what it stores.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PDFS = int(os.environ.get("BENCH_PDFS", 2000))
ROUNDS = 2
KINDS = {
    "compressed (bytea's default)": "EXTENDED",
    "uncompressed (the certificate table)": "EXTERNAL",
}


def a_certificate_pdf() -> bytes:
    from datetime import date

    from certificates.fonts import default_font_chain, load_fonts
    from certificates.pdf import CertificateContent, render_certificate

    content = CertificateContent(
        "王喆", "任前党务知识测试合格证明", "RQ-2026-004711-7", date(2026, 12, 3),
        date(2029, 12, 2), "中共某某市直属机关工作委员会", "https://example.org/v/abc",
        "合格", "支部书记", "机关党务干部任前测试",
    )  # fmt: skip
    return render_certificate(content, load_fonts(default_font_chain()))


def server_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def store(connection, storage: str, pdf: bytes) -> tuple[float, float]:
    """Server CPU ms and wall ms per PDF stored into a fresh table of that storage."""
    connection.execute("DROP TABLE IF EXISTS bench_pdf")
    connection.execute("CREATE TABLE bench_pdf (id serial PRIMARY KEY, pdf bytea)")
    connection.execute(f"ALTER TABLE bench_pdf ALTER COLUMN pdf SET STORAGE {storage}")
    connection.execute(
        "INSERT INTO bench_pdf (pdf) SELECT NULL FROM generate_series(1, %s)", (PDFS,)
    )
    pid = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
    cpu, wall = server_cpu_seconds(pid), time.perf_counter()
    for row in range(1, PDFS + 1):
        connection.execute(
            "UPDATE bench_pdf SET pdf = %s WHERE id = %s AND pdf IS NULL", (pdf, row), prepare=True
        )
    wall = time.perf_counter() - wall
    cpu = server_cpu_seconds(pid) - cpu
    connection.execute("DROP TABLE bench_pdf")
    return cpu / PDFS * 1000, wall / PDFS * 1000


def main() -> None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        print("bench_pdf_storage: PostgreSQL only (TEST_DATABASE_URL unset); nothing measured")
        return
    import psycopg

    pdf = a_certificate_pdf()
    found: dict[str, list[tuple[float, float]]] = {kind: [] for kind in KINDS}
    with psycopg.connect("postgresql://" + url.split("://", 1)[1], autocommit=True) as conn:
        for _ in range(ROUNDS):
            for kind, storage in KINDS.items():
                found[kind].append(store(conn, storage, pdf))
    print(f"{PDFS} PDFs of {len(pdf):,} bytes stored one UPDATE each, {ROUNDS} rounds (ABAB)")
    medians = {}
    for kind, runs in found.items():
        cpu = statistics.median(c for c, _ in runs)
        wall = statistics.median(w for _, w in runs)
        medians[kind] = cpu
        each = ", ".join(f"{c:.3f}" for c, _ in runs)
        print(f"  {kind:38} server CPU {cpu:.3f} ms a PDF ({each}), wall {wall:.3f} ms")
    baseline, ours = medians.values()
    ratio = f"{ours / baseline:.2f}" if baseline else "n/a (too few PDFs for the clock's ticks)"
    print(f"uncompressed / compressed, server CPU: {ratio}")


if __name__ == "__main__":
    main()
