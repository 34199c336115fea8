"""``flask bank validate`` on a 20-line file, beside the cost of starting Python at all
(``python -c pass``) and of loading the whole app (``flask --help``), measured in the
same run since these machines are shared and noisy: compare the CPU seconds.

Each command runs ``BENCH_CLI_REPEAT`` times (5), the best kept. Aim: validate < 0.7 s.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLASK = str(Path(sys.executable).with_name("flask"))
REPEAT = int(os.environ.get("BENCH_CLI_REPEAT", 5))
SMALL_BANK = """\
# 二十行的小题库
bank: bench-small
title: 小题库
topics:
  charter: 党章
questions:
  - id: q1
    type: single
    topic: charter
    difficulty: 2
    stem: 党的最高领导机关是（　）。
    options:
      A: 党的全国代表大会和它所产生的中央委员会
      B: 中央政治局
      C: 中央书记处
      D: 中央军事委员会
    answer: A
    explanation: 党章第十条。
    source: 《中国共产党章程》第十条
    tags: [组织制度]
"""


def child_seconds(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Best CPU seconds (user + system) and best wall seconds of a command, which must
    succeed (a failing one would time its error message)."""
    best_cpu = best_wall = float("inf")
    for _ in range(REPEAT):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_cpu, best_wall = min(best_cpu, cpu), min(best_wall, wall)
    return best_cpu, best_wall


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bank = Path(tmp) / "small.yaml"
        bank.write_text(SMALL_BANK, encoding="utf-8")
        assert len(SMALL_BANK.splitlines()) == 20
        env = os.environ | {
            "FLASK_APP": "app",
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
        }
        runs = [
            ("baseline: python -c pass", [sys.executable, "-c", "pass"]),
            ("baseline: flask --help (loads the app)", [FLASK, "--help"]),
            ("flask bank validate (20 lines)", [FLASK, "bank", "validate", str(bank)]),
        ]
        print(f"{'command':<40} {'CPU s':>7} {'wall s':>7}")
        figures = {}
        for label, command in runs:
            cpu, wall = child_seconds(command, env)
            figures[label] = cpu
            print(f"  {label:<38} {cpu:7.3f} {wall:7.3f}")
    validate = figures["flask bank validate (20 lines)"]
    print(f"aim: validate < 0.7 s of CPU: {'met' if validate < 0.7 else 'MISSED'}")


if __name__ == "__main__":
    main()
