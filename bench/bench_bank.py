"""Validating and importing a generated 10,000-question bank.

Prints CPU seconds (best of three; wall time on these shared machines says more about
the neighbours than about the code) and peak memory, beside baselines measured in the
same run on the same file: libyaml's own composer building the bare node tree (the
reading path before), libyaml's parser events alone (the floor of any libyaml-based
reader), and json.loads of the same content. Aims: validation < 1 s, import < 10 s,
memory < 300 MB.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", 10_000))
TOPICS = ["charter", "branch", "organs", "education", "election", "discipline", "dues", "rules"]


def generate(count: int) -> str:
    lines = ["bank: bench", "title: 基准题库", "topics:"]
    lines += [f"  {t}: 主题{t}" for t in TOPICS]
    lines.append("questions:")
    for i in range(count):
        topic, kind, level = (
            TOPICS[i % 8],
            ("single", "multiple", "judge", "fill")[i % 4],
            i % 5 + 1,
        )
        lines += [
            f"  - id: q{i:05d}",
            f"    type: {kind}",
            f"    topic: {topic}",
            f"    difficulty: {level}",
        ]
        if kind == "fill":
            lines += [f"    stem: 第{i}题：党员的预备期为____年。", "    answer: [[一, 1]]"]
        elif kind == "judge":
            lines += [
                f"    stem: 第{i}题：党的最高领导机关是党的全国代表大会和它所产生的中央委员会。",
                "    answer: true",
            ]
        else:
            lines += [f"    stem: 第{i}题：党的最高领导机关是（　）。", "    options:"]
            lines += [
                f"      {k}: 选项{k}：党的全国代表大会和它所产生的中央委员会{i}" for k in "ABCD"
            ]
            lines.append("    answer: A" if kind == "single" else "    answer: [A, C]")
        lines += [
            "    explanation: 党章第十条规定，党的最高领导机关是党的全国代表大会和它所产生的中央委员会。",
            "    source: 《中国共产党章程》第十条",
            "    tags: [组织原则]",
        ]
    return "\n".join(lines) + "\n"


def timed(label: str, fn, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = fn()
        best = min(best, time.process_time() - start)
    print(f"  {label:<38} {best:8.3f} s")
    return best, result


def main() -> None:
    from ruamel.yaml.cyaml import CBaseLoader

    from question_bank.bank_format import parse_bank

    text = generate(QUESTIONS)
    data = text.encode()
    print(f"bank of {QUESTIONS} questions, {len(data) / 1048576:.1f} MB")
    compose, _ = timed(
        "baseline: libyaml's composer (before)", lambda: CBaseLoader(text).get_single_node()
    )
    timed("baseline: libyaml parser events only", lambda: _events(text))
    validate, (bank, report) = timed(
        "validate (parse_bank)", lambda: parse_bank(data, "bench.yaml")
    )
    assert bank is not None and report.ok, report.errors[:3]
    as_json = json.dumps(bank.to_dict(), ensure_ascii=False)
    baseline_json, _ = timed("baseline: json.loads of same content", lambda: json.loads(as_json))
    import_seconds = run_import(bank)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {'import into SQLite (publish)':<38} {import_seconds:8.3f} s")
    print(f"  {'peak memory (max RSS)':<38} {peak:8.0f} MB")
    print(
        f"validate / compose baseline = {validate / compose:.2f}x; validate / json = {validate / baseline_json:.1f}x"
    )
    print(f"aims: validate < 1 s: {'met' if validate < 1 else 'MISSED'}; import < 10 s: "
          f"{'met' if import_seconds < 10 else 'MISSED'}; memory < 300 MB: {'met' if peak < 300 else 'MISSED'}")  # fmt: skip


def _events(text: str) -> None:
    from ruamel.yaml.cyaml import CParser
    from ruamel.yaml.events import StreamEndEvent

    parser = CParser(text)
    while not isinstance(parser.get_event(), StreamEndEvent):
        pass
    parser.dispose()


def run_import(bank) -> float:
    os.environ.setdefault("SECRET_KEY", "bench")
    from flask_migrate import upgrade

    from app import create_app
    from app.bank.services import publish
    from app.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"})
        with app.app_context():
            upgrade()
            start = time.perf_counter()
            result = publish(bank)
            seconds = time.perf_counter() - start
            assert result.added == QUESTIONS
            db.engine.dispose()
    return seconds


if __name__ == "__main__":
    main()
