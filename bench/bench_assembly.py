"""Time to draw one paper as the bank grows: 1,000, 10,000 and 100,000 questions
(``BENCH_ASSEMBLY_SIZES``), ``BENCH_ASSEMBLY_PAPERS`` (1,000) papers from each.

Drawing reads only the buckets of each cell, so the time per paper should stay nearly
flat (aim: under 5 ms at the largest). The smallest bank is the baseline, measured
in the same run; a naive draw that filters the whole bank per cell is shown beside it
for scale. Run: ``.venv/bin/python bench/bench_assembly.py``.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from question_bank.assembly import BankIndex, draw_paper
from question_bank.exam import Exam
from question_bank.exam_format import parse_exam
from question_bank.model import Bank, Question

SIZES = [int(n) for n in os.environ.get("BENCH_ASSEMBLY_SIZES", "1000,10000,100000").split(",")]
PAPERS = int(os.environ.get("BENCH_ASSEMBLY_PAPERS", 1000))

TOPICS = ("charter", "branch", "organs", "education", "election", "discipline", "dues")
OPTIONS = (("A", "甲"), ("B", "乙"), ("C", "丙"), ("D", "丁"))
EXAM = b"""\
exam: bench
title: bench
bank: bench
time_limit_minutes: 60
pass_mark: 60%
multiple_scoring: partial
topics: {charter: 30%, branch: 20%, organs: 10%, education: 10%, election: 10%, discipline: 10%, dues: 10%}
difficulty: {1-2: 30%, 3: 40%, 4-5: 30%}
sections:
  - {type: single, count: 40, points: 1}
  - {type: multiple, count: 20, points: 2}
  - {type: judge, count: 20, points: 0.5}
  - {type: fill, count: 10, points: 1}
"""


def generated_bank(size: int) -> Bank:
    """``size`` questions spread evenly over types, topics and difficulties."""
    questions = []
    for i in range(size):
        kind = ("single", "multiple", "judge", "fill")[i % 4]
        topic, difficulty = TOPICS[i // 4 % len(TOPICS)], i // 28 % 5 + 1
        options = OPTIONS if kind in ("single", "multiple") else ()
        keys = {"single": ("A",), "multiple": ("A", "C"), "judge": ("true",)}.get(kind, ())
        blanks = (("党章",),) if kind == "fill" else ()
        questions.append(
            Question(f"q{i}", kind, topic, f"题{i} ____", difficulty, options, keys, blanks)
        )
    return Bank("bench", "bench", tuple((t, t) for t in TOPICS), tuple(questions))


def time_draws(exam: Exam, index: BankIndex, papers: int) -> list[float]:
    times = []
    for seed in range(papers):
        start = time.perf_counter()
        paper = draw_paper(exam, index, seed, avoid=frozenset())
        times.append(time.perf_counter() - start)
        assert len(paper.question_ids) == exam.question_count
    return times


def naive_draw(exam: Exam, bank: Bank, seed: int) -> int:
    """The O(bank size) way: filter every question for every cell."""
    rng = random.Random(seed)
    drawn = 0
    for section in exam.sections:
        for cell in section.cells:
            keys = set(cell.bucket_keys(section.type, TOPICS))
            pool = [q for q in bank.questions if (q.type, q.topic, q.difficulty) in keys]
            drawn += len(rng.sample(pool, cell.count))
    return drawn


def main() -> int:
    exam, report = parse_exam(EXAM, "bench-exam.yaml")
    if exam is None:
        print("\n".join(d.format() for d in report.ordered))
        return 1
    print(
        f"paper: {exam.question_count} questions in {sum(len(s.cells) for s in exam.sections)} cells"
    )
    print(
        f"{'bank':>8} {'index build':>12} {'p50/paper':>10} {'p99/paper':>10} {'naive/paper':>12}"
    )
    medians = {}
    for size in SIZES:
        bank = generated_bank(size)
        start = time.perf_counter()
        index = BankIndex.from_bank(bank)
        build = time.perf_counter() - start
        time_draws(exam, index, 50)  # warm up
        times = sorted(time_draws(exam, index, PAPERS))
        medians[size] = statistics.median(times)
        start = time.perf_counter()
        for seed in range(5):
            naive_draw(exam, bank, seed)
        naive = (time.perf_counter() - start) / 5
        print(
            f"{size:>8} {build * 1e3:>10.1f}ms {medians[size] * 1e3:>8.3f}ms "
            f"{times[int(len(times) * 0.99)] * 1e3:>8.3f}ms {naive * 1e3:>10.1f}ms"
        )
    smallest, largest = min(SIZES), max(SIZES)
    ratio = medians[largest] / medians[smallest]
    verdict = "met" if medians[largest] < 0.005 else "NOT met"
    print(
        f"ratio {largest:,}/{smallest:,} (p50): {ratio:.2f}; aim under 5 ms at {largest:,}: {verdict}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
